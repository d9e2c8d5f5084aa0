using System.Diagnostics;
using System.Text;
using Experiments.Training.Data;

namespace Experiments.Host.Tests;

/// <summary>The file side of the inbox, on a clock the test moves: what is taken, when, and where the rest goes.</summary>
public sealed class InboxFolderSpecs : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly ManualClock _clock = new();
    private readonly InboxFolder _inbox;

    public InboxFolderSpecs() => _inbox = new InboxFolder(Path.Combine(_dir.Path, "inbox"), _clock);

    private string Drop(string name, string text)
    {
        Directory.CreateDirectory(_inbox.Path);
        var path = Path.Combine(_inbox.Path, name);
        File.WriteAllText(path, text);
        return path;
    }

    private string[] Rejected() => Directory.Exists(Path.Combine(_inbox.Path, "rejected")) ? Directory.GetFiles(Path.Combine(_inbox.Path, "rejected")) : [];

    [Fact]
    public void Should_take_a_file_only_once_its_size_and_time_have_not_changed_for_the_settle_time()
    {
        var file = Drop("spec.hocon", "experiments.sweeps = [{ name = a,");
        Assert.Empty(_inbox.Scan());
        _clock.Advance(InboxFolder.SettleTime / 2);
        File.AppendAllText(file, " model = cnn }]\n");
        _clock.Advance(InboxFolder.SettleTime / 2 + TimeSpan.FromSeconds(1));
        Assert.Empty(_inbox.Scan());
        _clock.Advance(InboxFolder.SettleTime);
        Assert.Equal([file], _inbox.Scan());
        Assert.EndsWith("model = cnn }]\n", File.ReadAllText(file));
    }

    [Theory]
    [InlineData(".spec.hocon")]
    [InlineData("spec.hocon.tmp")]
    [InlineData("spec.hocon.part")]
    [InlineData("spec.json")]
    public void Should_never_take_hidden_temporary_or_other_files(string name)
    {
        Drop(name, "x");
        _inbox.Scan();
        _clock.Advance(InboxFolder.SettleTime * 2);
        Assert.Empty(_inbox.Scan());
        Assert.True(File.Exists(Path.Combine(_inbox.Path, name)));
    }

    [Fact]
    public void Should_move_a_fifo_aside_at_once_without_opening_it()
    {
        Directory.CreateDirectory(_inbox.Path);
        using (var mkfifo = Process.Start("mkfifo", [Path.Combine(_inbox.Path, "pipe.hocon")])!) mkfifo.WaitForExit();
        Assert.Equal(FileKind.Fifo, FileKinds.Of(Path.Combine(_inbox.Path, "pipe.hocon")));
        Assert.Empty(_inbox.Scan());
        var errors = Assert.Single(Rejected(), f => f.EndsWith("pipe.hocon.errors.txt"));
        Assert.Contains("a FIFO (named pipe), not a regular file", File.ReadAllText(errors));
    }

    [Fact]
    public void Should_move_a_file_larger_than_a_spec_may_be_aside_unread()
    {
        var file = Drop("huge.hocon", "");
        using (var stream = File.OpenWrite(file)) stream.SetLength(50L << 20);
        _inbox.Scan();
        _clock.Advance(InboxFolder.SettleTime);
        Assert.Empty(_inbox.Scan());
        Assert.Contains("52,428,800 bytes", File.ReadAllText(Assert.Single(Rejected(), f => f.EndsWith(".errors.txt"))));
        Assert.Equal(50L << 20, new FileInfo(Assert.Single(Rejected(), f => f.EndsWith("huge.hocon"))).Length);
    }

    [Fact]
    public void Should_shorten_a_name_too_long_for_its_errors_file_and_keep_the_content_and_the_name()
    {
        var name = new string('é', 120) + ".hocon"; // 246 bytes in UTF-8
        var file = Drop(name, "the content");
        _inbox.TryReject(file, ["why"]);

        var kept = Assert.Single(Rejected(), f => !f.EndsWith(".errors.txt"));
        Assert.Equal("the content", File.ReadAllText(kept));
        Assert.EndsWith(".hocon", kept);
        Assert.True(Encoding.UTF8.GetByteCount(Path.GetFileName(kept + InboxFolder.ErrorsSuffix)) <= 255);
        Assert.Equal(["why", $"(the file was named {name})"], File.ReadAllLines(kept + InboxFolder.ErrorsSuffix));
    }

    [Fact]
    public void Should_never_overwrite_an_earlier_file_of_the_same_name()
    {
        _inbox.TryReject(Drop("same.hocon", "first"), ["one"]);
        _inbox.TryReject(Drop("same.hocon", "second"), ["two"]);
        Assert.Equal(["first", "second"], Rejected().Where(f => !f.EndsWith(".errors.txt")).Select(File.ReadAllText).Order());
    }

    [Theory]
    [InlineData("short.hocon")]
    [InlineData("a-very-long-name-that-is-repeated-a-very-long-name-that-is-repeated-a-very-long-name-that-is-repeated-a-very-long-name-that-is-repeated-a-very-long-name-that-is-repeated-a-very-long-name-that-is-repeated-a-very-long-name-that-is-repeated-end.conf")]
    public void Should_give_every_moved_file_a_name_that_fits_with_its_errors_file(string name)
    {
        var target = InboxFolder.TargetName("20261202-134500", 12, name);
        Assert.True(Encoding.UTF8.GetByteCount(target + InboxFolder.ErrorsSuffix) <= 255, target);
        Assert.Equal(Path.GetExtension(name), Path.GetExtension(target));
        Assert.NotEqual(InboxFolder.TargetName("20261202-134500", 12, name + "x"), target);
    }

    public void Dispose() => _dir.Dispose();
}

/// <summary>A clock that moves only when the test says so.</summary>
public sealed class ManualClock : TimeProvider
{
    private DateTimeOffset _now = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);
    public override DateTimeOffset GetUtcNow() => _now;
    public void Advance(TimeSpan by) => _now += by;
}
