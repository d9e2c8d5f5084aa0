using System.Collections.Immutable;
using Experiments.Core.Spec;

namespace Experiments.Core.Search;

/// <summary>
/// Part of a parameter's <c>when { ... }</c>: the parameter exists in a configuration only when
/// <see cref="Parent"/> exists there and has one of <see cref="Values"/>.
/// </summary>
public sealed record Condition(string Parent, ImmutableArray<ParamValue> Values)
{
    public bool HoldsFor(ParameterSet chosen) => chosen.Values.TryGetValue(Parent, out var value) && Values.Contains(value);

    public override string ToString() =>
        Values.Length == 1 ? $"{Parent} = {Values[0]}" : $"{Parent} in [{string.Join(", ", Values)}]";
}

/// <summary>
/// The tree structure of a search space with conditional parameters: in which order to decide the
/// parameters (parents before children), which exist once their parents are chosen, and the
/// configuration that results. A space without conditions is a flat list and every method behaves
/// exactly as before conditions existed.
/// </summary>
public static class SpaceStructure
{
    /// <summary>Whether the space has any conditional parameter.</summary>
    public static bool IsConditional(SearchSpace space) => space.Parameters.Any(d => !d.When.IsEmpty);

    /// <summary>
    /// The parameters in the order they are decided: declaration order, except that a parameter
    /// comes after every parameter its conditions name (a stable topological order). The reader
    /// rejects cycles; a cycle here throws.
    /// </summary>
    public static ImmutableArray<ParameterDomain> Ordered(SearchSpace space)
    {
        if (!IsConditional(space)) return space.Parameters;
        var placed = new HashSet<string>(StringComparer.Ordinal);
        var order = new List<ParameterDomain>(space.Parameters.Length);
        var pending = space.Parameters.ToList();
        while (pending.Count > 0)
        {
            var next = pending.FirstOrDefault(d => d.When.All(c => placed.Contains(c.Parent) || !space.Parameters.Any(p => p.Name == c.Parent)))
                ?? throw new ArgumentException($"the conditions of {string.Join(", ", pending.Select(d => d.Name))} form a cycle", nameof(space));
            order.Add(next);
            placed.Add(next.Name);
            pending.Remove(next);
        }
        return order.ToImmutableArray();
    }

    /// <summary>Whether <paramref name="domain"/> exists given the values chosen for the parameters before it.</summary>
    public static bool IsPresent(ParameterDomain domain, ParameterSet chosen) => domain.When.All(c => c.HoldsFor(chosen));

    /// <summary>
    /// One draw from the space: each parameter in <see cref="Ordered"/> order, drawn only if it exists
    /// (an absent parameter draws nothing from <paramref name="random"/>).
    /// </summary>
    public static ParameterSet Sample(SearchSpace space, SplitMix64 random) =>
        Ordered(space).Aggregate(ParameterSet.Empty, (set, d) => IsPresent(d, set) ? set.With(d.Name, DomainValues.Sample(d, random)) : set);

    /// <summary>
    /// The full configuration: <paramref name="defaults"/> without the space's parameters that are
    /// absent from <paramref name="chosen"/> (a conditional parameter whose condition fails is absent,
    /// not set to a default), overridden by <paramref name="chosen"/>.
    /// </summary>
    public static ParameterSet Resolve(SearchSpace space, ParameterSet defaults, ParameterSet chosen)
    {
        var resolved = defaults;
        foreach (var domain in space.Parameters)
            if (!domain.When.IsEmpty && !chosen.Values.ContainsKey(domain.Name)) resolved = resolved.Without(domain.Name);
        return resolved.Override(chosen);
    }

    /// <summary>Whether every parameter of the space that exists in <paramref name="config"/> satisfies its conditions, and every one that should exist does.</summary>
    public static bool Satisfies(SearchSpace space, ParameterSet config) =>
        space.Parameters.All(d => !d.When.IsEmpty
            ? config.Values.ContainsKey(d.Name) == IsPresent(d, config)
            : config.Values.ContainsKey(d.Name));
}
