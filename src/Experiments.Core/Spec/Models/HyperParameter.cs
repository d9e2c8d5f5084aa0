using System.Collections.Immutable;
using System.Globalization;

namespace Experiments.Core.Spec;

public enum ParamType { Real, Integer, Word }

/// <summary>
/// A hyperparameter a model understands, untyped: its type, default and the values it accepts,
/// as the spec reader checks them. <see cref="Check"/> returns null when a value is acceptable,
/// else what is wrong with it. Made by <see cref="HyperParameter"/>'s typed factories.
/// An <see cref="Optional"/> one may be absent from a configuration (a conditional parameter whose
/// condition fails); its trainer says what absence means. A null <see cref="Default"/> (optional
/// only) means absent unless the sweep sets it.
/// </summary>
public sealed record HyperParameterInfo(
    string Name, ParamType Type, ParamValue? Default, string Description,
    double Min = double.NegativeInfinity, double Max = double.PositiveInfinity,
    bool MinExclusive = false, bool MaxExclusive = false,
    ImmutableArray<string> Words = default)
{
    /// <summary>May be absent from a configuration: the model does not read it in every configuration.</summary>
    public bool Optional { get; init; }

    public string? Check(ParamValue value)
    {
        if (Type == ParamType.Word)
        {
            if (value.IsNumber) return $"expected one of {string.Join(", ", Words)}, got {value}";
            return Words.Contains(value.AsString()) ? null : $"expected one of {string.Join(", ", Words)}, got '{value}'";
        }
        if (!value.IsNumber) return $"expected a number, got '{value}'";
        var x = value.AsDouble();
        if (double.IsNaN(x) || double.IsInfinity(x)) return $"expected a finite number, got {x}";
        if (Type == ParamType.Integer && Math.Abs(x - Math.Round(x)) > 1e-9) return $"expected an integer, got {x}";
        if (MinExclusive ? x <= Min : x < Min) return $"must be {(MinExclusive ? ">" : ">=")} {Min}, got {x}";
        if (MaxExclusive ? x >= Max : x > Max) return $"must be {(MaxExclusive ? "<" : "<=")} {Max}, got {x}";
        return null;
    }

    /// <summary>The accepted values as people read them: <c>[0, 1)</c>, <c>&gt; 0</c>, <c>`adam`, `sgd`</c>.</summary>
    public string Accepts()
    {
        if (Type == ParamType.Word) return string.Join(", ", Words.Select(w => $"`{w}`"));
        var low = MinExclusive ? "(" : "[";
        var high = MaxExclusive ? ")" : "]";
        if (double.IsInfinity(Max)) return $"{(MinExclusive ? ">" : "≥")} {Show(Min)}";
        return $"{low}{Show(Min)}, {Show(Max)}{high}";
    }

    private static string Show(double x) => x.ToString("R", CultureInfo.InvariantCulture);
}

/// <summary>
/// A hyperparameter with its .NET type: the one definition a model's trainer reads its value
/// through (<see cref="Of"/>) and the spec reader checks values against (<see cref="Info"/>).
/// </summary>
public sealed class HyperParameter<T>
{
    private readonly Func<ParameterSet, string, T> _read;

    internal HyperParameter(HyperParameterInfo info, Func<ParameterSet, string, T> read)
    {
        Info = info;
        _read = read;
    }

    public HyperParameterInfo Info { get; }
    public string Name => Info.Name;

    /// <summary>This hyperparameter's value in a full set (as the search method resolved it).</summary>
    public T Of(ParameterSet parameters) => _read(parameters, Info.Name);

    /// <summary>Whether the set has a value for it: an optional hyperparameter may be absent.</summary>
    public bool IsIn(ParameterSet parameters) => parameters.Values.ContainsKey(Info.Name);

    public static implicit operator HyperParameterInfo(HyperParameter<T> p) => p.Info;
}

/// <summary>Factories of typed hyperparameters, for model definitions.</summary>
public static class HyperParameter
{
    /// <param name="optional">It may be absent from a configuration (see <see cref="HyperParameterInfo.Optional"/>).</param>
    public static HyperParameter<double> Real(string name, double @default, string description, double min,
        double max = double.PositiveInfinity, bool minExclusive = false, bool maxExclusive = false, bool optional = false) =>
        new(new(name, ParamType.Real, ParamValue.Of(@default), description, min, max, minExclusive, maxExclusive) { Optional = optional }, (p, n) => p.Double(n));

    public static HyperParameter<int> Integer(string name, int @default, string description, int min, int max = int.MaxValue) =>
        new(new(name, ParamType.Integer, ParamValue.Of(@default), description, min, max), (p, n) => p.Int(n));

    /// <summary>An optional integer with no default: absent from a configuration unless the sweep sets it.</summary>
    public static HyperParameter<int> OptionalInteger(string name, string description, int min, int max = int.MaxValue) =>
        new(new(name, ParamType.Integer, null, description, min, max) { Optional = true }, (p, n) => p.Int(n));

    public static HyperParameter<string> Word(string name, string @default, string description, params string[] words) =>
        new(new(name, ParamType.Word, ParamValue.Of(@default), description, Words: [.. words]), (p, n) => p.Text(n));
}
