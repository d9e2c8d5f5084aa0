using Experiments.Core.Search;
using Experiments.Core.Spec;
using Experiments.Training.Cnn;

namespace Experiments.Core.Tests;

public sealed class SpecLoaderTests
{
    private const string Minimal = "experiments.sweeps = [{ name = minimal, model = cnn }]";

    private static SweepSpec LoadOne(string text, SpecContext? context = null)
    {
        var result = SpecLoader.LoadText(text, "test.hocon", "/tmp", context ?? TestFiles.Plain);
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        return Assert.Single(result.Sweeps);
    }

    /// <summary>Every file under config/sweeps, and experiments.hocon: a new example is covered without being listed.</summary>
    public static TheoryData<string> Examples() => new(ExampleFiles());

    private static List<string> ExampleFiles() =>
    [
        .. Directory.GetFiles(Path.Combine(TestFiles.RepositoryRoot, "config", "sweeps"), "*.hocon").Order(StringComparer.Ordinal)
            .Select(file => Path.GetRelativePath(TestFiles.RepositoryRoot, file)),
        "experiments.hocon",
    ];

    [Fact]
    public void Should_cover_the_conditional_example_among_the_shipped_ones() =>
        Assert.Contains(Path.Combine("config", "sweeps", "cnn-conditional.hocon"), ExampleFiles());

    [Theory]
    [MemberData(nameof(Examples))]
    public void Should_accept_every_shipped_example(string relativePath)
    {
        var result = SpecLoader.LoadFile(Path.Combine(TestFiles.RepositoryRoot, relativePath), TestFiles.Plain);

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.NotEmpty(result.Sweeps);
    }

    [Fact]
    public void Should_read_the_hyperband_pruning_rule()
    {
        var spec = LoadOne("experiments.sweeps = [{ name = hb, model = cnn, pruning { rule = hyperband, grace-epochs = 2, reduction-factor = 2, min-trials = 3 } }]");

        Assert.Equal(new PruningSpec(PruningRule.Hyperband, 2, 2, 3), spec.Pruning);
    }

    [Fact]
    public void Should_make_the_default_experiments_file_small_enough_for_two_cores()
    {
        var spec = Assert.Single(SpecLoader.LoadFile(Path.Combine(TestFiles.RepositoryRoot, "experiments.hocon"), TestFiles.Plain).Sweeps);

        Assert.Equal(new DatasetSpec(DatasetSpec.DefaultName, null, null, 3000), spec.Dataset);
        Assert.Equal(SearchMethodKind.Random, spec.Search.Method);
        Assert.Equal(4, spec.Search.Samples);
        Assert.Contains(spec.Search.Space.Parameters, d => d is LogUniformDomain { Name: "learning-rate" });
        Assert.Contains(spec.Search.Space.Parameters, d => d.Name == "hidden");
        Assert.Equal(2, spec.CrossValidation.Folds);
        Assert.Equal(3, spec.Training.MaxEpochs);
        Assert.True(spec.EarlyStopping.Enabled);
        Assert.Equal(CnnModel.Metrics.ValLoss, spec.EarlyStopping.Metric);
        Assert.Equal(new ResourcesSpec(2, 1), spec.Resources);
    }

    [Fact]
    public void Should_give_the_final_retrain_its_own_threads_when_the_spec_says_so()
    {
        var spec = LoadOne("experiments.sweeps = [{ name = a, model = cnn, resources { max-concurrent-trials = 2, threads-per-trial = 1, final-retrain-threads = 2 } }]");

        Assert.Equal(2, spec.Resources.FinalRetrainThreads);
        Assert.Equal(1, spec.Resources.ThreadsOf(final: false));
        Assert.Equal(2, spec.Resources.ThreadsOf(final: true));
    }

    [Fact]
    public void Should_train_the_final_retrain_with_threads_per_trial_by_default()
    {
        var spec = LoadOne("experiments.sweeps = [{ name = a, model = cnn, resources { threads-per-trial = 2 } }]");

        Assert.Null(spec.Resources.FinalRetrainThreads);
        Assert.Equal(2, spec.Resources.ThreadsOf(final: true));
    }

    [Fact]
    public void Should_fill_every_key_a_sweep_leaves_out_from_reference_conf_and_the_model_catalog()
    {
        var spec = LoadOne(Minimal);

        Assert.Equal("minimal", spec.Name);
        Assert.Equal(new DatasetSpec(DatasetSpec.DefaultName, null, null, null), spec.Dataset);
        Assert.Equal(new CrossValidationSpec(5, true, 0, 0.1), spec.CrossValidation);
        Assert.Equal(10, spec.Training.MaxEpochs);
        Assert.Null(spec.Training.StepsPerEpoch);
        Assert.Equal(CnnModel.Definition.Defaults, spec.Training.Defaults);
        Assert.False(spec.EarlyStopping.Enabled);
        Assert.Equal(new PruningSpec(PruningRule.None, 1, 3, 4), spec.Pruning);
        Assert.Equal(new ResourcesSpec(1, 1), spec.Resources);
        Assert.Equal(2, spec.Retries);
        Assert.Equal(new CheckpointSpec(true, 1), spec.Checkpoint);
        Assert.Equal(SearchSpace.Empty.Parameters, spec.Search.Space.Parameters);
    }

    [Fact]
    public void Should_read_the_full_documented_example()
    {
        var spec = LoadOne("""
            experiments.sweeps = [{
              name = cnn-lr-cv
              model = cnn
              dataset = { name = mnist-default, limit = 3000 }
              search { method = random, samples = 12, seed = 42
                       space { learning-rate { log-uniform = [1e-4, 1e-2] }, hidden = [64, 128, 256], dropout { uniform = [0, 0.5] }, batch-size { int-range = [32, 128], step = 32 }, optimizer = adam } }
              cross-validation { folds = 5, stratified = on, seed = 7, test-fraction = 0.1 }
              training { max-epochs = 20, steps-per-epoch = null, batch-size = 64, learning-rate = 1e-3 }
              early-stopping { enabled = on, metric = val-loss, mode = min, patience = 3, min-delta = 1e-4 }
              pruning { rule = asha, grace-epochs = 1, reduction-factor = 3, min-trials = 4 }
              resources { max-concurrent-trials = 2, threads-per-trial = 1 }
              retries = 2
              checkpoint { keep-best = on, every-epochs = 1 }
            }]
            """);

        Assert.Equal(new SearchSpec(SearchMethodKind.Random, 12, 42, spec.Search.Space), spec.Search);
        Assert.Equal(
            [
                new LogUniformDomain("learning-rate", 1e-4, 1e-2, null),
                "64,128,256",
                new UniformDomain("dropout", 0, 0.5, null),
                new IntRangeDomain("batch-size", 32, 128, 32),
                new FixedDomain("optimizer", ParamValue.Of("adam")),
            ],
            spec.Search.Space.Parameters.Select(d => d is ChoiceDomain c ? (object)string.Join(",", c.Choices) : d));
        Assert.Equal(new EarlyStoppingSpec(true, "val-loss", OptimizationMode.Min, 3, 1e-4), spec.EarlyStopping);
        Assert.Equal(new PruningSpec(PruningRule.Asha, 1, 3, 4), spec.Pruning);
        Assert.Equal(20, spec.Training.MaxEpochs);
    }

    [Fact]
    public void Should_take_the_early_stopping_mode_from_the_metric_when_none_is_given()
    {
        var spec = LoadOne("experiments.sweeps = [{ name = a, model = cnn, early-stopping { metric = val-accuracy } }]");

        Assert.True(spec.EarlyStopping.Enabled);
        Assert.Equal(OptimizationMode.Max, spec.EarlyStopping.Mode);
    }

    [Fact]
    public void Should_override_model_defaults_with_training_values()
    {
        var spec = LoadOne("experiments.sweeps = [{ name = a, model = gan, training { z-size = 100, label-smoothing = 0.1 } }]");

        Assert.Equal(100, spec.Training.Defaults.Int("z-size"));
        Assert.Equal(0.1, spec.Training.Defaults.Double("label-smoothing"));
        Assert.Equal(2e-4, spec.Training.Defaults.Double("g-learning-rate"));
    }

    [Fact]
    public void Should_resolve_idx_paths_against_the_spec_folder_and_check_they_exist()
    {
        var seen = new List<string>();
        var context = TestFiles.ContextWith(FileExists: p => { seen.Add(p); return true; });

        var spec = LoadOne("experiments.sweeps = [{ name = a, model = cnn, dataset { images = \"data/i.gz\", labels = \"data/l.gz\", limit = 100 } }]", context);

        Assert.Equal("/tmp/data/i.gz", spec.Dataset.Images);
        Assert.Equal("/tmp/data/l.gz", spec.Dataset.Labels);
        Assert.Equal(100, spec.Dataset.Limit);
        Assert.Equal(["/tmp/data/i.gz", "/tmp/data/l.gz"], seen);
    }

    [Fact]
    public void Should_read_a_memory_mapped_idx_dataset()
    {
        var context = TestFiles.ContextWith(FileExists: _ => true);
        var spec = LoadOne("experiments.sweeps = [{ name = a, model = cnn, dataset { images = \"i-idx3-ubyte\", labels = \"l-idx1-ubyte\", memory-mapped = on } }]", context);
        Assert.True(spec.Dataset.MemoryMapped);
    }

    [Theory]
    [InlineData("dataset { images = \"i.gz\", labels = \"l.gz\", memory-mapped = on }", "a .gz file cannot be memory-mapped")]
    [InlineData("dataset { name = mnist-default, memory-mapped = on }", "only IDX files (images and labels) can be memory-mapped")]
    public void Should_refuse_memory_mapping_what_cannot_be_mapped(string dataset, string expected)
    {
        var result = SpecLoader.LoadText($"experiments.sweeps = [{{ name = a, model = cnn, {dataset} }}]", "t.hocon", "/tmp", TestFiles.ContextWith(FileExists: _ => true));
        var error = Assert.Single(result.Errors);
        Assert.Contains("sweeps[0].dataset.memory-mapped", error.ToString());
        Assert.Contains(expected, error.ToString());
    }

    [Fact]
    public void Should_accept_folds_when_every_class_has_enough_samples()
    {
        var context = TestFiles.ContextWith(Dataset: _ => DatasetSummary.FromLabels("labels", [.. Enumerable.Repeat((byte)0, 6), .. Enumerable.Repeat((byte)1, 100)], null));

        var spec = LoadOne("experiments.sweeps = [{ name = a, model = cnn, cross-validation { folds = 5 } }]", context);

        Assert.Equal(5, spec.CrossValidation.Folds);
    }

    [Fact]
    public void Should_report_a_class_count_callback_that_fails_as_an_error_not_an_exception()
    {
        var context = TestFiles.ContextWith(Dataset: _ => throw new IOException("disk on fire"));

        var result = SpecLoader.LoadText(Minimal, "t.hocon", "/tmp", context);

        Assert.Contains(result.Errors, e => e.Message.Contains("disk on fire"));
    }

    [Fact]
    public void Should_report_unclosed_bracket_with_line_and_column()
    {
        var result = SpecLoader.LoadText("experiments {\n  sweeps = [{ name = a }\n}\n", "f.hocon", "/tmp", TestFiles.Plain);

        Assert.Equal("f.hocon:2:12: unclosed '[' (found '}' at 3:1)", Assert.Single(result.Errors).ToString());
    }

    [Fact]
    public void Should_name_the_line_of_a_key_whose_value_is_wrong()
    {
        var result = SpecLoader.LoadText("experiments.sweeps = [{\n  name = a\n  model = cnn\n  training {\n    max-epochs = eight\n  }\n}]", "f.hocon", "/tmp", TestFiles.Plain);

        Assert.Equal("f.hocon:5: sweeps[0].training.max-epochs: expected an integer, got 'eight'", Assert.Single(result.Errors).ToString());
    }

    [Fact]
    public void Should_reject_a_file_larger_than_one_mebibyte_without_parsing_it()
    {
        var result = SpecLoader.LoadText(new string(' ', SpecLoader.MaxBytes + 1), "big.hocon", "/tmp", TestFiles.Plain);

        Assert.Contains("at most", Assert.Single(result.Errors).Message);
    }

    [Fact]
    public void Should_report_a_missing_file_instead_of_throwing()
    {
        var result = SpecLoader.LoadFile("/nonexistent/sweeps.hocon", TestFiles.Plain);

        Assert.Equal("/nonexistent/sweeps.hocon: file not found", Assert.Single(result.Errors).ToString());
    }

    [Fact]
    public void Should_embed_reference_conf_with_every_section_of_a_sweep()
    {
        var reference = SpecLoader.ReferenceConf();

        foreach (var section in new[] { "search", "cross-validation", "training", "early-stopping", "pruning", "resources", "retries", "checkpoint", "dataset" })
            Assert.Contains(section, reference);
    }
}
