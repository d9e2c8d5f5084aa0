using System.Diagnostics;

namespace Experiments.Host.Tests;

/// <summary>A spec file or an included file that is a FIFO is refused, never opened (opening one blocks).</summary>
public sealed class SpecFileKindSpecs : IDisposable
{
    private static readonly TimeSpan BlockedOpen = TimeSpan.FromSeconds(60);
    private readonly TempDir _dir = new();

    private async Task<string> Fifo(string name)
    {
        var fifo = _dir.File(name);
        using (var mkfifo = Process.Start("mkfifo", [fifo])!) await mkfifo.WaitForExitAsync();
        return fifo;
    }

    private static async Task<(int ExitCode, string Output)> ValidateWithoutBlocking(string file, string fifo)
    {
        var validating = Task.Run(() =>
        {
            using var output = new StringWriter();
            var exitCode = Commands.Validate(file, output);
            return (exitCode, output.ToString());
        });
        if (await Task.WhenAny(validating, Task.Delay(BlockedOpen)) != validating)
        {
            await using (new FileStream(fifo, FileMode.Open, FileAccess.Write)) { } // unblock the reader
            Assert.Fail($"validate blocked on {fifo}");
        }
        return await validating;
    }

    [Fact]
    public async Task Should_refuse_a_spec_file_that_is_a_fifo_without_blocking()
    {
        var fifo = await Fifo("sweeps.hocon");

        var (exitCode, output) = await ValidateWithoutBlocking(fifo, fifo);

        Assert.Equal(ExitCodes.InvalidInput, exitCode);
        Assert.Equal($"{fifo}: a FIFO (named pipe), not a regular file", output.Trim());
    }

    [Fact]
    public async Task Should_refuse_an_included_file_that_is_a_fifo_without_blocking()
    {
        var fifo = await Fifo("base.conf");
        var spec = _dir.Write("sweeps.hocon", "include \"base.conf\"\nexperiments.sweeps = [{ name = a, model = cnn }]\n");

        var (exitCode, output) = await ValidateWithoutBlocking(spec, fifo);

        Assert.Equal(ExitCodes.InvalidInput, exitCode);
        Assert.Contains($"{spec}:1:", output);
        Assert.Contains($"include \"base.conf\": {fifo} is a FIFO (named pipe), not a regular file", output);
    }

    public void Dispose() => _dir.Dispose();
}
