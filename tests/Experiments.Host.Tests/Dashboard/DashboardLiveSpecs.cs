using System.Net;
using OpenQA.Selenium;

namespace Experiments.Host.Tests.Dashboard;

/// <summary>The dashboard while a sweep runs: the open page follows it, and a GAN's sample grids appear by epoch.</summary>
public sealed partial class DashboardPageSpecs
{
    /// <summary>One config × two folds of the GAN, two short epochs: a sample grid per epoch per trial-fold.</summary>
    private const string GanSpec = """
        experiments.sweeps = [{
          name = gan-dash
          model = gan
          dataset = { name = mnist-default, limit = 600 }
          search { method = grid, space { g-learning-rate = [0.0002] } }
          cross-validation { folds = 2, stratified = on, seed = 5, test-fraction = 0.2 }
          training { max-epochs = 2, steps-per-epoch = 2, batch-size = 32 }
          resources { max-concurrent-trials = 2, threads-per-trial = 1 }
        }]
        """;

    [Fact]
    public async Task Should_follow_a_sweep_submitted_while_the_page_is_open_and_show_its_gan_sample_grids_by_epoch()
    {
        Browser.Open(fixture.Page(""));
        Browser.Until(d => d.FindElements(By.CssSelector("table#sweeps tr")).Count > 0, "the sweeps table");
        var renders = Browser.Renders;

        Assert.Equal(HttpStatusCode.Accepted, (await fixture.Service.Http.PostAsync("/sweeps", new StringContent(GanSpec))).StatusCode);
        // While it runs, its supervisor answers the detail the pages read (after its end, the journal does).
        await Eventually.Async(async () => (await fixture.GetAsync("/sweeps/gan-dash/trials")).GetProperty("state").GetString() is not ("completed" or "failed"),
            TimeSpan.FromMinutes(2), () => "the running sweep's detail never answered");

        // No reload: the page polls, so the new sweep shows up and ends on the page that was open.
        var row = Browser.Until(d => d.FindElement(By.CssSelector("table#sweeps tr[data-sweep='gan-dash']")), "the new sweep's row");
        Browser.Until(d => d.FindElement(By.CssSelector("table#sweeps tr[data-sweep='gan-dash'] .state")).Text == "completed", "the new sweep completed on the page");
        Assert.True(Browser.Renders > renders, "the page never re-rendered");
        Assert.Equal("2/2", Browser.Driver.FindElement(By.CssSelector("table#sweeps tr[data-sweep='gan-dash'] .done")).Text);

        Browser.Open(fixture.Page("sweeps/gan-dash"));
        var figures = Browser.Until(d => d.FindElements(By.CssSelector("#samples figure")) is { Count: 3 } f ? f : null, "a sample grid per trial-fold");
        Browser.Until(_ => Browser.Driver.FindElements(By.CssSelector("#samples img")).All(Loaded), "the sample grids drawn");
        var fold0 = figures.Single(f => f.GetAttribute("data-trial") == "trial-0-fold-0");
        Assert.EndsWith("samples-epoch-002.png", fold0.FindElement(By.TagName("figcaption")).Text);
        Browser.Screenshot("gan-samples");

        // Back to epoch 1 with the slider.
        var slider = fold0.FindElement(By.CssSelector("input[type=range]"));
        slider.SendKeys(Keys.ArrowLeft);
        Browser.Until(_ => fold0.FindElement(By.TagName("figcaption")).Text.EndsWith("samples-epoch-001.png"), "the epoch-1 grid");

        // What the page shows is the file the trial wrote.
        var served = await fixture.Service.Http.GetByteArrayAsync("/sweeps/gan-dash/trials/trial-0-fold-0/samples/samples-epoch-001.png");
        Assert.Equal(File.ReadAllBytes(Path.Combine(fixture.Results, "gan-dash", "trials", "trial-0-fold-0", "samples-epoch-001.png")), served);
        foreach (var probe in new[] { "..%2Ffid.png", "fid.png", "..%2F..%2Fspec.json", "params.json" })
            Assert.Equal(HttpStatusCode.NotFound, (await fixture.Service.Http.GetAsync($"/sweeps/gan-dash/trials/trial-0-fold-0/samples/{probe}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await fixture.Service.Http.GetAsync("/sweeps/gan-dash/trials/..%2F..%2Fgan-dash/samples/samples-epoch-001.png")).StatusCode);
    }

    private bool Loaded(IWebElement image) =>
        ((IJavaScriptExecutor)Browser.Driver).ExecuteScript("return arguments[0].complete && arguments[0].naturalWidth > 0", image) is true;
}
