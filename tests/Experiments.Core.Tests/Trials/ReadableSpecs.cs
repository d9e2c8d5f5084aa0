using Experiments.Core.Spec;
using Experiments.Core.Trials;

namespace Experiments.Core.Tests.Trials;

public class ReadableSpecs
{
    [Theory]
    [InlineData(0.10820052594248168, "0.1082")]
    [InlineData(5.497469998243057E-05, "5.497e-05")]
    [InlineData(0.0012345678, "0.001235")]
    [InlineData(2.302585092994046, "2.303")]
    [InlineData(143.8123, "143.8")]
    [InlineData(9.99996, "10.00")]
    [InlineData(1234.5678, "1235")]
    [InlineData(-0.5, "-0.5000")]
    [InlineData(128.0, "128")]
    [InlineData(0.0, "0")]
    [InlineData(12345678.9, "1.235e+07")]
    public void Should_show_four_significant_digits(double value, string expected) =>
        Assert.Equal(expected, Readable.Number(value));

    [Fact]
    public void Should_show_a_dash_for_no_value_and_name_non_finite_values() =>
        Assert.Equal(["—", "NaN", "Infinity"], new[] { Readable.Number(null), Readable.Number(double.NaN), Readable.Number(double.PositiveInfinity) });

    [Fact]
    public void Should_list_only_parameters_whose_values_differ()
    {
        var a = ParameterSet.Empty.With("hidden", ParamValue.Of(64)).With("optimizer", ParamValue.Of("adam")).With("dropout", ParamValue.Of(0.1));
        var b = a.With("hidden", ParamValue.Of(128));
        var c = a.With("dropout", ParamValue.Of(0.25));

        Assert.Equal(["dropout", "hidden"], Readable.Varying([a, b, c]));
        Assert.Empty(Readable.Varying([a, a]));
        Assert.Equal("dropout=0.1000, hidden=64, optimizer=adam", Readable.Parameters(a));
    }
}
