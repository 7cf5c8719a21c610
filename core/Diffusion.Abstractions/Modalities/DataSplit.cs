namespace Diffusion.Abstractions.Modalities;

/// <summary>Which part of a dataset to load.</summary>
public enum DataSplit
{
    /// <summary>The training part.</summary>
    Train,
    /// <summary>The held-out part.</summary>
    Test,
}
