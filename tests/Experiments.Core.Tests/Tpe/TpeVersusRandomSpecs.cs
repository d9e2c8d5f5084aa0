using Experiments.Training.Cnn;
using Experiments.Core.Search;
using Experiments.Core.Search.Tpe;
using Experiments.Core.Spec;

namespace Experiments.Core.Tests.Tpe;

/// <summary>TPE against random search on <see cref="TpeSearchSpecs.Objective"/>, over many seeds.</summary>
public sealed class TpeVersusRandomSpecs
{
    private const int Seeds = 30, Budget = 80;
    private const double NearOptimum = 0.5;

    private static readonly ParameterSet Defaults = CnnModel.Definition.Defaults;

    /// <summary>How many configs the method proposed until one scored below <see cref="NearOptimum"/>; Budget + 1 if none did.</summary>
    private static int ConfigsToReach(ISearchMethod method)
    {
        while (method.Ask() is { } config)
        {
            var value = TpeSearchSpecs.Objective(config.Parameters);
            if (value < NearOptimum) return config.Id + 1;
            method.Tell(ConfigResult.Completed(config.Id, value));
        }
        return Budget + 1;
    }

    private static (double Mean, int NoWorse) Compare(TpeSettings settings)
    {
        var random = Enumerable.Range(0, Seeds).Select(s => ConfigsToReach(new RandomSearch(TpeSearchSpecs.Mixed, Defaults, Budget, s))).ToList();
        var tpe = Enumerable.Range(0, Seeds).Select(s => ConfigsToReach(
            new TpeSearch(TpeSearchSpecs.Mixed, Defaults, Budget, s, OptimizationMode.Min, settings))).ToList();
        return (tpe.Average() / random.Average(), tpe.Zip(random).Count(p => p.First <= p.Second));
    }

    [Fact]
    public void Tpe_gets_near_the_optimum_in_fewer_configs_than_random_search_over_many_seeds()
    {
        var (ratio, noWorse) = Compare(TpeSettings.Default);

        Assert.True(ratio < 0.8, $"TPE needed {ratio:P0} of random search's configs on average");
        Assert.True(noWorse >= Seeds * 2 / 3, $"TPE was no worse than random for only {noWorse} of {Seeds} seeds");
    }

    [Fact]
    public void Multivariate_tpe_gets_near_the_optimum_in_fewer_configs_than_random_search_too()
    {
        var (ratio, noWorse) = Compare(TpeSettings.Default with { Multivariate = true });

        Assert.True(ratio < 0.8, $"multivariate TPE needed {ratio:P0} of random search's configs on average");
        Assert.True(noWorse >= Seeds * 2 / 3, $"multivariate TPE was no worse than random for only {noWorse} of {Seeds} seeds");
    }
}
