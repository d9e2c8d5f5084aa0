using System.Collections.Immutable;
using Experiments.Core.Spec;

namespace Experiments.Core.Search;

/// <summary>What each domain kind means for enumeration and sampling; shared by every search method.</summary>
public static class DomainValues
{
    /// <summary>
    /// The finite values of a domain for a grid search, in ascending order (choices in the order given).
    /// Null for a continuous domain without grid-points, which a grid cannot enumerate.
    /// </summary>
    public static ImmutableArray<ParamValue>? Enumerate(ParameterDomain domain) => domain switch
    {
        FixedDomain f => [f.Value],
        ChoiceDomain c => c.Choices,
        IntRangeDomain r => Enumerable.Range(0, (int)Count(r)).Select(i => ParamValue.Of(r.Min + i * r.Step)).ToImmutableArray(),
        UniformDomain { GridPoints: { } n } u => Linear(u.Min, u.Max, n).Select(ParamValue.Of).ToImmutableArray(),
        LogUniformDomain { GridPoints: { } n } l => Linear(Math.Log(l.Min), Math.Log(l.Max), n)
            .Select((x, i) => ParamValue.Of(i == 0 ? l.Min : i == n - 1 ? l.Max : Math.Exp(x))).ToImmutableArray(),
        _ => null,
    };

    /// <summary>How many values a grid takes from the domain; null when it cannot be enumerated.</summary>
    public static long? GridSize(ParameterDomain domain) => domain switch
    {
        FixedDomain => 1,
        ChoiceDomain c => c.Choices.Length,
        IntRangeDomain r => Count(r),
        UniformDomain { GridPoints: { } n } => n,
        LogUniformDomain { GridPoints: { } n } => n,
        _ => null,
    };

    /// <summary>One value drawn from the domain: continuous uniformly (log-uniform in log space), int-range on its steps.</summary>
    public static ParamValue Sample(ParameterDomain domain, SplitMix64 random) => domain switch
    {
        FixedDomain f => f.Value,
        ChoiceDomain c => c.Choices[(int)random.NextBelow((ulong)c.Choices.Length)],
        IntRangeDomain r => ParamValue.Of(r.Min + (long)random.NextBelow((ulong)Count(r)) * r.Step),
        UniformDomain u => ParamValue.Of(Math.Clamp(u.Min + random.NextDouble() * (u.Max - u.Min), u.Min, u.Max)),
        LogUniformDomain l => ParamValue.Of(Math.Clamp(
            Math.Exp(Math.Log(l.Min) + random.NextDouble() * (Math.Log(l.Max) - Math.Log(l.Min))), l.Min, l.Max)),
        _ => throw new ArgumentException($"unknown domain kind {domain.GetType().Name}", nameof(domain)),
    };

    /// <summary>Whether a value lies in the domain (what a sampler or a grid may produce).</summary>
    public static bool Contains(ParameterDomain domain, ParamValue value) => domain switch
    {
        FixedDomain f => f.Value.Equals(value),
        ChoiceDomain c => c.Choices.Contains(value),
        IntRangeDomain r => value.IsNumber && value.AsDouble() >= r.Min && value.AsDouble() <= r.Max
            && (value.AsDouble() - r.Min) % r.Step == 0,
        UniformDomain u => value.IsNumber && value.AsDouble() >= u.Min && value.AsDouble() <= u.Max,
        LogUniformDomain l => value.IsNumber && value.AsDouble() >= l.Min && value.AsDouble() <= l.Max,
        _ => false,
    };

    private static long Count(IntRangeDomain r) => r.Max < r.Min ? 0 : (r.Max - r.Min) / r.Step + 1;

    private static IEnumerable<double> Linear(double lo, double hi, int n) =>
        n == 1 ? [lo] : Enumerable.Range(0, n).Select(i => i == n - 1 ? hi : lo + i * (hi - lo) / (n - 1));
}

/// <summary>
/// A small seeded generator (SplitMix64) with a fixed algorithm, so a seed gives the same
/// configurations on every runtime and version (System.Random promises no such thing).
/// </summary>
public sealed class SplitMix64(ulong seed)
{
    private ulong _state = seed;

    /// <summary>A generator for one configuration: independent of how many others were drawn before it.</summary>
    public static SplitMix64 For(int seed, int configId) =>
        new(new SplitMix64(((ulong)(uint)seed << 32) | (uint)configId).NextUInt64());

    public ulong NextUInt64()
    {
        var z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [0, bound), without modulo bias.</summary>
    public ulong NextBelow(ulong bound)
    {
        if (bound == 0) throw new ArgumentOutOfRangeException(nameof(bound), "bound must be positive");
        var limit = ulong.MaxValue - ulong.MaxValue % bound;
        ulong x;
        do x = NextUInt64(); while (x >= limit);
        return x % bound;
    }
}
