using Experiments.Core.Spec;

namespace Experiments.Core.Tests;

/// <summary>Issue #13: include, substitutions and merging, as HOCON defines them, in one parse.</summary>
public sealed class HoconFeatureTests : IDisposable
{
    private readonly TempDir _folder = new();

    public void Dispose() => _folder.Dispose();

    private string Write(string relativePath, string text) => _folder.Write(relativePath, text);

    private static SpecLoadResult LoadText(string text) => SpecLoader.LoadText(text, "t.hocon", "/tmp", TestFiles.Plain);

    private static SweepSpec Single(SpecLoadResult result)
    {
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        return Assert.Single(result.Sweeps);
    }

    [Fact]
    public void Should_share_a_base_sweep_from_an_included_file_beside_the_spec()
    {
        Write("base.conf", "base { model = cnn, training { max-epochs = 3 }, cross-validation.folds = 2 }\n");
        var spec = Write("sweeps.hocon", """
            include "base.conf"
            experiments.sweeps = [
              ${base} { name = short }
              ${base} { name = long, training.max-epochs = 5 }
            ]
            """);

        var result = SpecLoader.LoadFile(spec, TestFiles.Plain);

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Equal([("short", 3, 2), ("long", 5, 2)], result.Sweeps.Select(s => (s.Name, s.Training.MaxEpochs, s.CrossValidation.Folds)));
    }

    [Fact]
    public void Should_find_an_include_relative_to_the_file_that_includes_it()
    {
        Write("parts/base.conf", "include \"more.conf\"\nbase.model = gan\n");
        Write("parts/more.conf", "base.training.max-epochs = 7\n");
        var spec = Write("sweeps.hocon", "include \"parts/base.conf\"\nexperiments.sweeps = [${base} { name = a }]\n");

        var sweep = Single(SpecLoader.LoadFile(spec, TestFiles.Plain));

        Assert.Equal((ModelKind.Gan, 7), (sweep.Model, sweep.Training.MaxEpochs));
    }

    [Fact]
    public void Should_name_the_file_and_line_of_an_include_cycle()
    {
        Write("a.conf", "x = 1\ninclude \"b.conf\"\n");
        var b = Write("b.conf", "include \"a.conf\"\n");
        var spec = Write("sweeps.hocon", "include \"a.conf\"\nexperiments.sweeps = [{ name = a, model = cnn }]\n");

        var result = SpecLoader.LoadFile(spec, TestFiles.Plain);

        Assert.Equal($"{b}:1:9: include cycle: sweeps.hocon -> a.conf -> b.conf -> a.conf", Assert.Single(result.Errors).ToString());
    }

    [Fact]
    public void Should_report_a_syntax_error_of_an_included_file_at_its_own_line()
    {
        var part = Write("part.conf", "base {\n  model = cnn,,\n}\n");
        var spec = Write("sweeps.hocon", "include \"part.conf\"\nexperiments.sweeps = [${base} { name = a }]\n");

        var result = SpecLoader.LoadFile(spec, TestFiles.Plain);

        Assert.Equal($"{part}:2:15: doubled ','", Assert.Single(result.Errors).ToString());
    }

    [Fact]
    public void Should_merge_a_duplicate_object_key_and_let_a_later_scalar_win()
    {
        var sweep = Single(LoadText("""
            experiments.sweeps = [{
              name = a, model = cnn
              training { max-epochs = 3, batch-size = 16 }
              training { max-epochs = 4 }
              retries = 1
              retries = 5
            }]
            """));

        Assert.Equal((4, 16, 5), (sweep.Training.MaxEpochs, sweep.Training.Defaults.Int("batch-size"), sweep.Retries));
    }

    [Fact]
    public void Should_read_a_self_reference_as_the_earlier_value_of_the_key()
    {
        var sweep = Single(LoadText("""
            base { model = cnn, training.max-epochs = 3 }
            base = ${base} { training.batch-size = 16 }
            experiments.sweeps = [${base} { name = a }]
            """));

        Assert.Equal((3, 16), (sweep.Training.MaxEpochs, sweep.Training.Defaults.Int("batch-size")));
    }

    [Fact]
    public void Should_leave_out_a_field_whose_optional_substitution_is_missing()
    {
        var sweep = Single(LoadText("experiments.sweeps = [{ name = a, model = cnn, training.max-epochs = ${?epochs} }]"));

        Assert.Equal(10, sweep.Training.MaxEpochs);
    }

    [Fact]
    public void Should_join_substituted_text_with_the_text_beside_it()
    {
        var sweep = Single(LoadText("family = cnn\nexperiments.sweeps = [{ name = ${family}-lr, model = ${family} }]"));

        Assert.Equal("cnn-lr", sweep.Name);
    }

    [Fact]
    public void Should_report_a_key_that_refers_to_itself_with_nothing_before_it()
    {
        var result = LoadText("a = ${a}\nexperiments.sweeps = [{ name = a, model = cnn }]");

        Assert.Equal("t.hocon:1:5: substitution cycle: ${a} -> ${a}", Assert.Single(result.Errors).ToString());
    }

    [Fact]
    public void Should_still_reject_an_unknown_top_level_key_that_no_substitution_uses()
    {
        var result = LoadText("base { model = cnn }\nbsae { model = gan }\nexperiments.sweeps = [${base} { name = a }]");

        Assert.Equal("t.hocon:2: bsae: unknown key 'bsae' (did you mean 'base'?)", Assert.Single(result.Errors).ToString());
    }
}
