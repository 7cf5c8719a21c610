using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace Diffusion.Modalities.Image.Latent;

/// <summary>Options of the <c>train-autoencoder</c> stage.</summary>
public sealed class TrainAutoencoderStageOptions
{
    /// <summary>The <c>latent</c> modality component whose autoencoder is trained (on its images).</summary>
    [Required, ComponentRef(PluginKind.Modality), Description("The latent modality component whose autoencoder is trained on its images.")]
    public string Data { get; set; } = "";

    /// <summary>Optimizer steps. Default 2000.</summary>
    [Range(1, int.MaxValue), Description("Optimizer steps.")]
    public int Steps { get; set; } = 2000;

    /// <summary>Images per step. Default 32.</summary>
    [Range(1, 4096), Description("Images per step.")]
    public int BatchSize { get; set; } = 32;

    /// <summary>AdamW learning rate. Default 5e-4.</summary>
    [Range(1e-9, 1.0), Description("AdamW learning rate.")]
    public double Lr { get; set; } = 5e-4;

    /// <summary>
    /// Weight of the KL term (summed over latent values, averaged over images) against the mean L1 reconstruction error.
    /// Default 1e-6 (Stable Diffusion's autoencoders): enough to keep the latent smooth and bounded, small enough to keep detail.
    /// </summary>
    [Range(0.0, 1.0), Description("Weight of the KL divergence to N(0, I) against the mean L1 reconstruction loss (SD uses 1e-6).")]
    public double KlWeight { get; set; } = 1e-6;

    /// <summary>Save a checkpoint every N steps (and at the end); 0: only at the end. Default 500.</summary>
    [Range(0, int.MaxValue), Description("Checkpoint every N steps (and at the end); 0: only at the end.")]
    public int CheckpointEvery { get; set; } = 500;

    /// <summary>Training images encoded to compute the scaling factor 1/std of the latents. Default 1024.</summary>
    [Range(16, 1_000_000), Description("Training images encoded to compute the scaling factor (1/std of their latents).")]
    public int ScaleItems { get; set; } = 1024;

    /// <summary>Held-out (test split) images scored for reconstruction PSNR, SSIM and the modality's metrics. Default 500.</summary>
    [Range(1, 1_000_000), Description("Held-out images reconstructed and scored (PSNR, SSIM and the data's metrics such as fd).")]
    public int EvalItems { get; set; } = 500;
}
