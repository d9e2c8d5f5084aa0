using Experiments.Core.Spec;
using Experiments.Training.Data;
using Serilog;

namespace Experiments.Host.Tests;

/// <summary>`run` on a user's own IDX files, as the README shows: gzipped, and raw through a memory map.</summary>
public sealed class OwnIdxFilesSpecs : IDisposable
{
    private readonly TempDir _dir = new();

    /// <summary>The first 600 real digits written as IDX files beside the spec, as a user would have them.</summary>
    private void WriteIdxFiles(string suffix)
    {
        using var digits = DigitDataset.Load(new DatasetSpec(DatasetSpec.DefaultName, null, null, 600));
        var pixels = digits.Images.mul(255).round().to_type(TorchSharp.torch.ScalarType.Byte).data<byte>().ToArray();
        Directory.CreateDirectory(_dir.File("data"));
        IdxFile.Write(_dir.File($"data/train-images-idx3-ubyte{suffix}"), pixels, digits.Count, 28, 28);
        IdxFile.Write(_dir.File($"data/train-labels-idx1-ubyte{suffix}"), digits.LabelArray.Select(l => (byte)l).ToArray(), digits.Count);
    }

    [Theory]
    [InlineData(".gz", "")]
    [InlineData("", "memory-mapped = on")]
    public async Task Should_run_a_sweep_on_idx_files_given_relative_to_the_spec(string suffix, string mapping)
    {
        WriteIdxFiles(suffix);
        var spec = _dir.Write("own.hocon", $$"""
            experiments.sweeps = [{
              name = own
              model = cnn
              dataset { images = "data/train-images-idx3-ubyte{{suffix}}", labels = "data/train-labels-idx1-ubyte{{suffix}}", {{mapping}} }
              search { method = grid, space { hidden = [16] } }
              cross-validation { folds = 2, test-fraction = 0.2 }
              training { max-epochs = 2, steps-per-epoch = 4, batch-size = 32 }
            }]
            """);
        var results = _dir.File("results");
        Logging.Configure(results);
        try
        {
            using var output = new StringWriter();
            Assert.Equal(ExitCodes.Success, await Commands.RunAsync(spec, results, output, CancellationToken.None));
            Assert.Contains("Sweep own: completed", output.ToString());
            Assert.Matches(@"on the held-out test split: .*val-accuracy \d\.\d{4}", output.ToString());
        }
        finally
        {
            await Log.CloseAndFlushAsync();
        }
    }

    public void Dispose() => _dir.Dispose();
}
