using System.Text.Json;
using Serilog;

namespace Experiments.Host.Tests;

/// <summary>`run` over a conditional space: an absent parameter is absent from every result file (issue #11).</summary>
public sealed class ConditionalRunSpecs : IDisposable
{
    private const string Conditional = """
        experiments.sweeps = [{
          name = cond
          model = cnn
          dataset = { name = mnist-default, limit = 600 }
          search { method = grid, space {
            optimizer = [adam, sgd]
            momentum { choice = [0.9], when { optimizer = sgd } }
            dense-layers = [1, 2]
            hidden-2 { choice = [8], when { dense-layers = 2 } }
          } }
          cross-validation { folds = 2, stratified = on, seed = 5, test-fraction = 0.2 }
          training { max-epochs = 1, steps-per-epoch = 3, batch-size = 32, hidden = 16 }
          resources { max-concurrent-trials = 2, threads-per-trial = 1 }
        }]
        """;

    private readonly TempDir _dir = new();

    private string Results => _dir.File("results");
    private string SweepFile(params string[] path) => Path.Combine([Results, "cond", .. path]);

    [Fact]
    public async Task Should_leave_an_absent_parameter_out_of_params_json_and_empty_in_the_leaderboard()
    {
        var spec = _dir.Write("cond.hocon", Conditional);
        Logging.Configure(Results);
        int exitCode;
        try
        {
            using var output = new StringWriter();
            exitCode = await Commands.RunAsync(spec, Results, output, CancellationToken.None);
        }
        finally
        {
            await Log.CloseAndFlushAsync();
        }

        Assert.Equal(ExitCodes.Success, exitCode);
        var csv = File.ReadAllLines(SweepFile("leaderboard.csv"));
        Assert.Equal(5, csv.Length); // header + 4 configs: adam/sgd × 1 layer / 2 layers, no duplicates
        var header = csv[0].Split(',');
        var rows = csv.Skip(1).Select(l => l.Split(',')).ToList();
        string Cell(string[] row, string column) => row[Array.IndexOf(header, column)];
        Assert.All(rows, r => Assert.Equal(Cell(r, "optimizer") == "sgd" ? "0.9" : "", Cell(r, "momentum")));
        Assert.All(rows, r => Assert.Equal(Cell(r, "dense-layers") == "2" ? "8" : "", Cell(r, "hidden-2")));

        // Config 0 is adam with one dense layer: neither momentum nor hidden-2, not even as a default.
        using var parameters = JsonDocument.Parse(File.ReadAllText(SweepFile("trials", "trial-0-fold-0", "params.json")));
        var names = parameters.RootElement.GetProperty("parameters").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains("optimizer", names);
        Assert.DoesNotContain("momentum", names);
        Assert.DoesNotContain("hidden-2", names);
        Assert.Contains("\"when\"", File.ReadAllText(SweepFile("spec.json")));
    }

    public void Dispose() => _dir.Dispose();
}
