using System.Text;
using Experiments.Core.Search;
using Experiments.Core.Spec;
using FsCheck.Xunit;

namespace Experiments.Core.Tests;

/// <summary>Whatever the bytes, the loader answers with sweeps or errors: no exception, no hang.</summary>
public sealed class RobustnessTests
{
    private static readonly string Example = File.ReadAllText(Path.Combine(TestFiles.RepositoryRoot, "config/sweeps/cnn-random.hocon"));

    private static bool Answers(SpecLoadResult result) => result.IsValid ? !result.Sweeps.IsEmpty : !result.Errors.IsEmpty;

    [Property(MaxTest = 1000)]
    public bool LoadText_never_throws_on_any_string(string? text) =>
        Answers(SpecLoader.LoadText(text ?? "", "fuzz.hocon", "/tmp", TestFiles.Context));

    [Property(MaxTest = 1000)]
    public bool LoadBytes_never_throws_on_any_bytes(byte[]? bytes) =>
        Answers(SpecLoader.LoadBytes(bytes ?? [], "fuzz.hocon", "/tmp", TestFiles.Context));

    [Property(MaxTest = 1000)]
    public bool LoadText_never_throws_on_a_valid_spec_with_random_edits(int seed)
    {
        // Edits with HOCON's structural characters reach deeper than random text: most of these
        // documents pass the lexer and reach the parser and the resolver.
        const string alphabet = "{}[],:=\"\n #$+.-0a\\";
        var random = new SplitMix64((ulong)(uint)seed);
        var text = new StringBuilder(Example);
        for (var edits = 1 + (int)random.NextBelow(4); edits > 0; edits--)
        {
            var at = (int)random.NextBelow((ulong)text.Length);
            if (random.NextBelow(2) == 0) text.Remove(at, 1);
            else text.Insert(at, alphabet[(int)random.NextBelow((ulong)alphabet.Length)]);
        }
        return Answers(SpecLoader.LoadText(text.ToString(), "fuzz.hocon", "/tmp", TestFiles.Context));
    }

    [Fact]
    public void Should_answer_an_unclosed_bracket_followed_by_many_lines_with_an_error()
    {
        var text = "experiments.sweeps = [\n" + string.Concat(Enumerable.Range(0, 20_000).Select(i => $"  k{i} = {i}\n"));

        var result = SpecLoader.LoadText(text, "f.hocon", "/tmp", TestFiles.Plain);

        Assert.Equal("f.hocon:1:22: unclosed '[' (reached the end of the file)", Assert.Single(result.Errors).ToString());
    }

    [Fact]
    public void Should_answer_substitutions_that_refer_to_each_other_with_one_located_cycle_error()
    {
        var result = SpecLoader.LoadText("a = ${b}\nb = ${a}\n", "f.hocon", "/tmp", TestFiles.Plain);

        Assert.Equal("f.hocon:1:5: substitution cycle: ${b} -> ${a} -> ${b}", Assert.Single(result.Errors).ToString());
    }

    [Fact]
    public void Should_stop_substitutions_that_double_a_value_at_every_level()
    {
        var text = "l0 = [1, 1]\n" + string.Concat(Enumerable.Range(1, 40).Select(i => $"l{i} = ${{l{i - 1}}} ${{l{i - 1}}}\n"))
            + "experiments.sweeps = [{ name = a, model = cnn, search.space.hidden = ${l40} }]";

        var result = SpecLoader.LoadText(text, "f.hocon", "/tmp", TestFiles.Plain);

        Assert.Contains("more than 100,000 values", Assert.Single(result.Errors).ToString());
    }
}
