using System.Runtime.Serialization;
using System.Text;
using Akka.TestKit.Xunit2;
using Experiments.Actors.Serialization;
using Experiments.Actors.Sweeps;
using Experiments.Actors.Tests.Support;
using Experiments.Core.Trials;

namespace Experiments.Actors.Tests.Serialization;

/// <summary>The journal's wire format: explicit, versioned, exact, and chosen by the actor system for every journalled type.</summary>
public sealed class JournalSerializerSpecs() : TestKit(TestConfig.Actors)
{
    private static readonly Dictionary<string, double> AwkwardNumbers = new()
    {
        ["third"] = 1.0 / 3,
        ["sum"] = 0.1 + 0.2,
        ["tiny"] = double.Epsilon,
        ["huge"] = double.MaxValue,
        ["negative-zero"] = -0.0,
        ["nan"] = double.NaN,
        ["infinity"] = double.PositiveInfinity,
        ["minus-infinity"] = double.NegativeInfinity,
    };

    public static TheoryData<object> Journalled() =>
    [
        new SweepEvents.SweepStarted("{\n  \"name\": \"s1\"\n}"),
        new SweepEvents.TrialStarted(3, TrialKey.FinalFold),
        new SweepEvents.TrialAssigned(3, 1, "127.0.0.1:4061", 2),
        new SweepEvents.TrialAssigned(0, TrialKey.FinalFold, "host-a", null),
        new SweepEvents.EpochRecorded(1, 2, 7, AwkwardNumbers, 12.345678901234567),
        new SweepEvents.TrialEnded(1, 0, TrialStatus.EarlyStopped, 4, 0.1 + 0.2, 2, "no improvement for 2 epochs"),
        new SweepEvents.TrialEnded(2, 1, TrialStatus.Failed, 0, null, null, "injected fault"),
        new SweepEvents.SweepEnded(SweepStates.Completed, 1.0 / 7, new Dictionary<string, double> { ["val-loss"] = 1.0 / 7 }),
        new SweepEvents.SweepEnded(SweepStates.Cancelled, null, null),
        new SweepEvents.SweepSnapshot([
            new SweepEvents.SweepStarted("{}"),
            new SweepEvents.TrialStarted(0, 0),
            new SweepEvents.TrialAssigned(0, 0, "127.0.0.1:4061", null),
            new SweepEvents.EpochRecorded(0, 0, 1, AwkwardNumbers, 0.5),
            new SweepEvents.TrialEnded(0, 0, TrialStatus.Pruned, 1, double.NaN, 1, "pruned"),
            new SweepEvents.SweepEnded(SweepStates.Failed, null, null),
        ]),
        new SweepManagerEvents.SweepOpened("s1", "sweep-s1-0123456789ab"),
        new SweepManagerEvents.SweepClosed("s1"),
        new SweepManagerEvents.LegacySweepsAdopted("sweep-manager"),
        new SweepManagerEvents.LegacySweepsHandedOver("host-a"),
    ];

    private (byte[] Bytes, string Manifest) Write(object message)
    {
        var serializer = Sys.Serialization.FindSerializerFor(message);
        Assert.IsType<JournalSerializer>(serializer);
        Assert.Equal(JournalSerializer.Id, serializer.Identifier);
        return (serializer.ToBinary(message), Akka.Serialization.Serialization.ManifestFor(serializer, message));
    }

    [Theory]
    [MemberData(nameof(Journalled))]
    public void Should_read_back_every_journalled_type_exactly_as_written(object message)
    {
        var (bytes, manifest) = Write(message);

        var read = Sys.Serialization.Deserialize(bytes, JournalSerializer.Id, manifest);

        Assert.Equivalent(message, read, strict: true);
        Assert.Equal(message.GetType(), read.GetType());
    }

    [Theory]
    [MemberData(nameof(Journalled))]
    public void Should_write_no_CLR_names_only_the_contracts_fields(object message)
    {
        var (bytes, manifest) = Write(message);
        var json = Encoding.UTF8.GetString(bytes);

        Assert.Matches("^[a-z-]+/[0-9]+$", manifest);
        foreach (var clrName in new[] { "$type", "$id", "Experiments", "System.", "Sweep", "ConfigId", "EarlyStopped", "Status\"" })
            Assert.DoesNotContain(clrName, json, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_write_version_1_of_a_trial_end_as_specified()
    {
        var (bytes, manifest) = Write(new SweepEvents.TrialEnded(1, 0, TrialStatus.EarlyStopped, 4, 0.1 + 0.2, 2, "stopped"));

        Assert.Equal("trial-ended/1", manifest);
        Assert.Equal("""{"config":1,"fold":0,"status":"early-stopped","epochs-run":4,"best-metric":0.30000000000000004,"best-epoch":2,"reason":"stopped"}""",
            Encoding.UTF8.GetString(bytes));
    }

    [Fact]
    public void Should_write_version_1_of_a_trial_assignment_as_specified()
    {
        var (resumed, manifest) = Write(new SweepEvents.TrialAssigned(2, 1, "10.0.0.7:4053", 3));
        var (fresh, _) = Write(new SweepEvents.TrialAssigned(0, 0, "127.0.0.1:4061", null));

        Assert.Equal("trial-assigned/1", manifest);
        Assert.Equal("""{"config":2,"fold":1,"node":"10.0.0.7:4053","resumes-after-epoch":3}""", Encoding.UTF8.GetString(resumed));
        Assert.Equal("""{"config":0,"fold":0,"node":"127.0.0.1:4061","resumes-after-epoch":null}""", Encoding.UTF8.GetString(fresh));
    }

    [Fact]
    public void Should_write_nan_and_infinities_as_named_numbers()
    {
        var (bytes, _) = Write(new SweepEvents.EpochRecorded(0, 0, 1, new() { ["a"] = double.NaN, ["b"] = double.NegativeInfinity }, 0));

        Assert.Equal("""{"config":0,"fold":0,"epoch":1,"metrics":{"a":"NaN","b":"-Infinity"},"seconds":0}""", Encoding.UTF8.GetString(bytes));
    }

    [Fact]
    public void Should_refuse_an_unknown_manifest_and_name_it()
    {
        var error = Assert.Throws<SerializationException>(() => Sys.Serialization.Deserialize("{}"u8.ToArray(), JournalSerializer.Id, "trial-ended/9"));

        Assert.Contains("unknown manifest 'trial-ended/9'", error.Message);
        Assert.Contains("trial-ended/1", error.Message); // what this version reads
    }

    [Theory]
    [InlineData("""{"config":1,"fold":0}""", "epoch-recorded/1")]                            // fields missing
    [InlineData("""{"config":1,"fold":0,"$type":"System.Object"}""", "trial-started/1")]    // a field the contract has not
    [InlineData("""{"config":1,"fold":0,"status":"exploded","epochs-run":1,"best-metric":null,"best-epoch":null,"reason":""}""", "trial-ended/1")]
    [InlineData("""{"events":[{"manifest":"mystery/1","event":{}}]}""", "sweep-snapshot/1")]
    [InlineData("not json", "sweep-closed/1")]
    public void Should_refuse_bytes_that_do_not_fit_their_contract_and_name_the_manifest(string json, string manifest)
    {
        var error = Assert.Throws<SerializationException>(() => Sys.Serialization.Deserialize(Encoding.UTF8.GetBytes(json), JournalSerializer.Id, manifest));

        Assert.StartsWith("journal: ", error.Message);
        Assert.True(error.Message.Contains(manifest) || error.Message.Contains("mystery/1") || error.Message.Contains("'exploded'"), error.Message);
    }

    [Fact]
    public void Should_give_every_trial_status_its_own_journal_word()
    {
        var words = Enum.GetValues<TrialStatus>().Select(StatusNames.Write).ToList();

        Assert.Equal(words.Count, words.Distinct().Count());
        Assert.All(Enum.GetValues<TrialStatus>(), status => Assert.Equal(status, StatusNames.Read(StatusNames.Write(status))));
    }

    [Fact]
    public void Should_have_a_contract_for_every_type_the_actors_journal()
    {
        var journalled = typeof(ISweepEvent).Assembly.GetTypes()
            .Where(t => t is { IsAbstract: false, IsInterface: false } && (typeof(ISweepEvent).IsAssignableFrom(t) || typeof(ISweepManagerEvent).IsAssignableFrom(t)))
            .ToList();

        Assert.NotEmpty(journalled);
        Assert.All(journalled, type => Assert.True(JournalContracts.Table.CanWrite(type), $"{type.FullName} is journalled but has no contract in JournalContracts"));
        Assert.Equal(journalled.Count, JournalContracts.Table.WrittenTypes.Count);
    }
}
