using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using OpenQA.Selenium.Support.UI;

namespace Experiments.Host.Tests.Dashboard;

/// <summary>
/// Debian's chromium, headless, through Debian's chromedriver: both paths given, so Selenium
/// Manager has nothing to look up or download (and SE_OFFLINE tells it so, should it run).
/// </summary>
public sealed class Browser : IDisposable
{
    public const string ChromiumPath = "/usr/bin/chromium";
    public const string DriverPath = "/usr/bin/chromedriver";

    public ChromeDriver Driver { get; }

    public Browser()
    {
        Environment.SetEnvironmentVariable("SE_OFFLINE", "true");
        if (!File.Exists(ChromiumPath) || !File.Exists(DriverPath))
            throw new InvalidOperationException($"the browser tests need {ChromiumPath} and {DriverPath} (apt-get install chromium chromium-driver; .ci/run does)");
        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(DriverPath)!, Path.GetFileName(DriverPath));
        service.HideCommandPromptWindow = true;
        service.SuppressInitialDiagnosticInformation = true;
        var options = new ChromeOptions { BinaryLocation = ChromiumPath };
        options.SetLoggingPreference(LogType.Browser, LogLevel.All);
        options.AddArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1300,1500");
        // Generous: the machine is shared and a page may wait on a busy service.
        Driver = new ChromeDriver(service, options, TimeSpan.FromMinutes(3));
    }

    public void Open(Uri url) => Driver.Navigate().GoToUrl(url);

    /// <summary>Waits for the condition, polling the page; generous, since trials run on the same 2 cores.</summary>
    public T Until<T>(Func<IWebDriver, T?> condition, string what) where T : class => Wait(what).Until(condition)!;

    public void Until(Func<IWebDriver, bool> condition, string what) => Wait(what).Until(condition);

    private WebDriverWait Wait(string what)
    {
        var wait = new WebDriverWait(Driver, TimeSpan.FromMinutes(3)) { Message = what, PollingInterval = TimeSpan.FromMilliseconds(250) };
        wait.IgnoreExceptionTypes(typeof(NoSuchElementException), typeof(StaleElementReferenceException));
        return wait;
    }

    /// <summary>The page's render count (body[data-rendered]), to wait for one more render after an action.</summary>
    public int Renders => int.TryParse(Driver.FindElement(By.TagName("body")).GetAttribute("data-rendered"), out var n) ? n : 0;

    /// <summary>What the page logged as errors since the last call (a refused script or style, a failed request, an exception).</summary>
    public IReadOnlyList<string> ConsoleErrors() =>
        Driver.Manage().Logs.GetLog(LogType.Browser).Where(e => e.Level == LogLevel.Severe).Select(e => e.Message).ToList();

    public string Screenshot(string name)
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, name + ".png");
        Driver.GetScreenshot().SaveAsFile(path);
        return path;
    }

    public void Dispose()
    {
        Driver.Quit();
        Driver.Dispose();
    }
}
