using System.Globalization;
using System.Text.Json;
using Experiments.Core.Trials;
using OpenQA.Selenium;

namespace Experiments.Host.Tests.Dashboard;

/// <summary>
/// The dashboard in a real browser against a real `serve` whose tiny sweep has ended: each page
/// shows what the API (the journalled state) and the trial files say, in the same 4-digit rounding.
/// </summary>
public sealed partial class DashboardPageSpecs(DashboardFixture fixture) : IClassFixture<DashboardFixture>
{
    private Browser Browser => fixture.Browser;
    private const string Sweep = DashboardFixture.Sweep;

    private IReadOnlyList<IWebElement> Rows(string table) => Browser.Driver.FindElements(By.CssSelector($"table#{table} tbody tr"));

    private IReadOnlyList<IWebElement> LeaderboardRows(int count) =>
        Browser.Until(d => Rows("leaderboard") is { } rows && rows.Count == count ? rows : null, $"a leaderboard of {count} rows");

    private static string Cell(IWebElement row, string key) => row.FindElement(By.CssSelector($"td[data-key='{key}']")).Text;

    private int[] ConfigOrder() => Rows("leaderboard").Select(r => int.Parse(r.GetAttribute("data-config")!, CultureInfo.InvariantCulture)).ToArray();

    [Fact]
    public async Task Should_list_every_sweep_with_its_state_and_trial_folds_done()
    {
        var listed = (await fixture.GetAsync("/sweeps")).EnumerateArray().Single(s => s.GetProperty("name").GetString() == Sweep);

        Browser.Open(fixture.Page(""));
        var row = Browser.Until(d => d.FindElement(By.CssSelector($"table#sweeps tr[data-sweep='{Sweep}']")), "the sweep's row");

        Assert.Equal("completed", row.FindElement(By.CssSelector(".state")).Text);
        Assert.Equal($"{listed.GetProperty("done").GetInt32()}/{listed.GetProperty("trialFolds").GetInt32()}", row.FindElement(By.CssSelector(".done")).Text);
        Assert.Equal("6/6", row.FindElement(By.CssSelector(".done")).Text);
        // Drawn despite the strict Content-Security-Policy (no style attributes): the bar is full.
        Assert.Equal("100%", ((IJavaScriptExecutor)Browser.Driver).ExecuteScript("return arguments[0].style.width", row.FindElement(By.CssSelector(".progress > div"))));
        Browser.Screenshot("sweeps");
    }

    [Fact]
    public async Task Should_show_the_leaderboard_as_the_api_ranks_it_with_only_the_varying_parameter_and_4_digits()
    {
        var board = (await fixture.GetAsync($"/sweeps/{Sweep}")).GetProperty("leaderboard").EnumerateArray().ToList();

        Browser.Open(fixture.Page($"sweeps/{Sweep}"));
        var rows = LeaderboardRows(board.Count);

        var headers = Browser.Driver.FindElements(By.CssSelector("table#leaderboard th")).Select(h => h.Text).ToList();
        Assert.Equal(["rank", "config", "learning-rate", "mean val-loss", "sd", "folds", "epochs", "state"], headers);
        Assert.Equal(3, rows.Count);
        foreach (var (row, expected) in rows.Zip(board))
        {
            Assert.Equal(expected.GetProperty("config").GetInt32().ToString(CultureInfo.InvariantCulture), row.GetAttribute("data-config"));
            Assert.Equal(expected.GetProperty("rank").GetInt32().ToString(CultureInfo.InvariantCulture), Cell(row, "rank"));
            Assert.Equal(Readable.Number(expected.GetProperty("mean").GetDouble()), Cell(row, "mean"));
            Assert.Equal(Readable.Number(expected.GetProperty("sd").GetDouble()), Cell(row, "sd"));
            Assert.Equal(Readable.Number(expected.GetProperty("parameters").GetProperty("learning-rate").GetDouble()), Cell(row, "param:learning-rate"));
            Assert.Equal("2/2", Cell(row, "folds"));
        }
        Assert.Contains("best", rows[0].GetAttribute("class"));
        // Everything the page needs is the program's own and allowed by its policy: nothing refused, nothing failed.
        Assert.Empty(Browser.ConsoleErrors());
        var shot = Browser.Screenshot("dashboard");
        Assert.True(new FileInfo(shot).Length > 10_000, $"{shot} is nearly empty");
    }

    [Fact]
    public async Task Should_sort_the_leaderboard_by_the_column_header_clicked_and_reverse_on_a_second_click()
    {
        var board = (await fixture.GetAsync($"/sweeps/{Sweep}")).GetProperty("leaderboard").EnumerateArray().ToList();
        int[] By_(Func<JsonElement, double> key) => board.OrderBy(key).Select(r => r.GetProperty("config").GetInt32()).ToArray();
        var byRate = By_(r => r.GetProperty("parameters").GetProperty("learning-rate").GetDouble());
        var bySd = By_(r => r.GetProperty("sd").GetDouble());

        Browser.Open(fixture.Page($"sweeps/{Sweep}"));
        LeaderboardRows(3);
        Assert.Equal(board.Select(r => r.GetProperty("config").GetInt32()).ToArray(), ConfigOrder());

        Header("param:learning-rate").Click();
        Assert.Equal(byRate, Browser.Until(_ => ConfigOrder() is var o && o.SequenceEqual(byRate) ? o : null, "rows by learning rate, ascending"));
        Assert.Equal("ascending", Header("param:learning-rate").GetAttribute("aria-sort"));

        Header("param:learning-rate").Click();
        var descending = byRate.Reverse().ToArray();
        Assert.Equal(descending, Browser.Until(_ => ConfigOrder() is var o && o.SequenceEqual(descending) ? o : null, "rows by learning rate, descending"));

        Header("sd").Click();
        Assert.Equal(bySd, Browser.Until(_ => ConfigOrder() is var o && o.SequenceEqual(bySd) ? o : null, "rows by sd, ascending"));
        // The sort survives the page's own refreshes (it polls while anything runs; it re-renders on load).
        Assert.Equal(bySd, ConfigOrder());

        IWebElement Header(string key) => Browser.Driver.FindElement(By.CssSelector($"table#leaderboard th[data-key='{key}']"));
    }

    [Fact]
    public async Task Should_draw_a_learning_curve_per_config_with_the_leader_highlighted_and_parallel_coordinates()
    {
        var view = await fixture.GetAsync($"/sweeps/{Sweep}/trials");
        var best = view.GetProperty("leaderboard")[0].GetProperty("config").GetInt32();

        Browser.Open(fixture.Page($"sweeps/{Sweep}"));
        var curves = Browser.Until(d => d.FindElements(By.CssSelector("#curves polyline.curve")) is { Count: 3 } c ? c : null, "three curves");

        foreach (var curve in view.GetProperty("curves").EnumerateArray())
        {
            var config = curve.GetProperty("config").GetInt32();
            var line = curves.Single(c => c.GetAttribute("data-series") == $"config-{config}");
            Assert.Equal(curve.GetProperty("points").GetArrayLength(), line.GetAttribute("points")!.Split(' ').Length);
            Assert.Equal(config == best, line.GetAttribute("class")!.Contains("best"));
        }
        Assert.Equal(2, view.GetProperty("curves")[0].GetProperty("points").GetArrayLength());
        var axes = Browser.Driver.FindElements(By.CssSelector("#parallel .axis text[font-weight='600']")).Select(t => t.Text).ToList();
        Assert.Equal(["learning-rate", "val-loss"], axes);
        Assert.Equal(3, Browser.Driver.FindElements(By.CssSelector("#parallel polyline.pc-line")).Count);
        Browser.Screenshot("sweep-charts");
    }

    [Fact]
    public async Task Should_show_a_trial_folds_metrics_as_its_metrics_csv_has_them_and_its_log_lines()
    {
        const string trial = "trial-0-fold-0";
        var csv = File.ReadAllLines(Path.Combine(fixture.Results, Sweep, "trials", trial, "metrics.csv")).Where(l => l.Length > 0).ToList();
        var columns = csv[0].Split(',');
        var valLoss = Array.IndexOf(columns, "val-loss");

        Browser.Open(fixture.Page($"sweeps/{Sweep}/trials/{trial}"));
        var rows = Browser.Until(_ => Rows("metrics") is { Count: > 0 } r ? r : null, "the metrics table");

        Assert.Equal(csv.Count - 1, rows.Count);
        foreach (var (row, line) in rows.Zip(csv.Skip(1)))
        {
            var fields = line.Split(',');
            Assert.Equal(fields[0], row.GetAttribute("data-epoch"));
            Assert.Equal(Readable.Number(double.Parse(fields[valLoss], CultureInfo.InvariantCulture)), row.FindElement(By.CssSelector("td[data-metric='val-loss']")).Text);
        }
        Assert.Equal(3, Browser.Driver.FindElements(By.CssSelector(".metric-chart polyline.curve")).Count);
        var log = Browser.Until(d => d.FindElements(By.CssSelector("#log .log-line")) is { Count: > 0 } l ? l : null, "log lines").Select(l => l.Text).ToList();
        Assert.Contains(log, l => l.Contains("Trial 0 fold 0 epoch 1"));
        Assert.Contains(log, l => l.Contains("Trial 0 fold 0 completed"));
        Assert.DoesNotContain(log, l => l.Contains("fold 1"));
        Browser.Screenshot("trial");
    }

    [Fact]
    public async Task Should_show_the_node_each_trial_fold_ended_on_as_the_journal_has_it()
    {
        var view = await fixture.GetAsync($"/sweeps/{Sweep}/trials");
        var nodes = view.GetProperty("trials").EnumerateArray().ToDictionary(t => t.GetProperty("name").GetString()!, t => t.GetProperty("node").GetString());

        Browser.Open(fixture.Page($"sweeps/{Sweep}"));
        var rows = Browser.Until(_ => Rows("trials") is { } r && r.Count == nodes.Count ? r : null, "a row per trial-fold");

        Assert.All(nodes.Values, node => Assert.Equal(Environment.MachineName, node)); // a serve without a cluster: this machine
        foreach (var row in rows) Assert.Equal(nodes[row.GetAttribute("data-trial")!], Cell(row, "node"));
    }

    [Fact]
    public void Should_round_in_the_browser_exactly_as_Readable_does()
    {
        Browser.Open(fixture.Page(""));
        Browser.Until(d => ((IJavaScriptExecutor)d).ExecuteScript("return typeof Readable === 'object'") is true, "the page's scripts");
        double[] values = [0.10820052594248168, 5.497469998243057E-05, 9.99996, 0.0099996, 123456.7, 999999.5, 1e7, -0.0123456, 2, -3, 0.001, 0.00099, 1234.5678, 2.5e-12, 0.125, 6.02e23];

        foreach (var v in values)
            Assert.Equal(Readable.Number(v), ((IJavaScriptExecutor)Browser.Driver).ExecuteScript("return Readable.number(arguments[0])", v));
    }
}
