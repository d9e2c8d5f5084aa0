namespace Experiments.Host;

/// <summary>--results must be a folder this process can write: checked before anything is written there.</summary>
public static class ResultsFolder
{
    /// <summary>Null when the folder exists (created if missing) and takes a file, else one sentence naming it.</summary>
    public static string? Problem(string path)
    {
        var full = Path.GetFullPath(path);
        if (File.Exists(full)) return $"--results: {full} is a file; name a folder (it is created if missing)";
        try
        {
            Directory.CreateDirectory(full);
            var probe = Path.Combine(full, $".write-test-{Environment.ProcessId}");
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"--results: cannot write to the folder {full} ({e.Message})";
        }
    }
}
