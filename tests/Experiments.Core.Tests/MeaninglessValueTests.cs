using Experiments.Core.Spec;

namespace Experiments.Core.Tests;

/// <summary>
/// Issue #15: values that parse but mean something else than written are rejected, or warned
/// about with the file and line.
/// </summary>
public sealed class MeaninglessValueTests
{
    private static readonly SpecContext TwoCores = TestFiles.Plain with { Cores = 2 };

    private static SpecLoadResult Load(string sweep, SpecContext? context = null) =>
        SpecLoader.LoadText($"experiments.sweeps = [{{\n  name = a, model = cnn\n  {sweep}\n}}]", "t.hocon", "/tmp", context ?? TwoCores);

    [Fact]
    public void Should_decode_string_escapes_as_hocon_defines_them()
    {
        var (tokens, errors) = Spec.Hocon.HoconLexer.Tokenize("a = \"x\\ny\\tz\\\\w\\/\\\"\\u00e9\\b\\f\\r\"");

        Assert.Empty(errors);
        Assert.Equal("x\ny\tz\\w/\"\u00e9\b\f\r", tokens.Single(t => t.Quoted).Value);
    }

    [Theory]
    [InlineData("\"abc\\n\"", "'abc\\n'")]
    [InlineData("\"abc\\t\"", "'abc\\t'")]
    [InlineData("\"ab c\"", "'ab c'")]
    public void Should_reject_a_sweep_name_that_is_not_plain(string written, string shown)
    {
        var result = SpecLoader.LoadText($"experiments.sweeps = [{{\n  name = {written}\n  model = cnn\n}}]", "t.hocon", "/tmp", TwoCores);

        var error = Assert.Single(result.Errors);
        Assert.Equal($"t.hocon:2: sweeps[0].name: {shown} is not a valid name: use 1 to 64 lower-case letters, digits and '-', starting with a letter or digit", error.ToString());
    }

    [Fact]
    public void Should_warn_with_the_line_when_threads_per_trial_exceed_the_cores()
    {
        var result = Load("resources { threads-per-trial = 16 }");

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var warning = Assert.Single(result.Warnings);
        Assert.Equal("t.hocon:3: sweeps[0].resources.threads-per-trial: warning: 16 threads per trial but this machine has 2 cores: " +
            "the trial's threads will share them and run slower, not faster", warning.ToString());
    }

    [Fact]
    public void Should_warn_with_the_line_when_the_final_retrain_threads_exceed_the_cores()
    {
        var result = Load("resources { final-retrain-threads = 8 }");

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var warning = Assert.Single(result.Warnings);
        Assert.Equal("t.hocon:3: sweeps[0].resources.final-retrain-threads: warning: 8 threads for the final retrain but this machine has 2 cores: " +
            "the retrain's threads will share them and run slower, not faster", warning.ToString());
    }

    [Fact]
    public void Should_reject_final_retrain_threads_below_one_with_its_line()
    {
        var result = Load("resources { final-retrain-threads = 0 }");

        var error = Assert.Single(result.Errors);
        Assert.Equal("t.hocon:3: sweeps[0].resources.final-retrain-threads: must be between 1 and 1024, got 0", error.ToString());
    }

    [Fact]
    public void Should_not_warn_about_threads_the_machine_has()
    {
        var result = Load("resources { threads-per-trial = 2 }");

        Assert.True(result.IsValid);
        Assert.Empty(result.Warnings);
    }

    [Theory]
    [InlineData("val-loss", "max", "val-loss is better when lower: mode = max would stop the trials that improve (use min, or leave mode out)")]
    [InlineData("val-accuracy", "min", "val-accuracy is better when higher: mode = min would stop the trials that improve (use max, or leave mode out)")]
    public void Should_reject_an_early_stopping_mode_that_contradicts_its_metric(string metric, string mode, string expected)
    {
        var result = Load($"early-stopping {{\n    metric = {metric}\n    mode = {mode}\n  }}");

        Assert.Equal($"t.hocon:5: sweeps[0].early-stopping.mode: {expected}", Assert.Single(result.Errors).ToString());
    }

    [Fact]
    public void Should_reject_a_random_search_over_a_space_that_varies_nothing()
    {
        var result = Load("search { method = random, samples = 5, space { hidden = 64 } }");

        Assert.Equal("t.hocon:3: sweeps[0].search.space: a random search over a space that varies nothing draws the same " +
            "configuration 5 times: vary a parameter, or use method = grid for one run", Assert.Single(result.Errors).ToString());
    }

    [Fact]
    public void Should_accept_a_single_random_sample_of_a_fixed_space() =>
        Assert.True(Load("search { method = random, samples = 1 }").IsValid);

    [Fact]
    public void Should_warn_when_a_random_search_asks_for_more_samples_than_the_space_holds()
    {
        var result = Load("search { method = random, samples = 10, space { hidden = [64, 128] } }");

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Equal("t.hocon:3: sweeps[0].search.samples: warning: 10 samples from a space of 2 configurations repeat some of them; " +
            "use method = grid to run each once", Assert.Single(result.Warnings).ToString());
    }

    [Fact]
    public void Should_print_warnings_after_the_sweep_lines_in_the_report()
    {
        var report = SpecReport.Render(Load("resources { threads-per-trial = 16 }"));

        var lines = report.Split(Environment.NewLine);
        Assert.StartsWith("a: 1 config", lines[0]);
        Assert.StartsWith("t.hocon:3: sweeps[0].resources.threads-per-trial: warning: ", lines[1]);
    }
}
