using System.Collections.Immutable;
using System.Text.Json;
using Experiments.Actors.Sweeps;
using Experiments.Core.Search;
using Experiments.Core.Spec;
using Experiments.Core.Trials;
using Experiments.Host.Dashboard;

namespace Experiments.Host.Tests.Dashboard;

/// <summary>The dashboard's JSON from a sweep's journalled detail, without a service or a browser.</summary>
public sealed class SweepViewSpecs
{
    private static ParameterSet Parameters(double rate, string optimizer) =>
        ParameterSet.Empty.With("learning-rate", ParamValue.Of(rate)).With("optimizer", ParamValue.Of(optimizer)).With("hidden", ParamValue.Of(16));

    private static EpochMetrics Epoch(int epoch, double loss) =>
        new(epoch, ImmutableSortedDictionary<string, double>.Empty.Add("val-loss", loss).Add("train-loss", loss + 0.5), 0.123456);

    private static SweepDetailProtocol.SweepDetail Detail()
    {
        TrialConfig[] configs = [new(0, Parameters(0.001, "adam")), new(1, Parameters(0.0031234567, "sgd"))];
        var a = new TrialKey(0, 0);
        var b = new TrialKey(1, 0);
        var outcomes = new[] { new TrialOutcome(a, TrialStatus.Completed, 2, 0.10820052594248168, 2, "ran all 2 epochs") };
        return new("s", "running", "val-loss", OptimizationMode.Min, "/nonexistent/s",
            Leaderboard.Build(configs, outcomes, 1, OptimizationMode.Min),
            [new(a, [Epoch(1, 0.2), Epoch(2, 0.10820052594248168)], outcomes[0], "127.0.0.1:4061"), new(b, [Epoch(1, 5.497469998243057E-05)], null, null)]);
    }

    private static JsonElement Json(object view) => JsonSerializer.SerializeToElement(view);

    [Fact]
    public void Should_give_only_the_varying_parameters_with_full_values_and_4_digit_texts()
    {
        var view = Json(SweepView.Of(Detail()));

        Assert.Equal(["learning-rate", "optimizer"], view.GetProperty("varying").EnumerateArray().Select(v => v.GetString()));
        var leader = view.GetProperty("leaderboard")[0];
        Assert.Equal(0, leader.GetProperty("config").GetInt32());
        Assert.Equal(0.10820052594248168, leader.GetProperty("mean").GetDouble());
        Assert.Equal("0.1082", leader.GetProperty("text").GetProperty("mean").GetString());
        Assert.False(leader.GetProperty("parameters").TryGetProperty("hidden", out _));
        var second = view.GetProperty("leaderboard")[1];
        Assert.Equal(0.0031234567, second.GetProperty("parameters").GetProperty("learning-rate").GetDouble());
        Assert.Equal("0.003123", second.GetProperty("parameterText").GetProperty("learning-rate").GetString());
        Assert.Equal("sgd", second.GetProperty("parameterText").GetProperty("optimizer").GetString());
    }

    [Fact]
    public void Should_give_each_trial_fold_its_state_and_the_curves_of_the_ranked_metric()
    {
        var view = Json(SweepView.Of(Detail()));

        var trials = view.GetProperty("trials").EnumerateArray().ToList();
        Assert.Equal(["trial-0-fold-0", "trial-1-fold-0"], trials.Select(t => t.GetProperty("name").GetString()));
        Assert.Equal(["completed", "running"], trials.Select(t => t.GetProperty("status").GetString()));
        Assert.Equal("5.497e-05", trials[1].GetProperty("last").GetString());
        Assert.Equal("127.0.0.1:4061", trials[0].GetProperty("node").GetString()); // ended there
        Assert.Equal(JsonValueKind.Null, trials[1].GetProperty("node").ValueKind); // waiting for a slot
        var curve = view.GetProperty("curves").EnumerateArray().Single(c => c.GetProperty("config").GetInt32() == 0);
        Assert.True(curve.GetProperty("best").GetBoolean());
        Assert.Equal([0.2, 0.10820052594248168], curve.GetProperty("points").EnumerateArray().Select(p => p.GetProperty("mean").GetDouble()));
    }

    [Fact]
    public void Should_give_a_trial_folds_epochs_with_every_metric_and_nothing_for_an_unknown_trial()
    {
        var trial = Json(SweepView.TrialOf(Detail(), "trial-0-fold-0")!);

        Assert.Equal(["train-loss", "val-loss"], trial.GetProperty("metrics").EnumerateArray().Select(m => m.GetString()));
        var second = trial.GetProperty("epochs")[1];
        Assert.Equal(0.10820052594248168, second.GetProperty("values").GetProperty("val-loss").GetDouble());
        Assert.Equal("0.1082", second.GetProperty("text").GetProperty("val-loss").GetString());
        Assert.Equal("0.1235", second.GetProperty("secondsText").GetString());
        Assert.Equal("completed", trial.GetProperty("outcome").GetProperty("status").GetString());
        Assert.Null(SweepView.TrialOf(Detail(), "trial-9-fold-0"));
        Assert.Null(SweepView.TrialOf(Detail(), "../trial-0-fold-0"));
    }

    [Theory]
    [InlineData("samples-epoch-001.png", true)]
    [InlineData("samples-epoch-12.png", true)]
    [InlineData("fid.png", false)]
    [InlineData("../samples-epoch-001.png", false)]
    [InlineData("samples-epoch-001.png/../../spec.json", false)]
    [InlineData("samples-epoch-001.pngx", false)]
    public void Should_serve_only_sample_grid_files(string file, bool served) => Assert.Equal(served, SweepView.IsSampleFile(file));
}
