using System.Net;
using OpenQA.Selenium;

namespace Experiments.Host.Tests.Dashboard;

/// <summary>With EXPERIMENTS_API_TOKEN set the dashboard opens no hole: its page shell loads, no data comes without the token.</summary>
public sealed class DashboardTokenSpecs : IDisposable
{
    private const string Token = "dash-s3cret";
    private readonly TempDir _dir = new();
    private readonly ServiceProcess _service;

    public DashboardTokenSpecs() => _service = ServiceProcess.StartWithToken(_dir.File("results"), Token);

    private async Task AnsweringAsync() => await Eventually.Async(async () =>
    {
        if (_service.HasExited) throw new InvalidOperationException($"the service exited:\n{_service.Output}");
        try { return (await _service.Http.GetAsync("/health")).StatusCode == HttpStatusCode.Unauthorized; }
        catch (HttpRequestException) { return false; }
    }, TimeSpan.FromMinutes(2), () => "the service never answered");

    [Fact]
    public async Task Should_serve_the_page_shell_but_no_sweep_data_without_the_token()
    {
        await AnsweringAsync();

        using var page = await _service.Http.GetAsync("/dashboard/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("default-src 'none'", page.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal(HttpStatusCode.OK, (await _service.Http.GetAsync("/dashboard/assets/pages.js")).StatusCode);
        foreach (var data in new[] { "/sweeps", "/sweeps/any/trials", "/sweeps/any/trials/trial-0-fold-0", "/sweeps/any/trials/trial-0-fold-0/samples/samples-epoch-001.png", "/sweeps/any/logs" })
            Assert.Equal(HttpStatusCode.Unauthorized, (await _service.Http.GetAsync(data)).StatusCode);
        // The shell's exemption is for reading pages only.
        Assert.Equal(HttpStatusCode.Unauthorized, (await _service.Http.PostAsync("/dashboard/", new StringContent("x"))).StatusCode);
    }

    [Fact]
    public async Task Should_ask_for_the_token_in_the_browser_and_then_show_the_sweeps()
    {
        await AnsweringAsync();
        using var browser = new Browser();

        browser.Open(new Uri(_service.Http.BaseAddress!, "/dashboard/"));
        var form = browser.Until(d => d.FindElement(By.Id("token-form")) is { Displayed: true } f ? f : null, "the token form");
        Assert.Empty(browser.Driver.FindElements(By.CssSelector("table#sweeps")));

        form.FindElement(By.Id("token")).SendKeys(Token);
        form.FindElement(By.TagName("button")).Click();

        browser.Until(d => d.FindElement(By.Id("page")).Text.Contains("No sweeps yet"), "the (empty) sweeps list");
        Assert.False(browser.Driver.FindElement(By.Id("token-form")).Displayed);
    }

    public void Dispose()
    {
        _service.Dispose();
        _dir.Dispose();
    }
}
