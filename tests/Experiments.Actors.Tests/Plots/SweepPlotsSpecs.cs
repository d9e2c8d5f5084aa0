using System.Collections.Immutable;
using Experiments.Actors.Plots;
using Experiments.Actors.Tests.Support;
using Experiments.Core.Scheduling;
using Experiments.Core.Search;
using Experiments.Core.Spec;
using Experiments.Core.Trials;
using SkiaSharp;

namespace Experiments.Actors.Tests.Plots;

/// <summary>
/// The renderer on a small synthetic sweep. The plots are left in bin/.../rendered-plots so that a
/// person can look at them (docs/images/learning-curves.png is one of them).
/// </summary>
public sealed class SweepPlotsSpecs
{
    private static readonly string Output = Path.Combine(AppContext.BaseDirectory, "rendered-plots");

    private static string Fresh(string name)
    {
        var folder = Path.Combine(Output, name);
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        return folder;
    }

    private static EpochMetrics Epoch(int epoch, double loss, double fid) =>
        new(epoch, ImmutableSortedDictionary<string, double>.Empty.Add("val-loss", loss).Add("fid", fid), 1.0);

    /// <summary>Three learning rates, three folds, up to six epochs; config 2 is pruned on one fold and stopped early on another.</summary>
    private static (SweepSpec Spec, SweepRecord Record, ImmutableArray<LeaderboardRow> Board) Synthetic(ModelKind model)
    {
        var spec = TinySweeps.Cnn("plots-demo", folds: 3, maxEpochs: 6) with { Model = model };
        spec = spec with { Search = spec.Search with { Space = new SearchSpace([new LogUniformDomain("learning-rate", 1e-4, 1e-1, null)]) } };
        var rates = new[] { 0.0003, 0.003, 0.03 };
        var configs = rates.Select((rate, id) => new TrialConfig(id, ParameterSet.Empty.With("learning-rate", ParamValue.Of(rate)))).ToList();
        var record = new SweepRecord();
        foreach (var config in configs)
            for (var fold = 0; fold < 3; fold++)
            {
                var key = new TrialKey(config.Id, fold);
                var (epochs, status) = (config.Id, fold) switch
                {
                    (2, 1) => (2, TrialStatus.Pruned),
                    (2, 2) => (4, TrialStatus.EarlyStopped),
                    _ => (6, TrialStatus.Completed),
                };
                record.Start(key);
                // A deterministic wobble per fold stands in for noise.
                var losses = Enumerable.Range(1, epochs).Select(e => 0.3 + (config.Id + 1) * 0.4 / e + 0.05 * Math.Sin(fold * 2.1 + e)).ToList();
                for (var e = 1; e <= epochs; e++) record.Epoch(key, Epoch(e, losses[e - 1], 200.0 / e + 10 * fold));
                record.End(new TrialOutcome(key, status, epochs, losses.Min(), losses.IndexOf(losses.Min()) + 1, "synthetic"));
            }
        return (spec, record, Leaderboard.Build(configs, record.Outcomes.Values, 3, OptimizationMode.Min));
    }

    private static SKBitmap Decode(string path)
    {
        var bitmap = SKBitmap.Decode(path);
        Assert.True(bitmap is not null, $"{path} is not a PNG SkiaSharp can read");
        return bitmap;
    }

    [Fact]
    public void Should_write_the_learning_curves_and_one_plot_per_swept_parameter_as_readable_pngs()
    {
        var (spec, record, board) = Synthetic(ModelKind.Cnn);
        var folder = Fresh("cnn");

        var written = SweepPlots.WriteAll(folder, spec, record, board);

        Assert.Equal([Path.Combine(folder, "plots", "learning-curves.png"), Path.Combine(folder, "plots", "param-learning-rate.png")], written);
        foreach (var path in written)
        {
            using var image = Decode(path);
            Assert.Equal((SweepPlots.Width, SweepPlots.Height), (image.Width, image.Height));
        }
        Assert.Empty(Directory.GetFiles(Path.Combine(folder, "plots"), "*.tmp"));
    }

    [Fact]
    public void Should_draw_a_gan_trials_fid_curve_beside_its_last_sample_grid()
    {
        var (spec, record, board) = Synthetic(ModelKind.Gan);
        var folder = Fresh("gan");
        var trial = Path.Combine(folder, "trials", "trial-0-fold-0");
        Directory.CreateDirectory(trial);
        using (var grid = new SKBitmap(280, 280))
        {
            grid.Erase(SKColors.Gray);
            using var data = grid.Encode(SKEncodedImageFormat.Png, 100);
            File.WriteAllBytes(Path.Combine(trial, "samples-epoch-006.png"), data.ToArray());
        }

        SweepPlots.WriteAll(folder, spec, record, board, fidOf: new TrialKey(0, 0));

        using var image = Decode(Path.Combine(trial, "fid.png"));
        Assert.Equal((SweepPlots.Width + SweepPlots.Height, SweepPlots.Height), (image.Width, image.Height)); // a square grid scaled to the plot's height
        Assert.Equal(SKColors.Gray, image.GetPixel(SweepPlots.Width + SweepPlots.Height / 2, SweepPlots.Height / 2));
        Assert.False(File.Exists(Path.Combine(folder, "trials", "trial-1-fold-0", "fid.png")), "only the trial-fold asked for is redrawn");
    }

    [Fact]
    public void Should_draw_every_trials_fid_curve_alone_when_it_has_no_sample_grid()
    {
        var (spec, record, board) = Synthetic(ModelKind.Gan);
        var folder = Fresh("gan-all");

        SweepPlots.WriteAll(folder, spec, record, board);

        var fids = Directory.GetFiles(Path.Combine(folder, "trials"), "fid.png", SearchOption.AllDirectories);
        Assert.Equal(9, fids.Length);
        using var image = Decode(fids[0]);
        Assert.Equal((SweepPlots.Width, SweepPlots.Height), (image.Width, image.Height));
    }
}
