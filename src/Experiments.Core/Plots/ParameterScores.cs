using Experiments.Core.Search;
using Experiments.Core.Trials;

namespace Experiments.Core.Plots;

/// <summary>One ranked config's value of a parameter and its score (mean over folds).</summary>
public sealed record ParameterPoint(int ConfigId, double? Number, string Label, double Score);

/// <summary>The data of one parameter-versus-score plot. <see cref="Categories"/> is set for words and choices, in the order first seen.</summary>
public sealed record ParameterScore(string Name, bool LogScale, IReadOnlyList<string>? Categories, IReadOnlyList<ParameterPoint> Points);

/// <summary>Score against each swept parameter (one whose domain can take more than one value), over the ranked configs.</summary>
public static class ParameterScores
{
    public static IReadOnlyList<ParameterScore> Build(SearchSpace space, IEnumerable<LeaderboardRow> board)
    {
        var ranked = board.Where(r => r.Mean is not null).OrderBy(r => r.Config.Id).ToList();
        return space.Parameters.Where(Swept).Select(domain =>
        {
            var points = ranked.Where(r => r.Config.Parameters.Values.ContainsKey(domain.Name)).Select(r =>
            {
                var value = r.Config.Parameters[domain.Name];
                return new ParameterPoint(r.Config.Id, value.IsNumber ? value.AsDouble() : null, Readable.Value(value), r.Mean!.Value);
            }).ToList();
            var categorical = domain is ChoiceDomain || points.Any(p => p.Number is null);
            var categories = categorical ? points.Select(p => p.Label).Distinct().ToList() : null;
            var log = domain is LogUniformDomain && !categorical && points.All(p => p.Number > 0);
            return new ParameterScore(domain.Name, log, categories, points);
        }).ToList();
    }

    private static bool Swept(ParameterDomain domain) => domain switch
    {
        FixedDomain => false,
        ChoiceDomain c => c.Choices.Length > 1,
        UniformDomain u => u.Max > u.Min,
        LogUniformDomain l => l.Max > l.Min,
        IntRangeDomain i => i.Max > i.Min,
        _ => true,
    };
}
