using Experiments.Training.TensorBoard;
using static Experiments.Training.Tests.TensorBoard.EventFileReader;

namespace Experiments.Training.Tests.TensorBoard;

public class EventFileWriterSpecs
{
    /// <summary>A clock that advances 1.25 s per reading, from a known instant.</summary>
    private sealed class SteppingClock(DateTimeOffset start) : TimeProvider
    {
        private DateTimeOffset _now = start;
        public override DateTimeOffset GetUtcNow() => (_now = _now.AddMilliseconds(1250)).AddMilliseconds(-1250);
    }

    private static readonly DateTimeOffset Start = new(2026, 12, 2, 12, 0, 0, 500, TimeSpan.Zero);

    private static IReadOnlyList<IReadOnlyList<Field>> Events(string path) => Records(path).Select(Decode).ToList();

    [Fact]
    public void Should_start_with_the_file_version_stamped_in_unix_seconds()
    {
        using var dir = new TempDir();
        string path;
        using (var writer = EventFileWriter.Create(dir.Path, new SteppingClock(Start))) path = writer.FilePath;

        Assert.StartsWith($"events.out.tfevents.{Start.ToUnixTimeSeconds()}.", Path.GetFileName(path));
        var first = Events(path).Single();
        Assert.Equal(Start.ToUnixTimeMilliseconds() / 1000.0, first.One(1).AsDouble);
        Assert.Equal("brain.Event:2", first.One(3).AsText);
    }

    [Fact]
    public void Should_write_every_metric_of_an_epoch_as_a_scalar_at_that_step_with_fractional_wall_time()
    {
        using var dir = new TempDir();
        string path;
        using (var writer = EventFileWriter.Create(dir.Path, new SteppingClock(Start)))
        {
            path = writer.FilePath;
            writer.Scalars(1, new Dictionary<string, double> { ["val-loss"] = 0.4321, ["val-accuracy"] = 0.875 });
            writer.Scalars(2, new Dictionary<string, double> { ["val-loss"] = 0.25, ["val-accuracy"] = 0.9 });
        }

        var events = Events(path);
        Assert.Equal(3, events.Count);
        for (var epoch = 1; epoch <= 2; epoch++)
        {
            var e = events[epoch];
            Assert.Equal(Start.AddMilliseconds(1250 * epoch).ToUnixTimeMilliseconds() / 1000.0, e.One(1).AsDouble);
            Assert.Equal(epoch, (long)e.One(2).Varint);
            var values = e.One(5).AsMessage.All(1).Select(v => v.AsMessage).ToDictionary(v => v.One(1).AsText, v => v.One(2).AsFloat);
            Assert.Equal(["val-accuracy", "val-loss"], values.Keys.Order());
            Assert.Equal(epoch == 1 ? 0.4321f : 0.25f, values["val-loss"]);
            Assert.Equal(epoch == 1 ? 0.875f : 0.9f, values["val-accuracy"]);
        }
        Assert.Equal(0.75, events[1].One(1).AsDouble % 1, 6); // 12:00:01.75: not rounded to whole seconds
    }

    [Fact]
    public void Should_embed_a_png_as_an_image_with_its_size_and_colorspace()
    {
        using var dir = new TempDir();
        var png = dir.File("grid.png");
        using (var bitmap = new SkiaSharp.SKBitmap(new SkiaSharp.SKImageInfo(30, 20, SkiaSharp.SKColorType.Gray8)))
        using (var image = SkiaSharp.SKImage.FromBitmap(bitmap))
        using (var data = image.Encode(SkiaSharp.SKEncodedImageFormat.Png, 100))
            File.WriteAllBytes(png, data.ToArray());
        string path;
        using (var writer = EventFileWriter.Create(dir.Path))
        {
            path = writer.FilePath;
            writer.Image(3, "samples", png);
        }

        var e = Events(path)[1];
        Assert.Equal(3, (long)e.One(2).Varint);
        var value = e.One(5).AsMessage.One(1).AsMessage;
        Assert.Equal("samples", value.One(1).AsText);
        var picture = value.One(4).AsMessage;
        Assert.Equal(20, (int)picture.One(1).Varint);
        Assert.Equal(30, (int)picture.One(2).Varint);
        Assert.Equal(1, (int)picture.One(3).Varint); // grayscale
        Assert.Equal(File.ReadAllBytes(png), picture.One(4).Bytes);
    }

    [Fact]
    public void Should_write_the_config_as_an_hparams_session_and_its_end()
    {
        using var dir = new TempDir();
        string path;
        using (var writer = EventFileWriter.Create(dir.Path, new SteppingClock(Start)))
        {
            path = writer.FilePath;
            writer.HParams(new Dictionary<string, object> { ["learning-rate"] = 0.001, ["hidden"] = 128L, ["optimizer"] = "adam", ["nesterov"] = true }, "config-3");
            writer.SessionEnd(SessionStatus.Success);
        }

        var events = Events(path);
        var start = events[1].One(5).AsMessage.One(1).AsMessage;
        Assert.Equal("_hparams_/session_start_info", start.One(1).AsText);
        Assert.Null(start.Maybe(2)); // no value: TensorBoard reads the metadata
        var plugin = start.One(9).AsMessage.One(1).AsMessage;
        Assert.Equal("hparams", plugin.One(1).AsText);
        var info = Decode(plugin.One(2).Bytes).One(3).AsMessage;
        var hparams = info.All(1).Select(f => f.AsMessage).ToDictionary(entry => entry.One(1).AsText, entry => entry.One(2).AsMessage.Single());
        Assert.Equal(0.001, hparams["learning-rate"].AsDouble);
        Assert.Equal(2, hparams["learning-rate"].Number);
        Assert.Equal(128.0, hparams["hidden"].AsDouble);
        Assert.Equal("adam", hparams["optimizer"].AsText);
        Assert.Equal(3, hparams["optimizer"].Number);
        Assert.Equal(1ul, hparams["nesterov"].Varint);
        Assert.Equal(4, hparams["nesterov"].Number);
        Assert.Equal("config-3", info.One(4).AsText);
        Assert.Equal(Start.AddMilliseconds(2500).ToUnixTimeMilliseconds() / 1000.0, info.One(5).AsDouble);

        var end = events[2].One(5).AsMessage.One(1).AsMessage;
        Assert.Equal("_hparams_/session_end_info", end.One(1).AsText);
        var endInfo = Decode(end.One(9).AsMessage.One(1).AsMessage.One(2).Bytes).One(4).AsMessage;
        Assert.Equal(1, (int)endInfo.One(1).Varint);
    }

    [Fact]
    public void Should_add_a_new_file_on_resume_that_marks_the_restart_step()
    {
        using var dir = new TempDir();
        var clock = new SteppingClock(Start);
        string first, second;
        using (var writer = EventFileWriter.Create(dir.Path, clock)) first = writer.FilePath;
        using (var writer = EventFileWriter.Create(dir.Path, clock))
        {
            second = writer.FilePath;
            writer.Restarted(4);
        }

        Assert.NotEqual(first, second);
        Assert.Single(Events(first));
        var restart = Events(second)[1];
        Assert.Equal(4, (long)restart.One(2).Varint);
        Assert.Equal(1, (int)restart.One(6).AsMessage.One(1).Varint); // SessionLog.START
    }

    [Fact]
    public void Should_refuse_a_file_that_is_not_a_png()
    {
        using var dir = new TempDir();
        var notPng = dir.File("grid.png");
        File.WriteAllText(notPng, "not an image at all, just text");
        using var writer = EventFileWriter.Create(dir.Path);
        var error = Assert.Throws<InvalidDataException>(() => writer.Image(1, "samples", notPng));
        Assert.Contains(notPng, error.Message);
    }
}
