using Experiments.Actors.Sweeps;
using Experiments.Actors.Tests.Support;
using Experiments.Core.Search;
using Experiments.Core.Search.Tpe;
using Experiments.Core.Spec;

namespace Experiments.Actors.Tests.Sweeps;

/// <summary>The journalled spec JSON with TPE settings (issue #11).</summary>
public sealed class SpecJsonTpeSpecs
{
    [Fact]
    public void A_tpe_spec_round_trips_through_its_json_with_its_settings()
    {
        var cnn = TinySweeps.Cnn("tpe");
        var settings = new TpeSettings(StartupTrials: 5, Candidates: 48, Gamma: 0.2, GammaCap: 10, Multivariate: true, ConstantLiar: false);
        var spec = cnn with { Search = cnn.Search with { Method = SearchMethodKind.Tpe, Tpe = settings } };

        var back = SpecJson.Deserialize(SpecJson.Serialize(spec));

        Assert.Equal(settings, back.Search.Tpe);
        Assert.Equal(SpecJson.Serialize(spec), SpecJson.Serialize(back));
        Assert.Contains("\"startup-trials\": 5", SpecJson.Serialize(spec));
    }

    [Fact]
    public void Grid_and_random_specs_keep_their_json_and_so_their_journal_identity()
    {
        var json = SpecJson.Serialize(TinySweeps.Cnn("plain"));

        Assert.DoesNotContain("tpe", json);
        Assert.Null(SpecJson.Deserialize(json).Search.Tpe);
    }
}
