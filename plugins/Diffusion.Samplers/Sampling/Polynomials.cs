namespace Diffusion.Samplers.Sampling;

/// <summary>
/// Exact integrals of Lagrange interpolation polynomials, for the multistep samplers (lms, deis) that extrapolate past
/// derivatives with a polynomial and integrate it over the next step.
/// </summary>
internal static class Polynomials
{
    /// <summary>Coefficients (constant term first) of the j-th Lagrange basis polynomial over <paramref name="nodes"/>.</summary>
    public static double[] LagrangeBasis(IReadOnlyList<double> nodes, int j)
    {
        var c = new double[] { 1.0 };
        for (int k = 0; k < nodes.Count; k++)
        {
            if (k == j) continue;
            double scale = 1.0 / (nodes[j] - nodes[k]);
            var next = new double[c.Length + 1];
            for (int m = 0; m < c.Length; m++)
            {
                next[m + 1] += c[m] * scale;          // u·c_m
                next[m] -= c[m] * nodes[k] * scale;   // −u_k·c_m
            }
            c = next;
        }
        return c;
    }

    /// <summary>∫ from <paramref name="a"/> to <paramref name="b"/> of the polynomial p(u).</summary>
    public static double Integral(double[] p, double a, double b)
    {
        double sum = 0;
        for (int k = 0; k < p.Length; k++)
            sum += p[k] * (Math.Pow(b, k + 1) - Math.Pow(a, k + 1)) / (k + 1);
        return sum;
    }

    /// <summary>
    /// ∫ from <paramref name="a"/> to <paramref name="b"/> of p(u)·e^u, with <paramref name="b"/> possibly −∞; uses
    /// ∫ u^k e^u du = e^u Σ_m (−1)^m k!/(k−m)! u^(k−m).
    /// </summary>
    public static double IntegralTimesExp(double[] p, double a, double b) => Antiderivative(p, b) - Antiderivative(p, a);

    private static double Antiderivative(double[] p, double u)
    {
        if (double.IsNegativeInfinity(u)) return 0;
        double sum = 0;
        for (int k = 0; k < p.Length; k++)
        {
            double term = 0, falling = 1; // k!/(k−m)!
            for (int m = 0; m <= k; m++)
            {
                term += (m % 2 == 0 ? 1 : -1) * falling * Math.Pow(u, k - m);
                falling *= k - m;
            }
            sum += p[k] * term;
        }
        return Math.Exp(u) * sum;
    }

    /// <summary>Solves the small dense system A·x = b by Gaussian elimination with partial pivoting.</summary>
    public static double[] Solve(double[,] a, double[] b)
    {
        int n = b.Length;
        var m = (double[,])a.Clone();
        var x = (double[])b.Clone();
        for (int col = 0; col < n; col++)
        {
            int pivot = col;
            for (int r = col + 1; r < n; r++)
                if (Math.Abs(m[r, col]) > Math.Abs(m[pivot, col])) pivot = r;
            if (pivot != col)
            {
                for (int c = 0; c < n; c++) (m[col, c], m[pivot, c]) = (m[pivot, c], m[col, c]);
                (x[col], x[pivot]) = (x[pivot], x[col]);
            }
            for (int r = col + 1; r < n; r++)
            {
                double f = m[r, col] / m[col, col];
                for (int c = col; c < n; c++) m[r, c] -= f * m[col, c];
                x[r] -= f * x[col];
            }
        }
        for (int r = n - 1; r >= 0; r--)
        {
            for (int c = r + 1; c < n; c++) x[r] -= m[r, c] * x[c];
            x[r] /= m[r, r];
        }
        return x;
    }
}
