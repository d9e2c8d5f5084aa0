using Experiments.Actors.Sweeps;
using Experiments.Actors.Tests.Support;
using Experiments.Core.Search;
using Experiments.Core.Spec;

namespace Experiments.Actors.Tests.Sweeps;

/// <summary>The journalled spec JSON of a conditional search space (issue #11).</summary>
public sealed class SpecJsonConditionalSpecs
{
    [Fact]
    public void A_conditional_space_round_trips_through_its_json_with_its_conditions()
    {
        var cnn = TinySweeps.Cnn("conditional");
        var space = new SearchSpace([
            new ChoiceDomain("optimizer", [ParamValue.Of("adam"), ParamValue.Of("sgd")]),
            new ChoiceDomain("momentum", [ParamValue.Of(0.5), ParamValue.Of(0.9)]) { When = [new Condition("optimizer", [ParamValue.Of("sgd")])] },
        ]);
        var spec = cnn with { Search = cnn.Search with { Space = space } };

        var json = SpecJson.Serialize(spec);
        var back = SpecJson.Deserialize(json);

        Assert.Equal(json, SpecJson.Serialize(back));
        Assert.Contains("\"when\"", json);
        var condition = Assert.Single(back.Search.Space.Parameters.Single(d => d.Name == "momentum").When);
        Assert.Equal("optimizer = sgd", condition.ToString());
        Assert.Empty(back.Search.Space.Parameters.Single(d => d.Name == "optimizer").When);
    }

    [Fact]
    public void A_space_without_conditions_keeps_its_json_and_so_its_journal_identity()
    {
        var json = SpecJson.Serialize(TinySweeps.Cnn("plain"));

        Assert.DoesNotContain("\"when\"", json);
    }
}
