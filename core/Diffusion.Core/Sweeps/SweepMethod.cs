namespace Diffusion.Core.Sweeps;

/// <summary>How a sweep picks its trials' points.</summary>
public enum SweepMethod
{
    /// <summary>Every combination of the listed values, in order (the first parameter varies slowest).</summary>
    Grid,

    /// <summary>Independent draws from each parameter's distribution.</summary>
    Random,

    /// <summary>Random draws first, then a Tree-structured Parzen Estimator fitted to the finished trials.</summary>
    Tpe,
}
