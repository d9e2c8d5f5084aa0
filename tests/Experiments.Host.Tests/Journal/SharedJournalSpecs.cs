using Akka.Actor;
using Experiments.Actors.Sweeps;

namespace Experiments.Host.Tests.Journal;

/// <summary>
/// Several hosts on one database (here one SQLite file, opened by two actor systems at once):
/// each host's SweepManager resumes its own sweeps only, and the open sweeps of the fixed-id
/// manager journal of earlier versions go to the first host that starts, once.
/// </summary>
public sealed class SharedJournalSpecs : IDisposable
{
    private readonly TempDir _dir = new();

    private static IActorRef StartManager(JournalHost host, string results, string hostId) =>
        host.System.ActorOf(SweepManager.Props(results, host.System.ActorOf(Props.Create<Silent>()), new ScriptedTrainerFactory(), hostId), SweepManager.Name);

    private static async Task<string[]> SweepsOf(IActorRef manager) =>
        (await manager.Ask<SweepProtocol.SweepList>(new SweepProtocol.ListSweeps(), JournalFixtureWriter.Patience)).Sweeps.Select(s => s.Name).ToArray();

    /// <summary>What a host's manager resumes when it starts on the shared journal (the sweeps stay at their start: no data ever arrives).</summary>
    private async Task<string[]> ResumedBy(string hostId)
    {
        await using var host = await JournalHost.StartAsync(_dir.Path);
        return await SweepsOf(StartManager(host, _dir.Path, hostId));
    }

    [Fact]
    public async Task Should_resume_only_its_own_sweeps_when_two_hosts_share_one_database()
    {
        await using (var a = await JournalHost.StartAsync(_dir.Path))
        await using (var b = await JournalHost.StartAsync(_dir.Path))
        {
            var managerA = StartManager(a, _dir.Path, "host-a");
            var managerB = StartManager(b, _dir.Path, "host-b");
            await managerA.Ask<SweepProtocol.SweepAccepted>(new SweepProtocol.SubmitSweep(JournalFixtureWriter.Spec("alpha")), JournalFixtureWriter.Patience);
            await managerB.Ask<SweepProtocol.SweepAccepted>(new SweepProtocol.SubmitSweep(JournalFixtureWriter.Spec("beta")), JournalFixtureWriter.Patience);
            Assert.Equal(["alpha"], await SweepsOf(managerA));
            Assert.Equal(["beta"], await SweepsOf(managerB));
        }

        Assert.Equal(["alpha"], await ResumedBy("host-a"));
        Assert.Equal(["beta"], await ResumedBy("host-b"));
        Assert.Empty(await ResumedBy("host-c"));
    }

    [Fact]
    public async Task Should_hand_the_open_sweeps_of_an_earlier_versions_journal_to_the_first_host_only()
    {
        File.Copy(Path.Combine(AppContext.BaseDirectory, "Fixtures", "journal-v0", "experiments.db"), _dir.File("experiments.db"));

        Assert.Equal([JournalFixtureWriter.Open], await ResumedBy("first"));
        Assert.Empty(await ResumedBy("second"));
        Assert.Equal([JournalFixtureWriter.Open], await ResumedBy("first"));
    }

    public void Dispose() => _dir.Dispose();
}
