using Experiments.Actors.Sweeps;
using Experiments.Actors.Tests.Support;

namespace Experiments.Actors.Tests.Sweeps;

/// <summary>Issue #14: the final retrain's own thread count in the journalled spec.</summary>
public sealed class SpecJsonResourcesSpecs
{
    [Fact]
    public void The_final_retrain_threads_round_trip_through_the_json()
    {
        var cnn = TinySweeps.Cnn("retrain");
        var spec = cnn with { Resources = cnn.Resources with { FinalRetrainThreads = 2 } };

        var back = SpecJson.Deserialize(SpecJson.Serialize(spec));

        Assert.Equal(2, back.Resources.FinalRetrainThreads);
        Assert.Equal(SpecJson.Digest(spec), SpecJson.Digest(back));
    }

    [Fact]
    public void A_spec_without_final_retrain_threads_keeps_its_json_and_so_its_journal_identity()
    {
        var json = SpecJson.Serialize(TinySweeps.Cnn("plain"));

        Assert.DoesNotContain("final-retrain-threads", json);
        Assert.Null(SpecJson.Deserialize(json).Resources.FinalRetrainThreads);
    }
}
