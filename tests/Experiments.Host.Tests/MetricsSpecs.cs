using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;

namespace Experiments.Host.Tests;

/// <summary>GET /metrics of a real `serve`: the Prometheus text format, the same numbers as the API, behind the token.</summary>
public sealed class MetricsSpecs(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    /// <summary>The value of one series, e.g. <c>experiments_trial_folds_done{sweep="e2e"} 4</c>; null when absent.</summary>
    private static double? Sample(string exposition, string metric, string sweep)
    {
        var match = Regex.Match(exposition, $@"^{metric}\{{sweep=""{Regex.Escape(sweep)}""\}} (\S+)$", RegexOptions.Multiline);
        return match.Success ? double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : null;
    }

    private async Task<string> ScrapeAsync()
    {
        using var response = await fixture.Service.Http.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadAsStringAsync();
    }

    [Fact]
    public async Task Should_show_a_finished_sweeps_trial_folds_and_epochs_as_the_api_and_its_files_do()
    {
        var service = await fixture.ReadyAsync();
        var submitted = await service.Http.PostAsync("/sweeps", new StringContent(SpecFiles.Tiny));
        Assert.Equal(HttpStatusCode.Accepted, submitted.StatusCode);
        await Eventually.Async(async () => (await service.StatusAsync("e2e"))?.GetProperty("state").GetString() == "completed",
            TimeSpan.FromMinutes(5), () => $"the sweep never completed:\n{service.Output}");

        var status = (await service.StatusAsync("e2e"))!.Value;
        var metrics = await ScrapeAsync();
        var (trialFolds, done, running, failed) = (status.GetProperty("trialFolds").GetInt32(), status.GetProperty("done").GetInt32(),
            status.GetProperty("running").GetInt32(), status.GetProperty("failed").GetInt32());
        Assert.Equal(4, trialFolds);
        Assert.Equal(done, Sample(metrics, "experiments_trial_folds_done", "e2e"));
        Assert.Equal(running, Sample(metrics, "experiments_trial_folds_running", "e2e"));
        Assert.Equal(failed, Sample(metrics, "experiments_trial_folds_failed", "e2e"));
        Assert.Equal(trialFolds - done - running, Sample(metrics, "experiments_trial_folds_queued", "e2e"));
        Assert.Contains("# TYPE experiments_epochs_total counter", metrics);

        // One row per journalled epoch in every trial-fold's metrics.csv (the final retrain's too).
        var epochRows = Directory.GetFiles(Path.Combine(fixture.Results, "e2e", "trials"), "metrics.csv", SearchOption.AllDirectories)
            .Sum(file => File.ReadAllLines(file).Skip(1).Count(line => line.Length > 0));
        Assert.True(epochRows >= 8, $"only {epochRows} epochs in the trial files");
        Assert.Equal(epochRows, Sample(metrics, "experiments_epochs_total", "e2e"));
    }

    [Fact]
    public async Task Should_require_the_bearer_token_for_metrics_when_one_is_set()
    {
        using var dir = new TempDir();
        using var service = ServiceProcess.StartWithToken(dir.File("results"), "s3cret");
        await Eventually.Async(async () =>
        {
            if (service.HasExited) throw new InvalidOperationException($"the service exited:\n{service.Output}");
            try { return (await service.Http.GetAsync("/health")).StatusCode == HttpStatusCode.Unauthorized; }
            catch (HttpRequestException) { return false; }
        }, TimeSpan.FromMinutes(2), () => "the service never answered");

        using var refused = await service.Http.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.DoesNotContain("experiments_", await refused.Content.ReadAsStringAsync());

        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "s3cret");
        using var served = await service.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.Contains("# TYPE experiments_trial_folds_running gauge", await served.Content.ReadAsStringAsync());
        Assert.Equal(0, await service.TerminateAsync());
    }
}
