using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Serialization;
using Experiments.Core.Spec;
using Experiments.Core.Trials;

namespace Experiments.Actors.Sweeps;

/// <summary>
/// A sweep's folder: spec.json (the resolved spec), leaderboard.csv and leaderboard.md (rewritten
/// as trials finish, so partial results are always on disk), summary.json, and trials/.
/// </summary>
public sealed class SweepResults(string directory)
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.KebabCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower), new ParamValueConverter() },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public string Directory { get; } = directory;
    public string TrialDirectory(TrialKey key) => Path.Combine(Directory, "trials", key.Name);

    public void WriteSpec(SweepSpec spec) => WriteAtomically("spec.json", JsonSerializer.Serialize(spec, Json));

    public void WriteLeaderboard(ImmutableArray<LeaderboardRow> rows, string metric)
    {
        WriteAtomically("leaderboard.csv", Leaderboard.ToCsv(rows, metric));
        WriteAtomically("leaderboard.md", Leaderboard.ToMarkdown(rows, metric));
    }

    public void WriteSummary(SweepSummary summary) => WriteAtomically("summary.json", JsonSerializer.Serialize(summary, Json));

    private void WriteAtomically(string name, string text)
    {
        System.IO.Directory.CreateDirectory(Directory);
        var path = Path.Combine(Directory, name);
        File.WriteAllText(path + ".tmp", text);
        File.Move(path + ".tmp", path, overwrite: true);
    }

    /// <summary>A hyperparameter value as a JSON number or string.</summary>
    private sealed class ParamValueConverter : JsonConverter<ParamValue>
    {
        public override ParamValue Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.Number ? ParamValue.Of(reader.GetDouble()) : ParamValue.Of(reader.GetString() ?? "");

        public override void Write(Utf8JsonWriter writer, ParamValue value, JsonSerializerOptions options)
        {
            if (value.IsNumber) writer.WriteNumberValue(value.AsDouble());
            else writer.WriteStringValue(value.AsString());
        }
    }
}
