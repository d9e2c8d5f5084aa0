using System.Collections.Immutable;
using System.Text.Json;
using Experiments.Actors.Plots;
using Experiments.Core.Spec;
using Experiments.Core.Trials;
using Experiments.Training;

namespace Experiments.Actors.Sweeps;

/// <summary>
/// A sweep's folder: spec.json (the resolved spec), leaderboard.csv and leaderboard.md and plots/ (rewritten
/// as trials finish, so partial results are always on disk), summary.json, and trials/.
/// </summary>
public sealed class SweepResults(string directory)
{
    public string Directory { get; } = directory;
    public string TrialDirectory(TrialKey key) => Path.Combine(Directory, "trials", key.Name);

    /// <summary>spec.json: the text the journal holds, not serialised again.</summary>
    public void WriteSpec(SpecText spec) => WriteAtomically("spec.json", spec.Json);

    public void WriteLeaderboard(ImmutableArray<LeaderboardRow> rows, string metric)
    {
        WriteAtomically("leaderboard.csv", Leaderboard.ToCsv(rows, metric));
        WriteAtomically("leaderboard.md", Leaderboard.ToMarkdown(rows, metric));
    }

    /// <summary>plots/learning-curves.png, plots/param-NAME.png and, for a GAN, trials/TRIAL/fid.png (see <see cref="SweepPlots"/>).</summary>
    public IReadOnlyList<string> WritePlots(SweepSpec spec, Core.Scheduling.SweepRecord record, ImmutableArray<LeaderboardRow> board, TrialKey? fidOf = null) =>
        SweepPlots.WriteAll(Directory, spec, record, board, fidOf);

    public void WriteSummary(SweepSummary summary) => WriteAtomically("summary.json", JsonSerializer.Serialize(summary, SpecJson.Options));

    private void WriteAtomically(string name, string text) => AtomicFile.WriteText(Path.Combine(Directory, name), text);
}
