using System.Collections.Immutable;
using System.Runtime.Serialization;
using System.Text;
using Akka.TestKit.Xunit2;
using Experiments.Actors.Cluster;
using Experiments.Actors.Tests.Support;
using Experiments.Core.Spec;
using Experiments.Core.Trials;
using static Experiments.Actors.Cluster.ClusterProtocol;

namespace Experiments.Actors.Tests.Cluster;

/// <summary>What crosses between nodes: explicit contracts chosen by the manifest, exact numbers, no CLR type names.</summary>
public sealed class ClusterSerializerSpecs() : TestKit(TestConfig.Actors)
{
    private static readonly EpochMetrics Epoch = new(3,
        ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, new Dictionary<string, double> { ["val-loss"] = 1.0 / 3, ["odd"] = double.NaN, ["sum"] = 0.1 + 0.2 }),
        12.345678901234567);

    private static readonly ParameterSet Parameters = ParameterSet.Empty
        .With("learning-rate", ParamValue.Of(0.1 + 0.2)).With("optimizer", ParamValue.Of("sgd")).With("hidden", ParamValue.Of(16));

    public static TheoryData<object> Messages() =>
    [
        new Hello("127.0.0.1:4100", 2),
        new Challenge("00ff"),
        new Register("127.0.0.1:4100", 2, "proof"),
        new Welcome("127.0.0.1:4053"),
        new Refused("wrong secret"),
        new RequestWork("127.0.0.1:4100", 1),
        new WorkOffered("w1", "{\"name\": \"s\"}", new TrialKey(2, TrialKey.FinalFold), Parameters, 1234, 5, [Epoch]),
        new StartWork("w1"),
        new FileChunk("w1", "last.ckpt", 1, 3, [0, 1, 2, 255]),
        new ChunkAck("w1", "last.ckpt", 1),
        new FileCopy("w1", "best.ckpt", "last.ckpt"),
        new WorkOffered("w2", "{}", new TrialKey(1, 0), Parameters, 7, 3, []) { Data = [new DataFile("/data/images-idx3-ubyte", "ab12", 47_040_016)] },
        new FetchData("ab12"),
        new FetchRefused("ab12", "unknown"),
        new EpochDone("w1", Epoch),
        new Decision("w1", TrialStatus.Pruned, "below the median"),
        new Decision("w1", null, "continue"),
        new WorkEnded("w1", new TrialOutcome(new TrialKey(1, 0), TrialStatus.EarlyStopped, 4, 0.25, 2, "no improvement")),
    ];

    private (byte[] Bytes, string Manifest) Write(object message)
    {
        var serializer = Sys.Serialization.FindSerializerFor(message);
        Assert.IsType<ClusterSerializer>(serializer);
        return (serializer.ToBinary(message), Akka.Serialization.Serialization.ManifestFor(serializer, message));
    }

    [Theory]
    [MemberData(nameof(Messages))]
    public void Should_read_back_every_cluster_message_as_written(object message)
    {
        var (bytes, manifest) = Write(message);
        var read = Sys.Serialization.Deserialize(bytes, ClusterSerializer.Id, manifest);
        Assert.IsType(message.GetType(), read);
        Assert.Equal(bytes, Write(read).Bytes);
        Assert.DoesNotContain("Experiments.", Encoding.UTF8.GetString(bytes));
    }

    [Fact]
    public void Should_keep_parameters_and_metrics_exactly()
    {
        var offered = new WorkOffered("w", "{}", new TrialKey(1, 1), Parameters, 7, 3, [Epoch]);
        var (bytes, manifest) = Write(offered);
        var read = (WorkOffered)Sys.Serialization.Deserialize(bytes, ClusterSerializer.Id, manifest);
        Assert.Equal(Parameters, read.Parameters);
        Assert.Equal(Epoch.Values.Keys, read.History.Single().Values.Keys);
        Assert.Equal(0.1 + 0.2, read.History.Single().Values["sum"]);
        Assert.True(double.IsNaN(read.History.Single().Values["odd"]));
    }

    [Fact]
    public void Should_give_every_cluster_message_a_contract()
    {
        var types = typeof(IClusterMessage).Assembly.GetTypes().Where(t => t.IsClass && typeof(IClusterMessage).IsAssignableFrom(t)).ToList();
        Assert.NotEmpty(types);
        Assert.All(types, t => Assert.True(ClusterContracts.Table.CanWrite(t), $"{t.Name} has no contract"));
    }

    [Fact]
    public void Should_carry_a_file_chunk_as_its_raw_bytes_below_the_large_object_threshold()
    {
        var bytes = Enumerable.Range(0, FileChunks.ChunkSize).Select(i => (byte)(i * 7)).ToArray();
        var chunk = new FileChunk("w1-0123456789abcdef", "last.ckpt", 2, 65, bytes);

        var (written, manifest) = Write(chunk);
        var read = (FileChunk)Sys.Serialization.Deserialize(written, ClusterSerializer.Id, manifest);

        Assert.Equal("file-chunk/2", manifest);
        Assert.True(written.Length < 85_000, $"{written.Length} bytes on the wire");
        Assert.Equal((chunk.WorkId, chunk.File, chunk.Index, chunk.Count), (read.WorkId, read.File, read.Index, read.Count));
        Assert.Equal(bytes, read.Bytes);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    public void Should_refuse_a_file_chunk_whose_bytes_are_cut_short_or_padded(int change)
    {
        var (written, manifest) = Write(new FileChunk("w1", "last.ckpt", 0, 1, [1, 2, 3, 4, 5, 6]));
        var cut = written[..^change];
        var padded = written.Concat(new byte[change]).ToArray();

        Assert.Contains("cannot read a 'file-chunk/2'", Assert.Throws<SerializationException>(() => Sys.Serialization.Deserialize(cut, ClusterSerializer.Id, manifest)).Message);
        Assert.Contains("cannot read a 'file-chunk/2'", Assert.Throws<SerializationException>(() => Sys.Serialization.Deserialize(padded, ClusterSerializer.Id, manifest)).Message);
    }

    [Fact]
    public void Should_still_read_a_file_chunk_of_the_json_form_written_before()
    {
        var json = Encoding.UTF8.GetBytes("""{"work":"w1","file":"best.ckpt","index":0,"count":2,"bytes":"AAEC/w=="}""");

        var read = (FileChunk)Sys.Serialization.Deserialize(json, ClusterSerializer.Id, "file-chunk/1");

        Assert.Equal(("w1", "best.ckpt", 0, 2), (read.WorkId, read.File, read.Index, read.Count));
        Assert.Equal(new byte[] { 0, 1, 2, 255 }, read.Bytes);
    }

    [Fact]
    public void Should_refuse_an_unknown_manifest()
    {
        var error = Assert.Throws<SerializationException>(() => Sys.Serialization.Deserialize([], ClusterSerializer.Id, "System.Diagnostics.Process"));
        Assert.Contains("unknown manifest", error.Message);
    }

    [Fact]
    public void Should_accept_only_a_proof_made_with_the_same_secret_and_nonce()
    {
        var nonce = ClusterSecret.NewNonce();
        Assert.True(ClusterSecret.Verify("s3cret", nonce, ClusterSecret.Proof("s3cret", nonce)));
        Assert.False(ClusterSecret.Verify("s3cret", nonce, ClusterSecret.Proof("other", nonce)));
        Assert.False(ClusterSecret.Verify("s3cret", ClusterSecret.NewNonce(), ClusterSecret.Proof("s3cret", nonce)));
    }
}
