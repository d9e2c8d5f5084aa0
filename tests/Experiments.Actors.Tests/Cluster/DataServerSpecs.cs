using System.Security.Cryptography;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using Experiments.Actors.Cluster;
using Experiments.Actors.Tests.Support;
using Experiments.Core.Spec;
using Experiments.Tests;
using static Experiments.Actors.Cluster.ClusterProtocol;

namespace Experiments.Actors.Tests.Cluster;

/// <summary>The coordinator's IDX files for workers: only files a sweep's dataset named, by hash, checked, in acknowledged chunks.</summary>
public sealed class DataServerSpecs() : TestKit(TestConfig.Actors), IDisposable
{
    private readonly TempDir _dir = new();

    private string Write(string name, int length)
    {
        var bytes = new byte[length];
        Random.Shared.NextBytes(bytes);
        File.WriteAllBytes(_dir.File(name), bytes);
        return _dir.File(name);
    }

    private DataDescribed Describe(IActorRef server, string images, string labels)
    {
        server.Tell(new DescribeData(new DatasetSpec("own", images, labels, null)));
        return ExpectMsg<DataDescribed>();
    }

    [Fact]
    public void Should_describe_a_datasets_own_files_by_size_and_sha256()
    {
        var server = Sys.ActorOf(DataServer.Props());
        var images = Write("images", 5000);
        var labels = Write("labels", 100);
        var described = Describe(server, images, labels);
        Assert.Null(described.Problem);
        Assert.Equal([images, labels], described.Files.Select(f => f.Path));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(images))), described.Files[0].Sha256);
        Assert.Equal(5000, described.Files[0].Size);
    }

    [Fact]
    public void Should_refuse_a_hash_no_sweep_described()
    {
        var server = Sys.ActorOf(DataServer.Props());
        var other = Write("secret", 100);
        server.Tell(new FetchData(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(other)))));
        ExpectMsg<FetchRefused>(r => Assert.Contains("no sweep of this coordinator loaded", r.Reason));
    }

    [Fact]
    public void Should_stream_a_described_file_in_acknowledged_chunks()
    {
        var server = Sys.ActorOf(DataServer.Props());
        var images = Write("images", FileChunks.ChunkSize * (FileChunks.Window + 1) + 17);
        var file = Describe(server, images, Write("labels", 10)).Files[0];
        server.Tell(new FetchData(file.Sha256));
        var received = new List<byte>();
        for (var i = 0; i < FileChunks.CountOf(file.Size); i++)
        {
            var chunk = ExpectMsg<FileChunk>(c => Assert.Equal(i, c.Index));
            Assert.Equal(DataTransfer(file.Sha256), chunk.WorkId);
            received.AddRange(chunk.Bytes);
            LastSender.Tell(new ChunkAck(chunk.WorkId, chunk.File, chunk.Index));
        }
        Assert.Equal(File.ReadAllBytes(images), received.ToArray());
    }

    [Fact]
    public void Should_refuse_a_file_changed_since_its_sweep_described_it()
    {
        var server = Sys.ActorOf(DataServer.Props());
        var images = Write("images", 1000);
        var file = Describe(server, images, Write("labels", 10)).Files[0];
        var bytes = File.ReadAllBytes(images);
        bytes[0] ^= 0xff; // same size, other bytes
        File.WriteAllBytes(images, bytes);
        server.Tell(new FetchData(file.Sha256));
        ExpectMsg<FetchRefused>(r => Assert.Contains("changed on the coordinator", r.Reason));
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing) _dir.Dispose();
    }
}
