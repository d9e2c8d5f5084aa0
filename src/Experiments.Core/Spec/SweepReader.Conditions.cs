using System.Collections.Immutable;
using Experiments.Core.Search;
using Experiments.Core.Spec.Hocon;

namespace Experiments.Core.Spec;

/// <summary>
/// Conditional parameters of a search space: <c>momentum { uniform = [0.8, 0.99], when { optimizer = sgd } }</c>.
/// Each condition names another parameter of the space and the values it must have; all must hold.
/// </summary>
internal sealed partial class SweepReader
{
    /// <summary>Most combinations of the parents tried when checking that every conditional parameter can exist.</summary>
    private const long MaxParentCombinations = 100_000;

    private ImmutableArray<ParameterDomain>? ReadConditions(ObjectNode space, List<ParameterDomain> domains, string path, ModelDefinition model)
    {
        var byName = domains.ToDictionary(d => d.Name, StringComparer.Ordinal);
        var result = new List<ParameterDomain>(domains.Count);
        var failed = false;
        foreach (var domain in domains)
        {
            if (space.Get(domain.Name) is not ObjectNode { } spec || spec.Get("when") is not { } when) { result.Add(domain); continue; }
            var conditions = ReadWhen(when, domain, Join(Join(path, domain.Name), "when"), byName, model);
            if (conditions is null) failed = true;
            else result.Add(domain with { When = conditions.Value });
        }
        if (failed) return null;
        var conditional = result.ToImmutableArray();
        if (FindCycle(conditional, path)) return null;
        CheckEveryConditionCanHold(conditional, path);
        return conditional;
    }

    private ImmutableArray<Condition>? ReadWhen(HoconNode node, ParameterDomain child, string path,
        IReadOnlyDictionary<string, ParameterDomain> domains, ModelDefinition model)
    {
        if (node is not ObjectNode when)
        {
            Error(path, $"expected {{ parameter = value }} or {{ parameter = [values] }}, got {node.Describe()}");
            return null;
        }
        if (when.Fields.IsEmpty)
        {
            Error(path, "name the parameter this one depends on, e.g. when { optimizer = sgd }");
            return null;
        }
        var failed = false;
        if (model.Parameter(child.Name) is { Optional: false })
        {
            var optional = model.Parameters.Where(p => p.Optional).Select(p => p.Name).ToList();
            Error(path, $"{child.Name} cannot be conditional: model {model.Name} reads it in every configuration" +
                (optional.Count == 0 ? "" : $" (those that may be absent: {string.Join(", ", optional)})"));
            failed = true;
        }
        var conditions = new List<Condition>();
        foreach (var (parent, valuesNode) in when.Fields)
        {
            if (ReadCondition(parent, valuesNode, child, Join(path, parent), domains, model) is { } condition) conditions.Add(condition);
            else failed = true;
        }
        return failed ? null : conditions.ToImmutableArray();
    }

    private Condition? ReadCondition(string parent, HoconNode node, ParameterDomain child, string path,
        IReadOnlyDictionary<string, ParameterDomain> domains, ModelDefinition model)
    {
        if (parent == child.Name)
        {
            Error(path, $"{child.Name} cannot depend on itself");
            return null;
        }
        if (!domains.TryGetValue(parent, out var parentDomain))
        {
            Error(path, model.Parameter(parent) is null
                ? $"a condition on an unknown parameter '{parent}'{Suggestions.Hint(parent, domains.Keys.ToArray())}"
                : $"'{parent}' is not in search.space: a condition names a parameter the search chooses (declare {parent} in the space)");
            return null;
        }
        if (parentDomain is UniformDomain or LogUniformDomain)
        {
            Error(path, $"{parent} is continuous: a condition needs a parameter with a list of values (a choice, an int-range or a fixed value)");
            return null;
        }
        var items = node switch
        {
            ScalarNode scalar => [scalar],
            ArrayNode { Items.IsEmpty: false } array when array.Items.All(i => i is ScalarNode) => array.Items.Cast<ScalarNode>().ToList(),
            _ => (List<ScalarNode>?)null,
        };
        if (items is null)
        {
            Error(path, $"expected a value of {parent} or a list of them, got {Show(node)}");
            return null;
        }
        var info = model.Parameter(parent)!;
        var values = items.Select(i => info.Type != ParamType.Word && Number(i) is { } x ? ParamValue.Of(x) : ParamValue.Of(i.Text)).ToList();
        var impossible = values.Where(v => !DomainValues.Contains(parentDomain, v)).ToList();
        if (impossible.Count > 0)
        {
            var takes = DomainValues.Enumerate(parentDomain) is { Length: <= 20 } all ? $": it takes {string.Join(", ", all)}" : "";
            Error(path, $"{parent} never takes {string.Join(", ", impossible.Select(v => v.IsNumber ? v.ToString() : Quote(v.AsString())))} in this space{takes}");
            return null;
        }
        if (values.GroupBy(v => v).FirstOrDefault(g => g.Count() > 1) is { } duplicate)
        {
            Error(path, $"value {duplicate.Key} appears more than once");
            return null;
        }
        return new Condition(parent, values.ToImmutableArray());
    }

    /// <summary>Conditions that depend on each other in a circle (a when b, b when a) have no order to be decided in.</summary>
    private bool FindCycle(ImmutableArray<ParameterDomain> domains, string path)
    {
        var parents = domains.ToDictionary(d => d.Name, d => d.When.Select(c => c.Parent).ToList(), StringComparer.Ordinal);
        var state = new Dictionary<string, int>(StringComparer.Ordinal); // 1 = on the path, 2 = done
        var trail = new List<string>();
        foreach (var start in domains.Select(d => d.Name))
        {
            if (Visit(start) is { } cycle)
            {
                Error(Join(Join(Join(path, cycle[0]), "when"), cycle[1]), $"the conditions form a cycle: {string.Join(" → ", cycle)} (each exists only when the next does)");
                return true;
            }
        }
        return false;

        List<string>? Visit(string name)
        {
            if (state.TryGetValue(name, out var s)) return s == 1 ? [.. trail.Skip(trail.IndexOf(name)), name] : null;
            state[name] = 1;
            trail.Add(name);
            foreach (var parent in parents[name])
                if (Visit(parent) is { } cycle) return cycle;
            trail.RemoveAt(trail.Count - 1);
            state[name] = 2;
            return null;
        }
    }

    /// <summary>
    /// A parameter whose conditions can never all hold at once (e.g. it needs a parent value under
    /// which another of its parents is absent) would never be tried: say so, rather than silently
    /// drop it. Checked over every combination of the parents, when there are not too many.
    /// </summary>
    private void CheckEveryConditionCanHold(ImmutableArray<ParameterDomain> domains, string path)
    {
        var parentNames = domains.SelectMany(d => d.When.Select(c => c.Parent)).ToHashSet(StringComparer.Ordinal);
        if (parentNames.Count == 0) return;
        var parents = new SearchSpace(domains.Where(d => parentNames.Contains(d.Name)).ToImmutableArray());
        if (GridTree.Of(parents) is not { Count: <= MaxParentCombinations } tree) return;
        var conditional = domains.Where(d => !d.When.IsEmpty).ToList();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (long i = 0; i < tree.Count && seen.Count < conditional.Count; i++)
        {
            var combination = tree.At(i);
            foreach (var domain in conditional)
                if (SpaceStructure.IsPresent(domain, combination)) seen.Add(domain.Name);
        }
        foreach (var domain in conditional.Where(d => !seen.Contains(d.Name)))
            Error(Join(Join(path, domain.Name), "when"), $"{domain.Name} would never exist: {string.Join(" and ", domain.When)} never hold together");
    }
}
