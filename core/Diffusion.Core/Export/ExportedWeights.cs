namespace Diffusion.Core.Export;

/// <summary>Which weights of a checkpoint an export writes.</summary>
public enum ExportedWeights
{
    /// <summary>The EMA weights when the checkpoint has them (what sampling uses), else the trained weights.</summary>
    Auto,
    /// <summary>The exponential moving average of the weights.</summary>
    Ema,
    /// <summary>The trained weights as they were at the checkpoint's step.</summary>
    Model,
}
