using System.Text.Json;

namespace Experiments.Host.Tests;

/// <summary>The client verbs (submit, status, cancel, logs) as real processes against a real `serve`.</summary>
public sealed class ClientCommandsSpecs : IClassFixture<ServiceFixture>
{
    private readonly ServiceFixture _service;

    public ClientCommandsSpecs(ServiceFixture service) => _service = service;

    private string Url => _service.Service.Http.BaseAddress!.ToString();

    private static async Task<(int ExitCode, string Output)> Client(params string[] arguments)
    {
        using var client = ServiceProcess.StartProgram(0, arguments);
        var exitCode = await client.WaitForExitAsync();
        return (exitCode, client.Output);
    }

    [Fact]
    public async Task Should_submit_a_file_follow_its_status_to_the_end_and_print_its_logs()
    {
        await _service.ReadyAsync();
        using var dir = new TempDir();
        var spec = dir.Write("tiny.hocon", SpecFiles.Tiny);

        var (submitted, submitOutput) = await Client("submit", spec, "--url", Url);
        Assert.Equal(0, submitted);
        Assert.Contains("accepted: e2e", submitOutput);

        await Eventually.Async(async () => (await _service.Service.StatusAsync("e2e"))?.GetProperty("state").GetString() == "completed",
            TimeSpan.FromMinutes(5), () => "the sweep never completed");

        var (listed, list) = await Client("status", "--url", Url);
        Assert.Equal(0, listed);
        Assert.Contains("| e2e | completed | 4/4 | 0 |", list);

        var (shown, one) = await Client("status", "e2e", "--url", Url);
        Assert.Equal(0, shown);
        Assert.Contains("e2e: completed, 4/4 trial-folds done, 0 running", one);
        Assert.Matches(@"  1\. config \d: \d\.\d+ \(2 completed\)", one);
        Assert.Contains($"  trial-0-fold-0: completed on {Environment.MachineName}, 2 epochs", one); // without a cluster: this machine
        Assert.Matches($@"  trial-\d-final: completed on {System.Text.RegularExpressions.Regex.Escape(Environment.MachineName)}, 2 epochs", one); // the final retrain

        var (logged, logs) = await Client("logs", "e2e", "--url", Url);
        Assert.Equal(0, logged);
        Assert.Matches(@"\d\d:\d\d:\d\d INF Trial \d fold \d epoch 2 val-loss", logs);
        Assert.Contains("Sweep e2e completed", logs);
    }

    [Fact]
    public async Task Should_say_when_a_sweep_is_unknown()
    {
        await _service.ReadyAsync();
        var (exitCode, output) = await Client("cancel", "no-such-sweep", "--url", Url);
        Assert.Equal(1, exitCode);
        Assert.Contains("404 no sweep named 'no-such-sweep'", output);
    }

    [Fact]
    public async Task Should_print_every_error_of_an_invalid_file_and_exit_2()
    {
        await _service.ReadyAsync();
        using var dir = new TempDir();
        var spec = dir.Write("bad.hocon", SpecFiles.Misspelt);
        var (exitCode, output) = await Client("submit", spec, "--url", Url);
        Assert.Equal(2, exitCode);
        Assert.Contains("retires", output);
    }

    [Fact]
    public async Task Should_say_in_one_sentence_when_no_service_answers()
    {
        var url = $"http://127.0.0.1:{ServiceProcess.FreePort()}";
        var (exitCode, output) = await Client("status", "--url", url);
        Assert.Equal(3, exitCode);
        Assert.Equal($"No Experiments service answers at {url}/: start one with `experiments serve`, or pass --url", output.Trim());
    }
}
