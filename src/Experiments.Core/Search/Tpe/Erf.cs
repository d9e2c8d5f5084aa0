namespace Experiments.Core.Search.Tpe;

/// <summary>
/// The error function and its complement, ported from FreeBSD's msun s_erf.c (Sun, 1993), which is
/// also what Optuna's _erf.py ports. .NET has neither; the truncated normal of TPE needs both, erfc
/// accurately in the tails (erf alone loses everything there to cancellation).
/// </summary>
internal static class Erf
{
    private const double Erx = 8.45062911510467529297e-01;
    private const double Efx = 1.28379167095512586316e-01;
    private const double TwoToMinus28 = 3.7252902984619140625e-09;
    private const double TwoToMinus56 = 1.387778780781445675529539585113525390625e-17;

    private static readonly double[] Pp = [1.28379167095512558561e-01, -3.25042107247001499370e-01, -2.84817495755985104766e-02, -5.77027029648944159157e-03, -2.37630166566501626084e-05];
    private static readonly double[] Qq = [1, 3.97917223959155352819e-01, 6.50222499887672944485e-02, 5.08130628187576562776e-03, 1.32494738004321644526e-04, -3.96022827877536812320e-06];
    private static readonly double[] Pa = [-2.36211856075265944077e-03, 4.14856118683748331666e-01, -3.72207876035701323847e-01, 3.18346619901161753674e-01, -1.10894694282396677476e-01, 3.54783043256182359371e-02, -2.16637559486879084300e-03];
    private static readonly double[] Qa = [1, 1.06420880400844228286e-01, 5.40397917702171048937e-01, 7.18286544141962662868e-02, 1.26171219808761642112e-01, 1.36370839120290507362e-02, 1.19844998467991074170e-02];
    private static readonly double[] Ra = [-9.86494403484714822705e-03, -6.93858572707181764372e-01, -1.05586262253232909814e01, -6.23753324503260060396e01, -1.62396669462573470355e02, -1.84605092906711035994e02, -8.12874355063065934246e01, -9.81432934416914548592e00];
    private static readonly double[] Sa = [1, 1.96512716674392571292e01, 1.37657754143519042600e02, 4.34565877475229228821e02, 6.45387271733267880336e02, 4.29008140027567833386e02, 1.08635005541779435134e02, 6.57024977031928170135e00, -6.04244152148580987438e-02];
    private static readonly double[] Rb = [-9.86494292470009928597e-03, -7.99283237680523006574e-01, -1.77579549177547519889e01, -1.60636384855821916062e02, -6.37566443368389627722e02, -1.02509513161107724954e03, -4.83519191608651397019e02];
    private static readonly double[] Sb = [1, 3.03380607434824582924e01, 3.25792512996573918826e02, 1.53672958608443695994e03, 3.19985821950859553908e03, 2.55305040643316442583e03, 4.74528541206955367215e02, -2.24409524465858183362e01];

    public static double Of(double x)
    {
        if (double.IsNaN(x)) return double.NaN;
        var ax = Math.Abs(x);
        double result;
        if (ax < 0.84375) result = ax < TwoToMinus28 ? ax + Efx * ax : ax + ax * Polynomial(Pp, ax * ax) / Polynomial(Qq, ax * ax);
        else if (ax < 1.25) result = Erx + Polynomial(Pa, ax - 1) / Polynomial(Qa, ax - 1);
        else if (ax >= 6) result = 1;
        else result = 1 - TailOverX(ax);
        return x < 0 ? -result : result;
    }

    public static double Complement(double x)
    {
        if (double.IsNaN(x)) return double.NaN;
        var ax = Math.Abs(x);
        if (ax < 0.84375)
        {
            if (ax < TwoToMinus56) return 1 - x;
            var y = Polynomial(Pp, x * x) / Polynomial(Qq, x * x);
            return x < 0.25 ? 1 - (x + x * y) : 0.5 - (x * y + (x - 0.5));
        }
        if (ax < 1.25)
        {
            var pq = Polynomial(Pa, ax - 1) / Polynomial(Qa, ax - 1);
            return x >= 0 ? 1 - Erx - pq : 1 + Erx + pq;
        }
        if (ax < 28 && !(x < -6)) return x > 0 ? TailOverX(ax) : 2 - TailOverX(ax);
        return x > 0 ? 0 : 2;
    }

    /// <summary>erfc(ax) for 1.25 ≤ ax &lt; 28: exp(-ax² - 0.5625 + R/S) / ax, with ax² split exactly as s_erf.c does.</summary>
    private static double TailOverX(double ax)
    {
        var s = 1 / (ax * ax);
        var rs = ax < 1 / 0.35 ? Polynomial(Ra, s) / Polynomial(Sa, s) : Polynomial(Rb, s) / Polynomial(Sb, s);
        // z is ax with the low 32 bits of its mantissa cleared, so z*z is exact.
        var z = BitConverter.Int64BitsToDouble(BitConverter.DoubleToInt64Bits(ax) & unchecked((long)0xFFFFFFFF00000000UL));
        return Math.Exp(-z * z - 0.5625) * Math.Exp((z - ax) * (z + ax) + rs) / ax;
    }

    private static double Polynomial(double[] coefficients, double x)
    {
        var result = 0.0;
        for (var i = coefficients.Length - 1; i >= 0; i--) result = result * x + coefficients[i];
        return result;
    }
}
