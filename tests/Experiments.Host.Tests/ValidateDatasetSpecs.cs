using System.Diagnostics;
using System.Net.Http.Json;
using Experiments.Training.Data;
using Serilog;

namespace Experiments.Host.Tests;

/// <summary>
/// `validate` (and so `run` and POST /sweeps, which load specs the same way) reads the headers of
/// the spec's IDX files and the labels, and says what the loader would say, at the dataset's key.
/// </summary>
public sealed class ValidateDatasetSpecs : IDisposable
{
    private const int ImagesLine = 5, LabelsLine = 6, LimitLine = 7, DatasetLine = 4;
    /// <summary>A blocked open never returns; this bounds the wait so that the test fails instead of hanging.</summary>
    private static readonly TimeSpan BlockedOpen = TimeSpan.FromSeconds(60);

    private readonly TempDir _dir = new();

    private string Images(string suffix = "") => _dir.File("images-idx3-ubyte" + suffix);
    private string Labels(string suffix = "") => _dir.File("labels-idx1-ubyte" + suffix);

    /// <summary>Images of varied pixels and labels sorted by class (as some published files are): <paramref name="perClass"/> of each of ten.</summary>
    private void WriteClassSorted(int perClass, string suffix = "")
    {
        var count = perClass * 10;
        IdxFile.Write(Images(suffix), Enumerable.Range(0, count * 28 * 28).Select(i => (byte)(i * 7 % 256)).ToArray(), count, 28, 28);
        IdxFile.Write(Labels(suffix), Enumerable.Range(0, count).Select(i => (byte)(i / perClass)).ToArray(), count);
    }

    private string WriteSpec(string images, string labels, int? limit = null, string model = "cnn") => _dir.Write("own.hocon", $$"""
        experiments.sweeps = [{
          name = own
          model = {{model}}
          dataset {
            images = "{{images}}"
            labels = "{{labels}}"
            limit = {{(limit is { } n ? n.ToString() : "null")}}
          }
          cross-validation { folds = 2, test-fraction = 0.2 }
          training { max-epochs = 1, steps-per-epoch = 2, batch-size = 8{{(model == "cnn" ? ", hidden = 8" : "")}} }
        }]
        """);

    private static (int ExitCode, string Output) Validate(string file)
    {
        using var output = new StringWriter();
        var exitCode = Commands.Validate(file, output);
        return (exitCode, output.ToString());
    }

    public enum Damage { BadMagic, Truncated, TrailingBytes, Swapped, CountsDisagree, NotTwentyEight, LabelAboveNine, NoImages }

    private (int Line, string Key) Damaged(Damage damage, string suffix)
    {
        switch (damage)
        {
            case Damage.BadMagic:
                var bytes = File.ReadAllBytes(Images());
                bytes[0] = 0x1f;
                Rewrite(Images(suffix), bytes);
                return (ImagesLine, "images");
            case Damage.Truncated:
                Rewrite(Images(suffix), File.ReadAllBytes(Images())[..^100]);
                return (ImagesLine, "images");
            case Damage.TrailingBytes:
                RewriteLabels(suffix, [.. Enumerable.Range(0, 100).Select(i => (byte)(i % 10))], 100, extra: 3);
                return (LabelsLine, "labels");
            case Damage.Swapped:
                File.Move(Images(suffix), _dir.File("tmp"));
                File.Move(Labels(suffix), Images(suffix));
                File.Move(_dir.File("tmp"), Labels(suffix));
                return (ImagesLine, "images");
            case Damage.CountsDisagree:
                RewriteLabels(suffix, [.. Enumerable.Range(0, 99).Select(i => (byte)(i % 10))], 99);
                return (DatasetLine, "dataset");
            case Damage.NotTwentyEight:
                IdxFile.Write(Images(suffix), new byte[100 * 27 * 27], 100, 27, 27);
                return (ImagesLine, "images");
            case Damage.LabelAboveNine:
                RewriteLabels(suffix, [.. Enumerable.Range(0, 100).Select(i => (byte)(i == 57 ? 10 : i % 10))], 100);
                return (LabelsLine, "labels");
            default:
                IdxFile.Write(Images(suffix), [], 0, 28, 28);
                IdxFile.Write(Labels(suffix), [], 0);
                return (ImagesLine, "images");
        }
    }

    private void RewriteLabels(string suffix, byte[] labels, int declared, int extra = 0)
    {
        IdxFile.Write(Labels(), labels, declared);
        if (extra > 0) File.AppendAllText(Labels(), new string('x', extra));
        if (suffix != "") Rewrite(Labels(suffix), File.ReadAllBytes(Labels()));
    }

    /// <summary>Writes <paramref name="content"/> as it is, or gzipped when the name ends in .gz.</summary>
    private static void Rewrite(string path, byte[] content)
    {
        if (!path.EndsWith(".gz", StringComparison.Ordinal))
        {
            File.WriteAllBytes(path, content);
            return;
        }
        using var gz = new System.IO.Compression.GZipStream(File.Create(path), System.IO.Compression.CompressionLevel.Fastest);
        gz.Write(content);
    }

    [Theory]
    [InlineData(Damage.BadMagic, ""), InlineData(Damage.BadMagic, ".gz")]
    [InlineData(Damage.Truncated, ""), InlineData(Damage.Truncated, ".gz")]
    [InlineData(Damage.TrailingBytes, ""), InlineData(Damage.TrailingBytes, ".gz")]
    [InlineData(Damage.Swapped, ""), InlineData(Damage.Swapped, ".gz")]
    [InlineData(Damage.CountsDisagree, ""), InlineData(Damage.CountsDisagree, ".gz")]
    [InlineData(Damage.NotTwentyEight, ""), InlineData(Damage.NotTwentyEight, ".gz")]
    [InlineData(Damage.LabelAboveNine, ""), InlineData(Damage.LabelAboveNine, ".gz")]
    [InlineData(Damage.NoImages, ""), InlineData(Damage.NoImages, ".gz")]
    public void Should_report_a_damaged_file_with_the_loaders_message_at_its_key(Damage damage, string suffix)
    {
        WriteClassSorted(10, "");
        if (suffix != "") WriteClassSorted(10, suffix);
        var (line, key) = Damaged(damage, suffix);
        var spec = WriteSpec(Images(suffix), Labels(suffix));
        var loader = Assert.Throws<DatasetException>(() => DigitDataset.FromIdx("own", Images(suffix), Labels(suffix)));

        var (exitCode, output) = Validate(spec);

        Assert.Equal(ExitCodes.InvalidInput, exitCode);
        Assert.Equal($"{spec}:{line}: sweeps[0].{(key == "dataset" ? "dataset" : "dataset." + key)}: {loader.Message}", output.Trim());
    }

    [Theory]
    [InlineData("images", ImagesLine)]
    [InlineData("labels", LabelsLine)]
    public async Task Should_refuse_a_fifo_without_blocking(string which, int line)
    {
        WriteClassSorted(10);
        var fifo = _dir.File("fifo");
        using (var mkfifo = Process.Start("mkfifo", [fifo])) await mkfifo.WaitForExitAsync();
        var spec = which == "images" ? WriteSpec(fifo, Labels()) : WriteSpec(Images(), fifo);

        var validating = Task.Run(() => Validate(spec));
        if (await Task.WhenAny(validating, Task.Delay(BlockedOpen)) != validating)
        {
            await using (new FileStream(fifo, FileMode.Open, FileAccess.Write)) { }
            Assert.Fail($"validate blocked on {fifo}");
        }
        var (exitCode, output) = await validating;

        Assert.Equal(ExitCodes.InvalidInput, exitCode);
        Assert.Equal($"{spec}:{line}: sweeps[0].dataset.{which}: {fifo}: a FIFO (named pipe), not a regular file", output.Trim());
    }

    [Fact]
    public async Task Should_answer_a_post_naming_a_fifo_with_the_error_instead_of_blocking()
    {
        WriteClassSorted(10);
        var fifo = _dir.File("fifo");
        using (var mkfifo = Process.Start("mkfifo", [fifo])) await mkfifo.WaitForExitAsync();
        using var service = ServiceProcess.Start(_dir.File("results"));
        await service.WaitHealthyAsync();

        // The client's timeout (30 s) bounds the wait: before the fix the request never got an answer.
        var response = await service.Http.PostAsync("/sweeps", new StringContent(File.ReadAllText(WriteSpec(Images(), fifo))));

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        Assert.Equal($"request:{LabelsLine}: sweeps[0].dataset.labels: {fifo}: a FIFO (named pipe), not a regular file",
            Assert.Single(body.GetProperty("errors").EnumerateArray()).GetString());
    }

    [Fact]
    public void Should_say_a_directory_is_not_a_file()
    {
        WriteClassSorted(10);
        var folder = Directory.CreateDirectory(_dir.File("data")).FullName;

        var (exitCode, output) = Validate(WriteSpec(folder, Labels()));

        Assert.Equal(ExitCodes.InvalidInput, exitCode);
        Assert.Contains($":{ImagesLine}: sweeps[0].dataset.images: {folder}: a directory, not a regular file", output);
    }

    [Fact]
    public void Should_refuse_a_limit_that_keeps_a_single_class_for_a_classifier()
    {
        WriteClassSorted(20);
        var spec = WriteSpec(Images(), Labels(), limit: 20);

        var (exitCode, output) = Validate(spec);

        Assert.Equal(ExitCodes.InvalidInput, exitCode);
        Assert.Equal($"{spec}:{LimitLine}: sweeps[0].dataset.limit: the first 20 samples are all of class 0 ({Labels()} holds 10 classes, " +
            "sorted by class?): a classifier needs at least 2 classes; raise the limit or shuffle the files", output.Trim());
    }

    [Fact]
    public void Should_refuse_a_labels_file_of_a_single_class_for_a_classifier()
    {
        IdxFile.Write(Images(), new byte[40 * 28 * 28], 40, 28, 28);
        IdxFile.Write(Labels(), Enumerable.Repeat((byte)3, 40).ToArray(), 40);
        var spec = WriteSpec(Images(), Labels());

        var (exitCode, output) = Validate(spec);

        Assert.Equal(ExitCodes.InvalidInput, exitCode);
        Assert.Equal($"{spec}:{LabelsLine}: sweeps[0].dataset.labels: {Labels()}: every label is 3: a classifier needs at least 2 classes", output.Trim());
    }

    [Fact]
    public void Should_warn_at_the_limit_when_it_leaves_classes_out_and_still_pass()
    {
        WriteClassSorted(20);
        var spec = WriteSpec(Images(), Labels(), limit: 60);

        var (exitCode, output) = Validate(spec);

        Assert.Equal(ExitCodes.Success, exitCode);
        Assert.Contains("own: 1 config × 2 folds", output);
        Assert.Contains($"{spec}:{LimitLine}: sweeps[0].dataset.limit: warning: the first 60 samples hold 3 of the 10 classes in {Labels()}; " +
            "missing: 3, 4, 5, 6, 7, 8, 9 (sorted by class?)", output);
    }

    [Fact]
    public void Should_let_a_gan_learn_a_single_class()
    {
        WriteClassSorted(20);
        var spec = WriteSpec(Images(), Labels(), limit: 20, model: "gan");

        var (exitCode, output) = Validate(spec);

        Assert.Equal(ExitCodes.Success, exitCode);
        Assert.Contains($"{spec}:{LimitLine}: sweeps[0].dataset.limit: warning: the first 20 samples hold 1 of the 10 classes", output);
    }

    [Fact]
    public void Should_validate_gzipped_files_without_holding_the_images_in_memory()
    {
        WriteClassSorted(2000, ".gz"); // 15.7 MB of images inflated
        var spec = WriteSpec(Images(".gz"), Labels(".gz"));

        var before = GC.GetAllocatedBytesForCurrentThread();
        var (exitCode, output) = Validate(spec);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(exitCode == ExitCodes.Success, output);
        Assert.True(allocated < 8 << 20, $"allocated {allocated} bytes");
    }

    [Fact]
    public async Task Should_print_the_warnings_of_a_spec_it_runs()
    {
        WriteClassSorted(20);
        var spec = WriteSpec(Images(), Labels(), limit: 60);
        var results = _dir.File("results");
        Logging.Configure(results);
        try
        {
            using var output = new StringWriter();
            Assert.Equal(ExitCodes.Success, await Commands.RunAsync(spec, results, output, CancellationToken.None));
            Assert.Contains($"{spec}:{LimitLine}: sweeps[0].dataset.limit: warning: the first 60 samples hold 3 of the 10 classes", output.ToString());
            Assert.Contains("Sweep own: completed", output.ToString());
        }
        finally
        {
            await Log.CloseAndFlushAsync();
        }
    }

    public void Dispose() => _dir.Dispose();
}
