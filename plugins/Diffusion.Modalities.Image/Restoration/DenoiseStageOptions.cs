namespace Diffusion.Modalities.Image.Restoration;

/// <summary>Options of the <c>denoise</c> stage: <c>sdedit</c>'s, with mode denoise and noise_std 0.1 by default.</summary>
public sealed class DenoiseStageOptions : SdeditStageOptions
{
    /// <summary>Creates the options with the denoising defaults.</summary>
    public DenoiseStageOptions()
    {
        Mode = SdeditMode.Denoise;
        NoiseStd = 0.1;
    }
}
