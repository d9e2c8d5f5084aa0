using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Experiments.Core.Spec;

namespace Experiments.Actors.Sweeps;

/// <summary>
/// The resolved spec as JSON: written to spec.json for people, and into the journal so a restarted
/// host can resume a sweep without the file it came from. Round-trips exactly.
/// </summary>
public static class SpecJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.KebabCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower), new ParamValueConverter() },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static string Serialize(SweepSpec spec) => JsonSerializer.Serialize(spec, Options);

    public static SweepSpec Deserialize(string json) =>
        JsonSerializer.Deserialize<SweepSpec>(json, Options) ?? throw new JsonException("empty spec");

    /// <summary>
    /// A short digest of the spec: a sweep's identity in the journal (same name + same spec =
    /// resume). Computed from a canonical form with the IDX paths as the spec wrote them, so
    /// moving the spec's folder (data and results beside it) resumes the same sweep.
    /// </summary>
    public static string Digest(SweepSpec spec) => Digest(SpecText.Of(spec));

    /// <summary>As <see cref="Digest(SweepSpec)"/>, reusing the text when the canonical form is the spec itself (the default dataset).</summary>
    public static string Digest(SpecText spec)
    {
        var canonical = Canonical(spec.Spec);
        var text = ReferenceEquals(canonical, spec.Spec) ? spec.Json : Serialize(canonical);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..12];
    }

    /// <summary>The spec without where its folder happens to live (a spec on the default dataset is unchanged).</summary>
    public static SweepSpec Canonical(SweepSpec spec) => spec.Dataset is { ImagesAsWritten: { } images, LabelsAsWritten: { } labels } dataset
        ? spec with { Dataset = dataset with { Images = images, Labels = labels, ImagesAsWritten = null, LabelsAsWritten = null } }
        : spec;

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

/// <summary>
/// A resolved spec with its JSON, serialised once when the sweep is opened: the same text goes into
/// the manager's and the sweep's journal and into spec.json, and gives the digest.
/// </summary>
public sealed record SpecText(SweepSpec Spec, string Json)
{
    public string Name => Spec.Name;

    public static SpecText Of(SweepSpec spec) => new(spec, SpecJson.Serialize(spec));

    /// <summary>A spec as the journal holds it: the text kept as it was written.</summary>
    public static SpecText Read(string json) => new(SpecJson.Deserialize(json), json);
}
