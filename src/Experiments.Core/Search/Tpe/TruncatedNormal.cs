namespace Experiments.Core.Search.Tpe;

/// <summary>
/// The standard normal truncated to [a, b], in log space where it matters: a port of Optuna's
/// _truncnorm.py (itself from SciPy), scalar instead of vectorised. Bounds a and b are in standard
/// units, (bound − μ) / σ.
/// </summary>
public static class TruncatedNormal
{
    private static readonly double LogSqrt2Pi = Math.Log(Math.Sqrt(2 * Math.PI));
    private static readonly double LogisticScale = Math.Sqrt(3) / Math.PI;
    // Python's sys.float_info.epsilon (double.Epsilon in .NET is the smallest subnormal instead).
    private const double MachineEpsilon = 2.220446049250313e-16;

    /// <summary>Φ(a), the standard normal CDF, accurate in both tails.</summary>
    public static double Cdf(double a)
    {
        var x = a / Math.Sqrt(2);
        if (x < -1 / Math.Sqrt(2)) return 0.5 * Erf.Complement(-x);
        if (x < 1 / Math.Sqrt(2)) return 0.5 + 0.5 * Erf.Of(x);
        return 1 - 0.5 * Erf.Complement(x);
    }

    /// <summary>log Φ(a); an asymptotic series below −20 where Φ underflows.</summary>
    public static double LogCdf(double a)
    {
        if (a > 6) return -Cdf(-a);
        if (a > -20) return Math.Log(Cdf(a));
        var logLhs = -0.5 * a * a - Math.Log(-a) - 0.5 * Math.Log(2 * Math.PI);
        double lastTotal = 0, rightHandSide = 1, numerator = 1, denominatorFactor = 1;
        var denominatorStep = 1 / (a * a);
        var sign = 1;
        for (var i = 1; Math.Abs(lastTotal - rightHandSide) > MachineEpsilon; i++)
        {
            lastTotal = rightHandSide;
            sign = -sign;
            denominatorFactor *= denominatorStep;
            numerator *= 2 * i - 1;
            rightHandSide += sign * numerator * denominatorFactor;
        }
        return logLhs + Math.Log(rightHandSide);
    }

    /// <summary>log of the standard normal's mass in [a, b], working in the left tail for accuracy.</summary>
    public static double LogMass(double a, double b)
    {
        if (b <= 0) return LogDiff(LogCdf(b), LogCdf(a));
        if (a > 0) return LogDiff(LogCdf(-a), LogCdf(-b));
        return LogOnePlus(-Cdf(a) - Cdf(-b));
    }

    /// <summary>The log density at standard-unit <paramref name="z"/> of N(0,1) truncated to [a, b]; −∞ outside, NaN if a = b.</summary>
    public static double LogPdf(double z, double a, double b)
    {
        if (a == b) return double.NaN;
        if (z < a || z > b) return double.NegativeInfinity;
        return -z * z / 2 - LogSqrt2Pi - LogMass(a, b);
    }

    /// <summary>The quantile: c in [a, b] with Φ(c) = Φ(a) + q (Φ(b) − Φ(a)), solved in log space.</summary>
    public static double Ppf(double q, double a, double b)
    {
        if (a == b) return double.NaN;
        if (q == 0) return a;
        if (q == 1) return b;
        var logMass = LogMass(a, b);
        return a < 0
            ? InverseLogCdf(LogAddExp(LogCdf(a), Math.Log(q) + logMass))
            : -InverseLogCdf(LogAddExp(LogCdf(-b), LogOnePlus(-q) + logMass));
    }

    /// <summary>x with log Φ(x) = y, by Newton's method from Optuna's initial guesses (_ndtri_exp).</summary>
    public static double InverseLogCdf(double y)
    {
        // Near y = 0 solve for −x on the other side, where the tail is accurate.
        var flipped = y > -1e-2;
        var z = flipped ? Math.Log(-ExpMinusOne(y)) : y;
        var x = z < -5 ? -Math.Sqrt(-2.0 * (z + LogSqrt2Pi)) : -LogisticScale * Math.Log(ExpMinusOne(-z));
        for (var i = 0; i < 100; i++)
        {
            var logCdf = LogCdf(x);
            var logPdf = -0.5 * x * x - LogSqrt2Pi;
            var dx = (logCdf - z) * Math.Exp(logCdf - logPdf);
            x -= dx;
            if (Math.Abs(dx) < 1e-8 * Math.Abs(x)) break;
        }
        return flipped ? -x : x;
    }

    /// <summary>log(e^p + e^q) without overflow (numpy's logaddexp).</summary>
    public static double LogAddExp(double p, double q)
    {
        if (p == q) return p + Math.Log(2);
        var max = Math.Max(p, q);
        return double.IsNegativeInfinity(max) ? max : max + LogOnePlus(Math.Exp(-Math.Abs(p - q)));
    }

    /// <summary>log(e^p − e^q) for p ≥ q.</summary>
    private static double LogDiff(double p, double q) => p + LogOnePlus(-Math.Exp(q - p));

    /// <summary>log(1 + x), accurate for small x (Kahan's trick; .NET's double.LogP1 is log(x + 1)).</summary>
    public static double LogOnePlus(double x)
    {
        var u = 1 + x;
        if (u == 1) return x;
        if (double.IsInfinity(u) || u <= 0) return Math.Log(u);
        return Math.Log(u) * x / (u - 1);
    }

    /// <summary>e^x − 1, accurate for small x (Kahan's trick).</summary>
    public static double ExpMinusOne(double x)
    {
        var u = Math.Exp(x);
        if (u == 1) return x;
        var um1 = u - 1;
        if (um1 == -1 || double.IsInfinity(u)) return um1;
        return um1 * x / Math.Log(u);
    }
}
