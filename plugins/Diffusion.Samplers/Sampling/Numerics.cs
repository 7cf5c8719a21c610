namespace Diffusion.Samplers.Sampling;

/// <summary>Scalar functions the exponential integrators need with full precision for small steps.</summary>
internal static class Numerics
{
    /// <summary>e^x − 1, accurate for small |x| (Kahan's rewriting; .NET's ExpM1 subtracts after exponentiating). −∞ gives −1.</summary>
    public static double Expm1(double x)
    {
        if (double.IsNegativeInfinity(x)) return -1;
        double u = Math.Exp(x);
        if (u == 1.0) return x;
        double um1 = u - 1.0;
        if (um1 == -1.0) return -1.0;
        if (double.IsPositiveInfinity(u)) return u;
        return um1 * x / Math.Log(u);
    }
}
