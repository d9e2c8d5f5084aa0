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

/// <summary>
/// Something in a spec file that is valid but probably not what its author meant: reported with
/// its location like an error, printed by validate and run, and never failing them.
/// </summary>
public sealed record SpecWarning(string Source, int? Line, string? Path, string Message)
{
    public override string ToString()
    {
        var location = Line is null ? Source : $"{Source}:{Line}";
        return Path is null ? $"{location}: warning: {Message}" : $"{location}: {Path}: warning: {Message}";
    }
}

/// <summary>
/// Either the validated sweeps of a file or every problem found in it; never both. Warnings may
/// come with either.
/// </summary>
public sealed record SpecLoadResult(ImmutableArray<SweepSpec> Sweeps, ImmutableArray<SpecError> Errors)
{
    public bool IsValid => Errors.IsEmpty;
    public ImmutableArray<SpecWarning> Warnings { get; init; } = ImmutableArray<SpecWarning>.Empty;
    public static SpecLoadResult Valid(ImmutableArray<SweepSpec> sweeps) => new(sweeps, ImmutableArray<SpecError>.Empty);
    public static SpecLoadResult Invalid(IEnumerable<SpecError> errors) => new(ImmutableArray<SweepSpec>.Empty, errors.ToImmutableArray());
}

/// <summary>
/// What the loader may ask of its host. <see cref="ClassCounts"/> gives the number of samples per
/// label of a dataset (null, or a null answer, skips the folds-versus-smallest-class check);
/// <see cref="FileExists"/> checks IDX paths (defaults to the file system); <see cref="Cores"/> is
/// the number of cores trials will share (defaults to this machine's); <see cref="Models"/> are
/// the models sweeps may name (Experiments.Training registers them).
/// </summary>
public sealed record SpecContext(
    Func<DatasetSpec, IReadOnlyDictionary<int, int>?>? ClassCounts = null,
    Func<string, bool>? FileExists = null)
{
    public static readonly SpecContext Default = new();
    public int Cores { get; init; } = Environment.ProcessorCount;
    public ModelRegistry Models { get; init; } = ModelRegistry.Empty;
    public bool Exists(string path) => (FileExists ?? File.Exists)(path);
}
