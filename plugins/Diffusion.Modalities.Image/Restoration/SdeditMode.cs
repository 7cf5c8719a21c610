namespace Diffusion.Modalities.Image.Restoration;

/// <summary>How an <c>sdedit</c> stage picks the noise level it starts from.</summary>
public enum SdeditMode
{
    /// <summary>From <c>strength</c>: the schedule is cut at strength·(T − 1) and the image noised to where the sampler starts.</summary>
    Sdedit,
    /// <summary>From <c>noise_std</c>: the lowest level at least as noisy as the corrupted input, whose noise then counts as part of it.</summary>
    Denoise,
}
