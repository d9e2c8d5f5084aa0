namespace Experiments.Tests;

/// <summary>A scratch folder deleted after the test; one definition linked into every test project.</summary>
public sealed class TempDir : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("experiments-test-").FullName;

    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Writes TEXT to NAME (folders in it made as needed) and returns the full path.</summary>
    public string Write(string name, string text)
    {
        var path = File(name);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        System.IO.File.WriteAllText(path, text);
        return path;
    }

    /// <summary>Empties the folder, for a second run in the same test.</summary>
    public void Clear()
    {
        foreach (var entry in new DirectoryInfo(Path).EnumerateFileSystemInfos())
            if (entry is DirectoryInfo directory) directory.Delete(recursive: true);
            else entry.Delete();
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
