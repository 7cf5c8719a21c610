using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace Diffusion.Modalities.Text.Samplers.Mdlm;

/// <summary>Options of <see cref="MdlmSampler"/>.</summary>
public sealed class MdlmOptions
{
    /// <summary>Time units: the denoiser sees t·timesteps (t in [0, 1]). Default 1000.</summary>
    [Range(2, 100_000), Description("Time units: the denoiser sees t * timesteps, t in [0, 1].")]
    public int Timesteps { get; set; } = 1000;

    /// <summary>Smallest training time, keeping the 1/t weight finite. Default 1e-3.</summary>
    [Range(1e-6, 0.5), Description("Smallest training time t (keeps the 1/t weight finite).")]
    public double Eps { get; set; } = 1e-3;

    /// <summary>Draw a batch's training times antithetically (evenly spread, lower loss variance). Default true.</summary>
    [Description("Antithetic (low-discrepancy) training times: one uniform shifted by i/B per batch.")]
    public bool Antithetic { get; set; } = true;

    /// <summary>
    /// Reuse the denoiser output of the previous step when no token changed (saves evaluations; exact for denoisers that
    /// ignore the time, such as transformer1d with time_conditioning: false). Default true.
    /// </summary>
    [Description("Reuse the denoiser output when no token changed in a step (exact when the denoiser ignores time).")]
    public bool Cache { get; set; } = true;
}
