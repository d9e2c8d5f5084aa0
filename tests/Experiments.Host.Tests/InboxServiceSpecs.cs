using System.Diagnostics;
using System.Net;

namespace Experiments.Host.Tests;

/// <summary>The inbox of a running `serve`: whatever lands there, the service keeps taking files and loses nothing.</summary>
public sealed class InboxServiceSpecs(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    private const string Broken = "experiments.sweeps = [{ name = broken\n";

    private async Task WaitRejectedAsync(string name) =>
        await Eventually.Async(() => Task.FromResult(File.Exists(Path.Combine(fixture.Inbox, name)) is false
                && Directory.Exists(fixture.Rejected)
                && Directory.GetFiles(fixture.Rejected).Any(f => f.EndsWith(name + ".errors.txt", StringComparison.Ordinal))),
            TimeSpan.FromMinutes(1), () => $"{name} was not rejected; the service {(fixture.Service.HasExited ? "exited" : "is up")}:\n{fixture.Service.Output}");

    private async Task AssertStillServingAsync(ServiceProcess service)
    {
        Assert.Equal(HttpStatusCode.OK, (await service.Http.GetAsync("/health")).StatusCode);
        Assert.Empty(fixture.LoggedExceptions());
    }

    [Fact]
    public async Task Should_reject_a_file_with_a_very_long_name_keeping_its_content_and_take_the_next_file()
    {
        var service = await fixture.ReadyAsync();
        var longName = new string('l', 244) + ".hocon";
        var content = Broken + "# the long one\n";
        File.WriteAllText(Path.Combine(fixture.Inbox, longName), content);
        File.WriteAllText(Path.Combine(fixture.Inbox, "zz-after-long.hocon"), Broken);

        await WaitRejectedAsync("zz-after-long.hocon");
        Assert.False(File.Exists(Path.Combine(fixture.Inbox, longName)));
        // Only this test's files are read: another one leaves a FIFO in rejected/.
        var kept = Assert.Single(Directory.GetFiles(fixture.Rejected), f => f.Contains("llll") && !f.EndsWith(".errors.txt"));
        Assert.Equal(content, File.ReadAllText(kept));
        Assert.True(File.Exists(kept + ".errors.txt"), "an .errors.txt beside the shortened name");
        await AssertStillServingAsync(service);
    }

    [Fact]
    public async Task Should_move_a_fifo_aside_without_reading_it_and_take_the_next_file()
    {
        var service = await fixture.ReadyAsync();
        using (var mkfifo = Process.Start("mkfifo", [Path.Combine(fixture.Inbox, "pipe.hocon")])) await mkfifo.WaitForExitAsync();
        File.WriteAllText(Path.Combine(fixture.Inbox, "after-pipe.hocon"), Broken);

        await WaitRejectedAsync("after-pipe.hocon");
        await WaitRejectedAsync("pipe.hocon");
        var why = File.ReadAllText(Directory.GetFiles(fixture.Rejected).Single(f => f.EndsWith("pipe.hocon.errors.txt") && !f.Contains("after")));
        Assert.Contains("not a regular file", why);
        await AssertStillServingAsync(service);
    }

    [Fact]
    public async Task Should_leave_temporary_and_hidden_files_alone()
    {
        var service = await fixture.ReadyAsync();
        File.WriteAllText(Path.Combine(fixture.Inbox, "writing.hocon.tmp"), Broken);
        File.WriteAllText(Path.Combine(fixture.Inbox, ".writing.hocon"), Broken);
        File.WriteAllText(Path.Combine(fixture.Inbox, "writing.hocon.part"), Broken);
        File.WriteAllText(Path.Combine(fixture.Inbox, "after-temporary.hocon"), Broken);

        await WaitRejectedAsync("after-temporary.hocon");
        Assert.True(File.Exists(Path.Combine(fixture.Inbox, "writing.hocon.tmp")));
        Assert.True(File.Exists(Path.Combine(fixture.Inbox, ".writing.hocon")));
        Assert.True(File.Exists(Path.Combine(fixture.Inbox, "writing.hocon.part")));
        await AssertStillServingAsync(service);
    }
}
