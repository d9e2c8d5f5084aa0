using System.Collections.Immutable;
using System.Globalization;
using Experiments.Core.Search;

namespace Experiments.Core.Spec;

/// <summary>What `experiments validate FILE` prints.</summary>
public static class SpecReport
{
    /// <summary>One line per sweep: "name: N configs × K folds, worst case E epochs".</summary>
    public static string Render(ImmutableArray<SweepSpec> sweeps) =>
        string.Join(Environment.NewLine, sweeps.Select(s => Line(SweepPlan.Of(s))));

    /// <summary>
    /// The sweep lines when the file is valid, else one line per error, in the file's order; then
    /// one line per warning, in the file's order.
    /// </summary>
    public static string Render(SpecLoadResult result) =>
        string.Join(Environment.NewLine, (result.IsValid
            ? new[] { Render(result.Sweeps) }
            : result.Errors
                .Select((error, found) => (error, found))
                .OrderBy(x => x.error.Line ?? int.MaxValue).ThenBy(x => x.error.Column ?? 0).ThenBy(x => x.found)
                .Select(x => x.error.ToString()))
            .Concat(Warnings(result)));

    /// <summary>One line per warning, in the file's order (empty when there are none).</summary>
    public static IEnumerable<string> Warnings(SpecLoadResult result) =>
        result.Warnings.Select((warning, found) => (warning, found))
            .OrderBy(x => x.warning.Line ?? int.MaxValue).ThenBy(x => x.found)
            .Select(x => x.warning.ToString());

    public static string Line(SweepPlan plan) => string.Create(CultureInfo.InvariantCulture,
        $"{plan.Name}: {plan.Configs} config{(plan.Configs == 1 ? "" : "s")} × {plan.Folds} folds, worst case {plan.WorstCaseEpochs} epochs");
}
