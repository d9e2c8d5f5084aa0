using Akka.Actor;
using Experiments.Actors.Sweeps;
using Experiments.Core.Spec;

namespace Experiments.Host.Tests;

/// <summary>What `run` does while it waits on a sweep, against stand-ins for the sweep manager.</summary>
public sealed class RunWaitSpecs : IDisposable
{
    private readonly ActorSystem _system = ActorSystem.Create("run-wait", "akka.loglevel = WARNING");

    private static SweepSpec Spec =>
        SpecLoader.LoadText(SpecFiles.Tiny, "tiny.hocon", Directory.GetCurrentDirectory(), DatasetFacts.SpecContext()).Sweeps[0];

    /// <summary>A stand-in manager that answers the first message with <paramref name="reply"/>, or stops when it is null.</summary>
    private sealed class Manager : ReceiveActor
    {
        public Manager(object? reply) => ReceiveAny(_ =>
        {
            if (reply is null) Context.Stop(Self);
            else Sender.Tell(reply);
        });
    }

    private IActorRef ManagerThat(object? reply) => _system.ActorOf(Props.Create(() => new Manager(reply)));

    /// <summary>The wait must end on its own: a wait that hangs fails here instead of hanging the suite.</summary>
    private static async Task<SweepSubmission.SweepRun> Bounded(Task<SweepSubmission.SweepRun> wait)
    {
        await Task.WhenAny(wait, Task.Delay(TimeSpan.FromMinutes(1)));
        Assert.True(wait.IsCompleted, "run is still waiting");
        return await wait;
    }

    [Fact]
    public async Task Should_say_the_sweep_did_not_finish_when_the_sweep_manager_is_gone()
    {
        var run = await Bounded(SweepSubmission.RunAsync(ManagerThat(reply: null), Spec));

        Assert.Null(run.Summary);
        Assert.Contains("sweep manager stopped", run.Problem);
    }

    [Fact]
    public async Task Should_say_why_when_the_sweep_was_interrupted()
    {
        var run = await Bounded(SweepSubmission.RunAsync(ManagerThat(new SweepProtocol.SweepInterrupted("e2e", "its supervisor stopped unexpectedly")), Spec));

        Assert.Null(run.Summary);
        Assert.Equal("its supervisor stopped unexpectedly", run.Problem);
    }

    [Fact]
    public async Task Should_say_why_when_the_sweep_was_rejected()
    {
        var run = await Bounded(SweepSubmission.RunAsync(ManagerThat(new SweepProtocol.SweepRejected("e2e", "a sweep named 'e2e' is already running with another spec")), Spec));

        Assert.Null(run.Summary);
        Assert.Equal("rejected: a sweep named 'e2e' is already running with another spec", run.Problem);
    }

    public void Dispose() => _system.Dispose();
}
