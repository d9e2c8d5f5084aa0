using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Experiments.Host.Tests;

/// <summary>A service or run that cannot start says why in one sentence naming the culprit: no stack trace.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class StartupFailureSpecs : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly List<string> _immutable = [];

    private static void AssertOneSentence(string output, string naming)
    {
        Assert.Contains(naming, output);
        Assert.DoesNotContain("   at ", output);
        Assert.DoesNotContain("Exception", output);
    }

    private async Task<(int ExitCode, string Output)> RunVerbAsync(string verb, string results) =>
        verb == "run"
            ? await RunProgramAsync("run", _dir.Write("tiny.hocon", SpecFiles.Tiny), "--results", results)
            : await RunProgramAsync("serve", "--results", results, "--urls", $"http://127.0.0.1:{ServiceProcess.FreePort()}");

    private static async Task<(int ExitCode, string Output)> RunProgramAsync(params string[] arguments)
    {
        using var program = ServiceProcess.StartProgram(ServiceProcess.FreePort(), arguments);
        var exitCode = await program.WaitForExitAsync();
        return (exitCode, program.Output);
    }

    [Theory]
    [InlineData("run")]
    [InlineData("serve")]
    public async Task Should_refuse_results_naming_a_regular_file_in_one_sentence(string verb)
    {
        var file = _dir.Write("not-a-folder", "x");
        var (exitCode, output) = await RunVerbAsync(verb, file);
        Assert.Equal(ExitCodes.InvalidInput, exitCode);
        AssertOneSentence(output, file);
    }

    [Theory]
    [InlineData("run")]
    [InlineData("serve")]
    public async Task Should_refuse_results_in_a_folder_that_cannot_be_written_in_one_sentence(string verb)
    {
        var folder = _dir.File("read-only");
        Directory.CreateDirectory(folder);
        MakeUnwritable(folder);
        var (exitCode, output) = await RunVerbAsync(verb, folder);
        Assert.Equal(ExitCodes.InvalidInput, exitCode);
        AssertOneSentence(output, folder);
    }

    [Fact]
    public async Task Should_say_in_one_sentence_that_the_port_is_taken()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        using var service = ServiceProcess.Start(_dir.File("results"), port);
        var exitCode = await service.WaitForExitAsync();
        Assert.NotEqual(0, exitCode);
        AssertOneSentence(service.Output, $"127.0.0.1:{port}");
    }

    [Theory]
    [InlineData("http://127.0.0.1:{0}/;http://0.0.0.0:{1}", "http://0.0.0.0:{1}")]
    [InlineData("http://localhost:{0};http://[::]:{1}", "http://[::]:{1}")]
    public async Task Should_refuse_every_address_beyond_loopback_without_a_token(string urls, string culprit)
    {
        var (first, second) = (ServiceProcess.FreePort(), ServiceProcess.FreePort());
        using var service = ServiceProcess.Start(_dir.File("results"), first, string.Format(urls, first, second));
        var exitCode = await service.WaitForExitAsync();
        Assert.Equal(ExitCodes.InvalidInput, exitCode);
        AssertOneSentence(service.Output, string.Format(culprit, first, second));
    }

    [Fact]
    public async Task Should_keep_serving_when_the_inbox_folder_cannot_be_used_and_take_files_once_it_can()
    {
        var results = _dir.File("results");
        Directory.CreateDirectory(results);
        var inbox = Path.Combine(results, "inbox");
        File.WriteAllText(inbox, "a file where the inbox folder should be");
        using var service = ServiceProcess.Start(results);
        await service.WaitHealthyAsync();
        await Eventually.Async(() => Task.FromResult(service.Output.Contains(inbox)), TimeSpan.FromMinutes(1),
            () => $"the inbox problem was not reported:\n{service.Output}");
        Assert.False(service.HasExited, $"the service stopped:\n{service.Output}");
        Assert.Equal(HttpStatusCode.OK, (await service.Http.GetAsync("/health")).StatusCode);

        File.Delete(inbox);
        await Eventually.Async(() => Task.FromResult(Directory.Exists(inbox)), TimeSpan.FromMinutes(1), () => "the inbox was not created");
        File.WriteAllText(Path.Combine(inbox, "late.hocon"), "experiments.sweeps = [{ name = broken\n");
        await Eventually.Async(() => Task.FromResult(Directory.Exists(Path.Combine(inbox, "rejected"))
                && Directory.GetFiles(Path.Combine(inbox, "rejected")).Any(f => f.EndsWith("late.hocon.errors.txt"))),
            TimeSpan.FromMinutes(1), () => $"late.hocon was not taken:\n{service.Output}");
        Assert.Equal(0, await service.TerminateAsync());
    }

    /// <summary>Read-only for its owner; root ignores permissions, so it is also made immutable.</summary>
    private void MakeUnwritable(string folder)
    {
        File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        if (Environment.UserName != "root") return;
        using var chattr = Process.Start("chattr", ["+i", folder])!;
        chattr.WaitForExit();
        Assert.Equal(0, chattr.ExitCode);
        _immutable.Add(folder);
    }

    public void Dispose()
    {
        foreach (var folder in _immutable)
            using (var chattr = Process.Start("chattr", ["-i", folder])!) chattr.WaitForExit();
        foreach (var folder in _immutable) File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        _dir.Dispose();
    }
}
