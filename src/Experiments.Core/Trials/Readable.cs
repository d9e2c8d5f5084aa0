using System.Globalization;
using Experiments.Core.Spec;

namespace Experiments.Core.Trials;

/// <summary>
/// Numbers for people (console, leaderboard.md, the dashboard): 4 significant digits, plain
/// notation between 0.001 and a million, scientific outside it; whole numbers stay whole.
/// Files meant for programs (CSV, JSON) keep full precision and never use this.
/// </summary>
public static class Readable
{
    private const int Significant = 4;

    public static string Number(double? value)
    {
        if (value is not { } v) return "—";
        if (double.IsNaN(v) || double.IsInfinity(v)) return v.ToString(CultureInfo.InvariantCulture);
        if (v == Math.Floor(v) && Math.Abs(v) < 1e6) return v.ToString("0", CultureInfo.InvariantCulture);
        var magnitude = Math.Abs(v);
        if (magnitude < 1e-3 || magnitude >= 1e6) return v.ToString("0.000e+00", CultureInfo.InvariantCulture);
        var decimals = Math.Max(0, Significant - 1 - (int)Math.Floor(Math.Log10(magnitude)));
        // 9.99996 rounds to 10.000: one digit too many, so one decimal fewer.
        if (Math.Abs(Math.Round(v, decimals)) >= Math.Pow(10, Significant - decimals) && decimals > 0) decimals--;
        return v.ToString("F" + decimals, CultureInfo.InvariantCulture);
    }

    public static string Value(ParamValue value) => value.IsNumber ? Number(value.AsDouble()) : value.AsString();

    /// <summary>"hidden=128, learning-rate=0.001235".</summary>
    public static string Parameters(ParameterSet parameters) =>
        string.Join(", ", parameters.Values.Select(kv => $"{kv.Key}={Value(kv.Value)}"));

    /// <summary>The parameters whose values differ between <paramref name="sets"/>, in name order.</summary>
    public static IReadOnlyList<string> Varying(IEnumerable<ParameterSet> sets)
    {
        var list = sets.ToList();
        return list.SelectMany(s => s.Values.Keys).Distinct().Order(StringComparer.Ordinal)
            .Where(name => list.Select(s => s.Values.TryGetValue(name, out var v) ? v.AsString() : null).Distinct().Count() > 1)
            .ToList();
    }
}
