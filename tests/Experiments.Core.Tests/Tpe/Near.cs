namespace Experiments.Core.Tests.Tpe;

/// <summary>Comparisons of doubles to reference numbers, relative to their size.</summary>
internal static class Near
{
    public static void Equal(double expected, double actual, double relative = 1e-12)
    {
        if (double.IsInfinity(expected) || double.IsNaN(expected)) { Assert.Equal(expected, actual); return; }
        var tolerance = relative * Math.Max(1.0, Math.Abs(expected));
        Assert.True(Math.Abs(expected - actual) <= tolerance, $"expected {expected:R}, got {actual:R} (off by {Math.Abs(expected - actual):R})");
    }

    public static void All(IReadOnlyList<double> expected, IReadOnlyList<double> actual, double relative = 1e-12)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++) Equal(expected[i], actual[i], relative);
    }
}
