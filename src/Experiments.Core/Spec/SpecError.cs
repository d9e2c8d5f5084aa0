using System.Collections.Immutable;

namespace Experiments.Core.Spec;

/// <summary>
/// One problem in a spec file. Syntax problems carry a line and column; value problems carry the
/// key path (<c>sweeps[0].search.space.learning-rate</c>) and, when known, the line of that key.
/// </summary>
public sealed record SpecError(string Source, int? Line, int? Column, string? Path, string Message)
{
    public static SpecError At(string source, int line, int column, string message) => new(source, line, column, null, message);
    public static SpecError AtKey(string source, string path, int? line, string message) => new(source, line, null, path, message);
    public static SpecError InFile(string source, string message) => new(source, null, null, null, message);

    public override string ToString()
    {
        var location = Line is null ? Source : Column is null ? $"{Source}:{Line}" : $"{Source}:{Line}:{Column}";
        return Path is null ? $"{location}: {Message}" : $"{location}: {Path}: {Message}";
    }
}

/// <summary>Either the validated sweeps of a file or every problem found in it; never both.</summary>
public sealed record SpecLoadResult(ImmutableArray<SweepSpec> Sweeps, ImmutableArray<SpecError> Errors)
{
    public bool IsValid => Errors.IsEmpty;
    public static SpecLoadResult Valid(ImmutableArray<SweepSpec> sweeps) => new(sweeps, ImmutableArray<SpecError>.Empty);
    public static SpecLoadResult Invalid(IEnumerable<SpecError> errors) => new(ImmutableArray<SweepSpec>.Empty, errors.ToImmutableArray());
}

/// <summary>
/// What the loader may ask of its host. <see cref="ClassCounts"/> gives the number of samples per
/// label of a dataset (null, or a null answer, skips the folds-versus-smallest-class check);
/// <see cref="FileExists"/> checks IDX paths (defaults to the file system).
/// </summary>
public sealed record SpecContext(
    Func<DatasetSpec, IReadOnlyDictionary<int, int>?>? ClassCounts = null,
    Func<string, bool>? FileExists = null)
{
    public static readonly SpecContext Default = new();
    public bool Exists(string path) => (FileExists ?? File.Exists)(path);
}
