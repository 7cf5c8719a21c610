namespace Diffusion.Samplers.Deis;

/// <summary>Options of <see cref="DeisSampler"/>.</summary>
public sealed class DeisOptions : SigmaSamplerOptions
{
    /// <summary>Order of the multistep exponential integrator (past evaluations used). Default 2, as diffusers.</summary>
    [Range(1, 3), Description("Order: number of past evaluations the extrapolation uses (1 = ddim).")]
    public int SolverOrder { get; set; } = 2;
}
