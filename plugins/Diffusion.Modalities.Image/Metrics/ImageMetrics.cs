namespace Diffusion.Modalities.Image;

/// <summary>Names of the metrics <see cref="ImageModality"/> reports.</summary>
public static class ImageMetrics
{
    /// <summary>Fréchet distance between Gaussian fits of 7x7 average-pooled pixels of samples and reference.</summary>
    public const string FdPixels = "fd-pixels";

    /// <summary>The same distance between two disjoint halves of the reference: what real-vs-real data scores.</summary>
    public const string FdPixelsFloor = "fd-pixels-floor";

    /// <summary>Mean pixel value of the samples (model space).</summary>
    public const string PixelMean = "pixel-mean";

    /// <summary>Standard deviation of the samples' pixel values (model space).</summary>
    public const string PixelStd = "pixel-std";
}
