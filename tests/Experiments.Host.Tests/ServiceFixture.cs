namespace Experiments.Host.Tests;

/// <summary>One `serve` process shared by the tests of a class, in a results folder of its own.</summary>
public sealed class ServiceFixture : IDisposable
{
    public string Results { get; } = Directory.CreateTempSubdirectory("experiments-service-").FullName;
    public ServiceProcess Service { get; }
    public string Inbox => Path.Combine(Results, "inbox");
    public string Rejected => Path.Combine(Inbox, "rejected");

    public ServiceFixture() => Service = ServiceProcess.Start(Results);

    /// <summary>Healthy, and (having answered) its inbox folder exists.</summary>
    public async Task<ServiceProcess> ReadyAsync()
    {
        await Service.WaitHealthyAsync();
        await Eventually.Async(() => Task.FromResult(Directory.Exists(Inbox)), TimeSpan.FromMinutes(1), () => "no inbox folder");
        return Service;
    }

    /// <summary>The lines the service logged as errors or worse with an exception attached (a stack trace).</summary>
    public IEnumerable<string> LoggedExceptions() =>
        Directory.Exists(Path.Combine(Results, "logs"))
            ? Directory.GetFiles(Path.Combine(Results, "logs"), "*.clef")
                .SelectMany(f => { using var s = new FileStream(f, FileMode.Open, FileAccess.Read, FileShare.ReadWrite); using var r = new StreamReader(s); return r.ReadToEnd().Split('\n'); })
                .Where(l => l.Contains("\"@x\""))
            : [];

    public void Dispose()
    {
        Service.Dispose();
        Directory.Delete(Results, recursive: true);
    }
}
