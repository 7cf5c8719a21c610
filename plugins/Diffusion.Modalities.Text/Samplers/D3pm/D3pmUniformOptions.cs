using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace Diffusion.Modalities.Text.Samplers.D3pm;

/// <summary>Options of <see cref="D3pmUniformSampler"/>.</summary>
public sealed class D3pmUniformOptions
{
    /// <summary>Discrete training timesteps T (the ELBO has T terms); the denoiser sees t·T. Default 1000.</summary>
    [Range(2, 100_000), Description("Discrete training timesteps T (the ELBO's terms); the denoiser sees t * T.")]
    public int Timesteps { get; set; } = 1000;

    /// <summary>Weight λ of the auxiliary cross-entropy on the denoiser's x0 prediction (D3PM's hybrid loss). Default 0.01.</summary>
    [Range(0.0, 1000.0), Description("Weight of the auxiliary x0 cross-entropy (D3PM hybrid loss; 0: pure NELBO).")]
    public double HybridWeight { get; set; } = 0.01;

    /// <summary>Draw a batch's timesteps antithetically (evenly spread). Default true.</summary>
    [Description("Antithetic (low-discrepancy) training timesteps.")]
    public bool Antithetic { get; set; } = true;
}
