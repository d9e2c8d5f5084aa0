using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Experiments.Host.Tests.Dashboard;

/// <summary>
/// One real `serve` with a tiny three-config sweep run to its end, and one headless chromium,
/// shared by the browser specs of a class.
/// </summary>
public sealed class DashboardFixture : IAsyncLifetime
{
    public const string Sweep = "dash";

    /// <summary>Three configs × two folds, two short epochs each; one parameter varies, the others are fixed.</summary>
    public const string Spec = """
        experiments.sweeps = [{
          name = dash
          model = cnn
          dataset = { name = mnist-default, limit = 600 }
          search { method = grid, space { learning-rate = [0.001, 0.003, 0.01], hidden = [16] } }
          cross-validation { folds = 2, stratified = on, seed = 5, test-fraction = 0.2 }
          training { max-epochs = 2, steps-per-epoch = 3, batch-size = 32 }
          resources { max-concurrent-trials = 2, threads-per-trial = 1 }
          retries = 1
        }]
        """;

    private readonly ServiceFixture _service = new();
    private Browser? _browser;

    public ServiceProcess Service => _service.Service;
    public string Results => _service.Results;
    public Browser Browser => _browser ?? throw new InvalidOperationException("not started");

    public Uri Page(string path) => new(Service.Http.BaseAddress!, "/dashboard/" + path);

    public async Task InitializeAsync()
    {
        var service = await _service.ReadyAsync();
        var submitted = await service.Http.PostAsync("/sweeps", new StringContent(Spec));
        Assert.Equal(HttpStatusCode.Accepted, submitted.StatusCode);
        await Eventually.Async(async () => (await service.StatusAsync(Sweep))?.GetProperty("state").GetString() == "completed",
            TimeSpan.FromMinutes(10), () => $"the sweep never completed:\n{service.Output}");
        _browser = new Browser();
    }

    /// <summary>The JSON the pages read, straight from the API.</summary>
    public async Task<JsonElement> GetAsync(string path) => await Service.Http.GetFromJsonAsync<JsonElement>(path);

    public Task DisposeAsync()
    {
        _browser?.Dispose();
        _service.Dispose();
        return Task.CompletedTask;
    }
}
