using Experiments.Core.Search;
using Experiments.Core.Search.Tpe;
using Experiments.Core.Spec;

namespace Experiments.Core.Tests.Tpe;

/// <summary>
/// The whole sampler against Optuna's: the random streams differ (ours is seeded per config), so the
/// comparison is of distributions. Expected: Optuna v4.9.0's TPESampler(seed=s) for s = 0 … 1999, each
/// asked for a 21st trial after the same 20 completed trials (Reference/optuna_reference.py):
/// x quantiles (10, 25, 50, 75, 90 %) [3.3311, 3.4391, 3.5296, 3.6291, 3.7474], mean 3.5338;
/// n frequencies {14: 0.0305, 16: 0.969, 18: 0.0005}.
/// </summary>
public sealed class TpeAgainstOptunaSpecs
{
    [Fact]
    public void The_next_suggestion_is_distributed_as_optunas_after_the_same_trials()
    {
        var space = new SearchSpace([new UniformDomain("x", 0, 10, null), new IntRangeDomain("n", 0, 20, 2)]);
        var told = Enumerable.Range(0, 20).Select(i =>
        {
            var (x, n) = (i * 37 % 100 / 10.0, i * 7 % 11 * 2);
            var config = new TrialConfig(i, ParameterSet.Empty.With("x", ParamValue.Of(x)).With("n", ParamValue.Of(n)));
            return new ToldConfig(config, ConfigResult.Completed(i, Math.Pow(x - 3, 2) + Math.Pow((n - 8) / 4.0, 2)));
        }).ToList();

        var suggestions = Enumerable.Range(0, 2000)
            .Select(seed => new TpeSampler(space, TpeSettings.Default, OptimizationMode.Min, seed).Suggest(20, told, []))
            .ToList();

        var xs = suggestions.Select(p => p.Double("x")).Order().ToList();
        double[] expectedQuantiles = [3.3311, 3.4391, 3.5296, 3.6291, 3.7474];
        double[] levels = [0.1, 0.25, 0.5, 0.75, 0.9];
        for (var i = 0; i < levels.Length; i++)
            Assert.InRange(xs[(int)(levels[i] * (xs.Count - 1))], expectedQuantiles[i] - 0.03, expectedQuantiles[i] + 0.03);
        Assert.InRange(xs.Average(), 3.5338 - 0.02, 3.5338 + 0.02);
        Assert.InRange(suggestions.Count(p => p.Int("n") == 16) / 2000.0, 0.969 - 0.02, 0.969 + 0.02);
        Assert.InRange(suggestions.Count(p => p.Int("n") == 14) / 2000.0, 0.0305 - 0.02, 0.0305 + 0.02);
    }
}
