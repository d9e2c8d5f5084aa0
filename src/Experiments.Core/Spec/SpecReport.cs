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

    /// <summary>The sweep lines and any warnings when the file is valid, else one line per error and warning, in the file's order.</summary>
    public static string Render(SpecLoadResult result) =>
        result.IsValid
            ? string.Join(Environment.NewLine, [Render(result.Sweeps), .. InFileOrder(result.Warnings)])
            : string.Join(Environment.NewLine, InFileOrder([.. result.Errors, .. result.Warnings]));

    /// <summary>Each warning as validate prints it, in the file's order.</summary>
    public static IEnumerable<string> Warnings(SpecLoadResult result) => InFileOrder(result.Warnings);

    private static IEnumerable<string> InFileOrder(IEnumerable<SpecError> problems) => problems
        .Select((problem, found) => (problem, found))
        .OrderBy(x => x.problem.Line ?? int.MaxValue).ThenBy(x => x.problem.Column ?? 0).ThenBy(x => x.found)
        .Select(x => x.problem.ToString());

    public static string Line(SweepPlan plan) => string.Create(CultureInfo.InvariantCulture,
        $"{plan.Name}: {plan.Configs} config{(plan.Configs == 1 ? "" : "s")} × {plan.Folds} folds, worst case {plan.WorstCaseEpochs} epochs");
}
