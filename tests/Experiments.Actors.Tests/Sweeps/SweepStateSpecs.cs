using Akka.Actor;
using Akka.TestKit.Xunit2;
using Experiments.Actors.Sweeps;
using Experiments.Actors.Tests.Support;
using Experiments.Core.Search;
using Experiments.Core.Trials;

namespace Experiments.Actors.Tests.Sweeps;

/// <summary>The sweep's durable state: a pure fold of its journalled events.</summary>
public class SweepStateSpecs : TestKit
{
    private static readonly Experiments.Core.Spec.SweepSpec Spec = TinySweeps.Cnn("state");

    private static List<ISweepEvent> History() =>
    [
        new SweepEvents.SweepStarted(SpecJson.Serialize(Spec)),
        new SweepEvents.TrialStarted(0, 0),
        new SweepEvents.TrialStarted(0, 1),
        new SweepEvents.TrialAssigned(0, 0, "127.0.0.1:4061", null),
        new SweepEvents.TrialAssigned(0, 1, "127.0.0.1:4061", null),
        new SweepEvents.EpochRecorded(0, 0, 1, new() { ["val-loss"] = 0.9 }, 1.0),
        new SweepEvents.EpochRecorded(0, 0, 2, new() { ["val-loss"] = 0.7 }, 1.0),
        new SweepEvents.TrialEnded(0, 0, TrialStatus.Completed, 2, 0.7, 2, "ran all 2 epochs"),
        new SweepEvents.EpochRecorded(0, 1, 1, new() { ["val-loss"] = 0.8 }, 1.0),
    ];

    private static SweepState Fold(IEnumerable<ISweepEvent> events)
    {
        var state = new SweepState();
        foreach (var e in events) state.Apply(e);
        return state;
    }

    [Fact]
    public void Should_rebuild_the_spec_outcomes_and_histories_from_the_events()
    {
        var state = Fold(History());
        Assert.Equal(SpecJson.Serialize(Spec), SpecJson.Serialize(state.Spec!));
        Assert.Equal(TrialStatus.Completed, state.Outcomes[new TrialKey(0, 0)].Status);
        Assert.Equal([0.9, 0.7], state.History(new TrialKey(0, 0), "val-loss"));
        Assert.Null(state.Ended);
    }

    [Fact]
    public void Should_keep_the_node_each_trial_fold_was_last_handed_to_and_leave_the_scheduler_record_untouched()
    {
        var moved = History().Append(new SweepEvents.TrialAssigned(0, 1, "127.0.0.1:4062", 1)).ToList();
        var state = Fold(moved);
        var withoutNodes = Fold(moved.Where(e => e is not SweepEvents.TrialAssigned));

        Assert.Equal("127.0.0.1:4061", state.NodeOf(new TrialKey(0, 0)));
        Assert.Equal("127.0.0.1:4062", state.NodeOf(new TrialKey(0, 1)));
        Assert.Equal(1, state.Assignments[new TrialKey(0, 1)].ResumesAfter);
        Assert.Null(withoutNodes.NodeOf(new TrialKey(0, 0))); // a journal from before the event
        Assert.Equal(withoutNodes.Record.Started, state.Record.Started);
        Assert.Equal(withoutNodes.Interrupted, state.Interrupted);
        Assert.Equal(withoutNodes.History(new TrialKey(0, 1), "val-loss"), state.History(new TrialKey(0, 1), "val-loss"));
        Assert.Equal("127.0.0.1:4062", Fold([state.ToSnapshot()]).NodeOf(new TrialKey(0, 1)));
    }

    [Fact]
    public void Should_name_started_but_unended_trials_as_interrupted()
    {
        Assert.Equal([new TrialKey(0, 1)], Fold(History()).Interrupted);
    }

    [Fact]
    public void Should_replace_the_epochs_a_resumed_trial_redoes()
    {
        var state = Fold(History().Append(new SweepEvents.EpochRecorded(0, 1, 1, new() { ["val-loss"] = 0.75 }, 1.0)));
        Assert.Equal([0.75], state.History(new TrialKey(0, 1), "val-loss"));
    }

    [Fact]
    public void Should_recover_the_same_state_from_a_snapshot_as_from_the_events()
    {
        var full = Fold(History().Append(new SweepEvents.SweepEnded("completed", 0.5, new() { ["val-loss"] = 0.5 })));
        var restored = Fold([full.ToSnapshot()]);
        var configs = SearchMethods.All(SearchMethods.Create(Spec));
        Assert.Equal(full.Leaderboard(configs).Select(r => (r.Config.Id, r.Mean, r.State)), restored.Leaderboard(configs).Select(r => (r.Config.Id, r.Mean, r.State)));
        Assert.Equal(full.Interrupted, restored.Interrupted);
        Assert.Equal(full.History(new TrialKey(0, 1), "val-loss"), restored.History(new TrialKey(0, 1), "val-loss"));
        Assert.Equal("completed", restored.Ended!.State);
    }

    [Fact]
    public void Should_round_trip_every_event_and_the_snapshot_through_the_journal_serializer()
    {
        var snapshot = Fold(History()).ToSnapshot();
        foreach (var original in History().Append(snapshot))
        {
            var serializer = Sys.Serialization.FindSerializerFor(original);
            var bytes = serializer.ToBinary(original);
            var back = Sys.Serialization.Deserialize(bytes, serializer.Identifier, original.GetType());
            Assert.IsType(original.GetType(), back);
            var replayed = Fold(History().Take(1).Append((ISweepEvent)back));
            var expected = Fold(History().Take(1).Append(original));
            Assert.Equal(expected.Outcomes.Values, replayed.Outcomes.Values);
            Assert.Equal(expected.Interrupted, replayed.Interrupted);
            Assert.Equal(expected.History(new TrialKey(0, 0), "val-loss"), replayed.History(new TrialKey(0, 0), "val-loss"));
        }
    }
}
