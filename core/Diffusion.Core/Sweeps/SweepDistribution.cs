using System.Globalization;

namespace Diffusion.Core.Sweeps;

/// <summary>The values a sweep parameter takes.</summary>
public abstract record SweepDistribution
{
    /// <summary>How the distribution is written in a sweep block, e.g. <c>log_uniform(0.0001, 0.01)</c>.</summary>
    public abstract string Describe();

    private protected static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
