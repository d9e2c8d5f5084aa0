using Experiments.Core.Search.Tpe;
using FsCheck.Xunit;

namespace Experiments.Core.Tests.Tpe;

/// <summary>
/// Expected values: Python's math.erf / math.erfc (CPython 3.11), and Optuna v4.9.0's
/// optuna/samplers/_tpe/_truncnorm.py (ppf, _log_gauss_mass, _log_ndtr) run on numpy 1.24
/// (Debian 12), printed by Reference/optuna_reference.py (the tests need no Python).
/// </summary>
public sealed class TruncatedNormalSpecs
{
    [Theory]
    [InlineData(0.5, 0.5204998778130465, 0.4795001221869535)]
    [InlineData(1e-20, 1.1283791670955125e-20, 1.0)]
    [InlineData(0.9, 0.7969082124228322, 0.20309178757716786)]
    [InlineData(1.1, 0.8802050695740817, 0.11979493042591827)]
    [InlineData(2.0, 0.9953222650189527, 0.004677734981047265)]
    [InlineData(3.5, 0.9999992569016276, 7.430983723414128e-07)]
    [InlineData(5.9, 0.9999999999999999, 7.190409783550478e-17)]
    [InlineData(6.5, 1.0, 3.8421483271206475e-20)]
    [InlineData(-0.3, -0.3286267594591274, 1.3286267594591274)]
    [InlineData(-2.0, -0.9953222650189527, 1.9953222650189528)]
    public void Erf_and_erfc_match_the_C_library(double x, double erf, double erfc)
    {
        Near.Equal(erf, Erf.Of(x), 1e-15);
        // erfc is compared relative to itself: the tails are where it matters.
        Assert.True(Math.Abs(erfc - Erf.Complement(x)) <= 4e-15 * erfc, $"erfc({x}) = {Erf.Complement(x):R}, expected {erfc:R}");
    }

    [Fact]
    public void Erfc_keeps_its_precision_far_in_the_tails()
    {
        Assert.True(Math.Abs(Erf.Complement(10) / 2.088487583762545e-45 - 1) < 1e-14);
        Assert.True(Math.Abs(Erf.Complement(27) / 5.23705e-319 - 1) < 1e-4); // subnormal: few digits exist
        Assert.Equal(2.0, Erf.Complement(-7));
        Assert.Equal(0.0, Erf.Complement(30));
    }

    [Theory]
    [InlineData(0.3, -1.0, 2.0, -0.24240381788922705)]
    [InlineData(0.999, 0.5, 3.0, 2.936987806592575)]
    [InlineData(1e-06, -30.0, -25.0, -25.545801241321755)]
    [InlineData(0.5, -0.2, 0.1, -0.04944065740603943)]
    [InlineData(0.02, 2.5, 40.0, 2.5071488662885937)]
    public void Quantile_matches_optuna(double q, double a, double b, double expected) =>
        Near.Equal(expected, TruncatedNormal.Ppf(q, a, b), 1e-10);

    [Theory]
    [InlineData(-1.0, 2.0, -0.20016629432446262)]
    [InlineData(0.5, 3.0, -1.1802965106326773)]
    [InlineData(-30.0, -25.0, -316.6394080080202)]
    [InlineData(-0.2, 0.1, -2.1278963696652227)]
    [InlineData(7.0, 9.0, -27.384307586994964)]
    [InlineData(-40.0, 40.0, 0.0)]
    public void Log_mass_matches_optuna(double a, double b, double expected) =>
        Near.Equal(expected, TruncatedNormal.LogMass(a, b), 1e-13);

    [Theory]
    [InlineData(-38.0, -726.5572160188202)]
    [InlineData(-21.0, -224.46571583141449)]
    [InlineData(-5.0, -15.064998393988724)]
    [InlineData(0.3, -0.4814101615884813)]
    [InlineData(7.5, -3.19089167291092e-14)]
    public void Log_cdf_matches_optuna_in_both_tails(double x, double expected)
    {
        var actual = TruncatedNormal.LogCdf(x);
        Assert.True(Math.Abs(actual - expected) <= 1e-13 * Math.Abs(expected), $"log Φ({x}) = {actual:R}, expected {expected:R}");
    }

    [Property(MaxTest = 300)]
    public bool Quantile_inverts_the_truncated_cdf(int quantile, int low, int width)
    {
        var q = (uint)quantile % 10_000 / 10_000.0;
        var a = low % 1500 / 100.0;
        var b = a + 0.01 + (uint)width % 1000 / 100.0;
        var x = TruncatedNormal.Ppf(q, a, b);
        // The mass from a to x is q of the mass from a to b.
        var fraction = q == 0 ? 0 : Math.Exp(TruncatedNormal.LogMass(a, x) - TruncatedNormal.LogMass(a, b));
        return x >= a - 1e-12 * (1 + Math.Abs(a)) && x <= b + 1e-12 * (1 + Math.Abs(b)) && Math.Abs(fraction - q) < 1e-7;
    }
}
