using System.Diagnostics;

namespace Experiments.Host.Tests;

public sealed class ValidateCommandSpecs : IDisposable
{
    private readonly TempDir _dir = new();

    private static (int ExitCode, string Output) Validate(string file)
    {
        using var output = new StringWriter();
        var exitCode = Commands.Validate(file, output);
        return (exitCode, output.ToString());
    }

    [Fact]
    public void Should_print_each_sweeps_size_and_exit_zero_for_a_valid_file()
    {
        var (exitCode, output) = Validate(_dir.Write("tiny.hocon", SpecFiles.Tiny));

        Assert.Equal(ExitCodes.Success, exitCode);
        Assert.Contains("e2e: 2 configs × 2 folds, worst case 10 epochs", output);
    }

    [Fact]
    public void Should_print_the_located_error_and_exit_two_for_an_invalid_file()
    {
        var file = _dir.Write("misspelt.hocon", SpecFiles.Misspelt);

        var (exitCode, output) = Validate(file);

        Assert.Equal(ExitCodes.InvalidInput, exitCode);
        Assert.Contains($"{file}:5: sweeps[0].retires: unknown key 'retires' (did you mean 'retries'?)", output);
    }

    [Fact]
    public void Should_print_a_warning_with_its_line_and_still_exit_zero()
    {
        var file = _dir.Write("threads.hocon", "experiments.sweeps = [{\n  name = a, model = cnn\n  resources.threads-per-trial = 1024\n}]\n");

        var (exitCode, output) = Validate(file);

        Assert.Equal(ExitCodes.Success, exitCode);
        Assert.Contains("a: 1 config × 5 folds", output);
        Assert.Contains($"{file}:3: sweeps[0].resources.threads-per-trial: warning: 1024 threads per trial but this machine has", output);
    }

    [Fact]
    public void Should_validate_a_sweep_that_includes_a_shared_base_beside_it()
    {
        _dir.Write("base.conf", "base { model = cnn, training.max-epochs = 2, cross-validation.folds = 2 }\n");
        var file = _dir.Write("shared.hocon", "include \"base.conf\"\nexperiments.sweeps = [${base} { name = a }, ${base} { name = b }]\n");

        var (exitCode, output) = Validate(file);

        Assert.Equal(ExitCodes.Success, exitCode);
        Assert.Contains("a: 1 config × 2 folds, worst case 6 epochs", output);
        Assert.Contains("b: 1 config × 2 folds, worst case 6 epochs", output);
    }

    [Fact]
    public void Should_name_a_missing_file_and_exit_two()
    {
        var missing = _dir.File("nowhere.hocon");

        var (exitCode, output) = Validate(missing);

        Assert.Equal(ExitCodes.InvalidInput, exitCode);
        Assert.Contains($"{missing}: file not found", output);
    }

    [Fact]
    public async Task Should_exit_two_with_the_located_error_when_the_built_program_validates_an_invalid_file()
    {
        var file = _dir.Write("misspelt.hocon", SpecFiles.Misspelt);
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(BuiltProgram());
        start.ArgumentList.Add("validate");
        start.ArgumentList.Add(file);

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.True(process.ExitCode == ExitCodes.InvalidInput, $"exit code {process.ExitCode}; stderr: {await stderr}");
        Assert.Contains($"{file}:5: sweeps[0].retires: unknown key", await stdout);
    }

    /// <summary>experiments.dll as built for this configuration, next to its runtimeconfig.json.</summary>
    private static string BuiltProgram()
    {
        var dll = typeof(Commands).Assembly.Location;
        Assert.True(File.Exists(Path.ChangeExtension(dll, ".runtimeconfig.json")), $"no runtimeconfig beside {dll}");
        return dll;
    }

    public void Dispose() => _dir.Dispose();
}
