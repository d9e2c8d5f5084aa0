using System.Collections.Immutable;
using Experiments.Core.Spec;

namespace Experiments.Core.Search.Tpe;

/// <summary>
/// One parameter as TPE models it, in Optuna's internal representation: a number for a numerical
/// parameter, the index of the choice for a categorical one.
/// </summary>
public abstract record TpeDimension(string Name)
{
    /// <summary>
    /// The dimension of a domain, or null when the domain has a single value (fixed, one choice, an
    /// int-range of one step, a uniform with min = max): Optuna leaves those out of the model too.
    /// </summary>
    public static TpeDimension? Of(ParameterDomain domain) => domain switch
    {
        FixedDomain => null,
        ChoiceDomain c => c.Choices.Length < 2 ? null : new CategoricalDimension(c.Name, c.Choices),
        UniformDomain u => u.Max > u.Min ? new NumericalDimension(u.Name, u.Min, u.Max, 0, false) : null,
        LogUniformDomain l => l.Max > l.Min ? new NumericalDimension(l.Name, l.Min, l.Max, 0, true) : null,
        IntRangeDomain r => r.Max < r.Min + r.Step ? null
            : new NumericalDimension(r.Name, r.Min, r.Min + (r.Max - r.Min) / r.Step * r.Step, r.Step, false),
        _ => throw new ArgumentException($"unknown domain kind {domain.GetType().Name}", nameof(domain)),
    };

    public abstract double ToInternal(ParamValue value);

    public abstract ParamValue ToExternal(double value);
}

/// <summary>
/// A number in [Low, High]; Step > 0 for integers on a grid Low, Low + Step, … High (Optuna's
/// IntDistribution with step; High is the last step, not the declared max); Log for log-uniform,
/// which TPE models in log space.
/// </summary>
public sealed record NumericalDimension(string Name, double Low, double High, double Step, bool Log) : TpeDimension(Name)
{
    public bool IsDiscrete => Step > 0;

    /// <summary>Bounds of the kernels' truncation: widened by half a step for integers, in log space for log domains.</summary>
    public double KernelLow => Transform(IsDiscrete ? Low - Step / 2 : Low);

    public double KernelHigh => Transform(IsDiscrete ? High + Step / 2 : High);

    public double Transform(double x) => Log ? Math.Log(x) : x;

    public override double ToInternal(ParamValue value) => value.AsDouble();

    public override ParamValue ToExternal(double value) => ParamValue.Of(value);

    /// <summary>A kernel-space draw back on the domain: exp for log, rounded to the nearest step (half to even, as numpy) for integers.</summary>
    public double FromKernelSpace(double x)
    {
        var value = Log ? Math.Exp(x) : x;
        if (IsDiscrete) value = Low + Math.Round((value - Low) / Step, MidpointRounding.ToEven) * Step;
        return Math.Clamp(value, Low, High);
    }
}

/// <summary>One of <see cref="Choices"/>, numbers or words, modelled by index.</summary>
public sealed record CategoricalDimension(string Name, ImmutableArray<ParamValue> Choices) : TpeDimension(Name)
{
    public override double ToInternal(ParamValue value)
    {
        var index = Choices.IndexOf(value);
        return index >= 0 ? index : throw new ArgumentException($"{Name}: {value} is not one of the choices", nameof(value));
    }

    public override ParamValue ToExternal(double value) => Choices[(int)value];
}
