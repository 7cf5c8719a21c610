namespace Diffusion.Abstractions.Samplers;

/// <summary>How a rectified-flow schedule draws the training time t ∈ (0, 1).</summary>
public enum FlowTimeSampling
{
    /// <summary>t uniform on [0, 1) (Liu et al. 2022).</summary>
    Uniform,
    /// <summary>t = sigmoid(m + s·n), n ~ N(0, 1): more training at middle times (Esser et al. 2024, SD3's default m = 0, s = 1).</summary>
    LogitNormal,
}
