using System.Collections.Immutable;
using System.Globalization;
using Experiments.Core.Search;
using Experiments.Core.Spec.Hocon;

namespace Experiments.Core.Spec;

/// <summary>The search space of a sweep: one domain per hyperparameter, checked against the model's definition.</summary>
internal sealed partial class SweepReader
{
    // ---- search space -------------------------------------------------------------------------

    private SearchSpace? ReadSpace(HoconNode? node, string path, ModelDefinition model, SearchMethodKind? method)
    {
        if (node is not ObjectNode space)
        {
            Error(path, $"expected an object {{ parameter = values, ... }}, got {node?.Describe() ?? "nothing"}");
            return null;
        }
        var parameters = model.Parameters;
        CheckKeys(space, parameters.Select(p => p.Name).ToArray(), path);
        var domains = new List<ParameterDomain>();
        var failed = false;
        foreach (var (name, value) in space.Fields)
        {
            if (parameters.FirstOrDefault(p => p.Name == name) is not { } info) { failed = true; continue; }
            if (ReadDomain(value, info, Join(path, name), method) is { } domain) domains.Add(domain);
            else failed = true;
        }
        if (failed) return null;
        // Conditions name other parameters of the space, declared before or after: read once all domains are.
        return ReadConditions(space, domains, path, model) is { } conditional ? new SearchSpace(conditional) : null;
    }

    private ParameterDomain? ReadDomain(HoconNode node, HyperParameterInfo info, string path, SearchMethodKind? method)
    {
        switch (node)
        {
            case ScalarNode or NullNode:
                return FixedValue(node, info, path) is { } value ? new FixedDomain(info.Name, value) : null;
            case ArrayNode array:
                return ChoiceValues(array, info, path) is { } choices ? new ChoiceDomain(info.Name, choices) : null;
            case ObjectNode spec:
                CheckKeys(spec, DomainKeys, path);
                var kinds = spec.Keys.Where(k => k is "choice" or "uniform" or "log-uniform" or "int-range").ToList();
                if (kinds.Count != 1)
                {
                    Error(path, kinds.Count == 0 ? "declare one of choice, uniform, log-uniform, int-range" + (spec.Get("when") is null ? "" : " beside when (a fixed value: choice = [x])")
                        : $"declare only one of {string.Join(", ", kinds)}");
                    return null;
                }
                return kinds[0] switch
                {
                    "choice" => ReadChoiceObject(spec, info, path),
                    "int-range" => ReadIntRange(spec, info, path),
                    var kind => ReadContinuous(spec, kind, info, path, method),
                };
            default:
                Error(path, $"expected a value, a list or a domain object, got {node.Describe()}");
                return null;
        }
    }

    private ChoiceDomain? ReadChoiceObject(ObjectNode spec, HyperParameterInfo info, string path)
    {
        foreach (var extra in new[] { "grid-points", "step" }.Where(k => spec.Get(k) is not null))
            Error(Join(path, extra), $"'{extra}' does not apply to a choice");
        if (spec.Get("choice") is not ArrayNode array)
        {
            Error(Join(path, "choice"), $"expected a list [a, b, ...], got {spec.Get("choice")!.Describe()}");
            return null;
        }
        return ChoiceValues(array, info, Join(path, "choice")) is { } choices ? new ChoiceDomain(info.Name, choices) : null;
    }

    private ImmutableArray<ParamValue>? ChoiceValues(ArrayNode array, HyperParameterInfo info, string path)
    {
        if (array.Items.IsEmpty)
        {
            Error(path, "empty choice list: give at least one value");
            return null;
        }
        var values = array.Items.Select((item, i) => FixedValue(item, info, $"{path}[{i}]")).ToList();
        if (values.Any(v => v is null)) return null;
        var distinct = values.Select(v => v!.Value).ToImmutableArray();
        var duplicate = distinct.GroupBy(v => v).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            Error(path, $"value {duplicate.Key} appears more than once");
            return null;
        }
        return distinct;
    }

    private ParameterDomain? ReadContinuous(ObjectNode spec, string kind, HyperParameterInfo info, string path, SearchMethodKind? method)
    {
        if (spec.Get("step") is not null) Error(Join(path, "step"), "'step' belongs to int-range");
        if (info.Type != ParamType.Real)
        {
            Error(path, info.Type == ParamType.Integer ? $"{info.Name} is an integer: use int-range" : $"{info.Name} takes words: use a choice list");
            return null;
        }
        if (Bounds(spec.Get(kind)!, Join(path, kind)) is not var (lo, hi)) return null;
        var boundsPath = Join(path, kind);
        if (kind == "log-uniform" && (lo <= 0 || hi <= 0))
        {
            Error(boundsPath, $"log-uniform bounds must be > 0, got [{Format(lo)}, {Format(hi)}]");
            return null;
        }
        if (!CheckRange(lo, hi, boundsPath, info)) return null;
        int? gridPoints = spec.Get("grid-points") is null or NullNode ? null : Int(spec, "grid-points", path, 2, 10_000);
        if (spec.Get("grid-points") is ScalarNode && gridPoints is null) return null;
        if (method == SearchMethodKind.Grid && gridPoints is null)
        {
            Error(path, $"a grid search cannot enumerate a continuous {kind} domain: add grid-points = n");
            return null;
        }
        return kind == "uniform" ? new UniformDomain(info.Name, lo, hi, gridPoints) : new LogUniformDomain(info.Name, lo, hi, gridPoints);
    }

    private IntRangeDomain? ReadIntRange(ObjectNode spec, HyperParameterInfo info, string path)
    {
        if (spec.Get("grid-points") is not null) Error(Join(path, "grid-points"), "'grid-points' does not apply to int-range (use step)");
        if (info.Type != ParamType.Integer)
        {
            Error(path, info.Type == ParamType.Real ? $"{info.Name} is real-valued: use uniform or log-uniform" : $"{info.Name} takes words: use a choice list");
            return null;
        }
        var boundsPath = Join(path, "int-range");
        if (Bounds(spec.Get("int-range")!, boundsPath) is not var (lo, hi)) return null;
        if (!IsInteger(lo) || !IsInteger(hi))
        {
            Error(boundsPath, $"int-range bounds must be integers, got [{Format(lo)}, {Format(hi)}]");
            return null;
        }
        if (!CheckRange(lo, hi, boundsPath, info, allowEqual: true)) return null;
        var step = spec.Get("step") is null ? 1 : Int(spec, "step", path, 1, int.MaxValue);
        return step is null ? null : new IntRangeDomain(info.Name, (long)lo, (long)hi, step.Value);
    }

    private (double Lo, double Hi)? Bounds(HoconNode node, string path)
    {
        if (node is ArrayNode { Items.Length: 2 } pair && Number(pair.Items[0]) is { } lo && Number(pair.Items[1]) is { } hi) return (lo, hi);
        Error(path, $"expected two numbers [min, max], got {Show(node)}");
        return null;
    }

    private bool CheckRange(double lo, double hi, string path, HyperParameterInfo info, bool allowEqual = false)
    {
        if (lo > hi) { Error(path, $"min {Format(lo)} > max {Format(hi)}"); return false; }
        if (lo == hi && !allowEqual) { Error(path, $"empty range [{Format(lo)}, {Format(hi)}]: use a fixed value instead"); return false; }
        var problems = new[] { info.Check(ParamValue.Of(lo)), info.Check(ParamValue.Of(hi)) }.OfType<string>().Distinct().ToList();
        foreach (var problem in problems) Error(path, $"{info.Name} {problem}");
        return problems.Count == 0;
    }

    private ParamValue? FixedValue(HoconNode node, HyperParameterInfo info, string path)
    {
        if (node is not ScalarNode scalar)
        {
            Error(path, $"expected a single value, got {node.Describe()}");
            return null;
        }
        var value = info.Type != ParamType.Word && Number(scalar) is { } x ? ParamValue.Of(x) : ParamValue.Of(scalar.Text);
        if (info.Check(value) is { } problem)
        {
            Error(path, $"{info.Name} {problem}");
            return null;
        }
        return value;
    }
}
