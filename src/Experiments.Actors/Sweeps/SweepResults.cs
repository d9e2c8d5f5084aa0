using System.Collections.Immutable;
using System.Text.Json;
using Experiments.Core.Spec;
using Experiments.Core.Trials;
using Experiments.Training;

namespace Experiments.Actors.Sweeps;

/// <summary>
/// A sweep's folder: spec.json (the resolved spec), leaderboard.csv and leaderboard.md (rewritten
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

    public void WriteSummary(SweepSummary summary) => WriteAtomically("summary.json", JsonSerializer.Serialize(summary, SpecJson.Options));

    private void WriteAtomically(string name, string text) => AtomicFile.WriteText(Path.Combine(Directory, name), text);
}
