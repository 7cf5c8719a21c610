namespace Diffusion.Samplers.Sampling;

/// <summary>Options of the samplers that add fresh noise each step (ancestral and SDE samplers).</summary>
public class StochasticSamplerOptions : SigmaSamplerOptions
{
    /// <summary>Fresh noise per step: 0 gives the deterministic (ODE) sampler, 1 (default) the full ancestral / SDE step.</summary>
    [Range(0.0, 1.0), Description("Fresh noise per step: 0 is the deterministic ODE sampler, 1 the full ancestral or SDE step.")]
    public double Eta { get; set; } = 1.0;

    /// <summary>Scale of the fresh noise. Default 1.</summary>
    [Range(0.0, 2.0), Description("Scale of the fresh noise (1 = exact).")]
    public double SNoise { get; set; } = 1.0;
}
