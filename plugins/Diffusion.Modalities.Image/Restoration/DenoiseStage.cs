namespace Diffusion.Modalities.Image.Restoration;

/// <summary>
/// Denoising: <see cref="SdeditStage"/> in denoise mode. The input carries Gaussian noise of <c>noise_std</c>; the reverse
/// process starts at the matching noise level, so the input's own noise is removed rather than more being added.
/// </summary>
[Plugin(PluginKind.Stage, "denoise", Options = typeof(DenoiseStageOptions),
    Description = "Removes Gaussian noise of a known std with any sampler (sdedit started at the matching level); logs PSNR/SSIM.")]
public sealed class DenoiseStage(DenoiseStageOptions options) : SdeditStage(options);
