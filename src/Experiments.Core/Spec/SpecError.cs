using System.Collections.Immutable;

namespace Experiments.Core.Spec;

/// <summary>
/// One problem in a spec file. Syntax problems carry a line and column; value problems carry the
/// key path (<c>sweeps[0].search.space.learning-rate</c>) and, when known, the line of that key.
/// </summary>
public sealed record SpecError(string Source, int? Line, int? Column, string? Path, string Message)
{
    /// <summary>A warning is printed like an error but fails nothing.</summary>
    public bool IsWarning { get; init; }

    public static SpecError At(string source, int line, int column, string message) => new(source, line, column, null, message);
    public static SpecError AtKey(string source, string path, int? line, string message) => new(source, line, null, path, message);
    public static SpecError InFile(string source, string message) => new(source, null, null, null, message);

    public override string ToString()
    {
        var location = Line is null ? Source : Column is null ? $"{Source}:{Line}" : $"{Source}:{Line}:{Column}";
        var message = IsWarning ? "warning: " + Message : Message;
        return Path is null ? $"{location}: {message}" : $"{location}: {Path}: {message}";
    }
}

/// <summary>
/// Either the validated sweeps of a file or every problem found in it, never both; and, either way,
/// the warnings (things the user should know that do not stop a run).
/// </summary>
public sealed record SpecLoadResult(ImmutableArray<SweepSpec> Sweeps, ImmutableArray<SpecError> Errors)
{
    public ImmutableArray<SpecError> Warnings { get; init; } = ImmutableArray<SpecError>.Empty;
    public bool IsValid => Errors.IsEmpty;
    public static SpecLoadResult Valid(ImmutableArray<SweepSpec> sweeps) => new(sweeps, ImmutableArray<SpecError>.Empty);
    public static SpecLoadResult Invalid(IEnumerable<SpecError> errors) => new(ImmutableArray<SweepSpec>.Empty, errors.ToImmutableArray());
}

/// <summary>
/// What the loader may ask of its host. <see cref="Dataset"/> summarizes a dataset's files: a
/// problem with them, or its samples per class (null, or a null answer, skips the dataset checks);
/// <see cref="FileExists"/> checks IDX paths (defaults to the file system); <see cref="Cores"/> is
/// the number of cores trials will share (defaults to this machine's); <see cref="Models"/> are
/// the models sweeps may name (Experiments.Training registers them).
/// </summary>
public sealed record SpecContext(
    Func<DatasetSpec, DatasetSummary?>? Dataset = null,
    Func<string, bool>? FileExists = null)
{
    public static readonly SpecContext Default = new();
    public int Cores { get; init; } = Environment.ProcessorCount;
    public ModelRegistry Models { get; init; } = ModelRegistry.Empty;
    public bool Exists(string path) => (FileExists ?? File.Exists)(path);

    /// <summary>
    /// What a path is when it is not a regular file (e.g. "a FIFO (named pipe)"), asked before a spec
    /// or an include is opened: opening a FIFO blocks. The host knows how to tell; without it only
    /// directories are caught.
    /// </summary>
    public Func<string, string?>? FileKind { get; init; }

    public string? NotRegular(string path) => FileKind is { } ask ? ask(path) : Directory.Exists(path) ? "a directory" : null;
}
