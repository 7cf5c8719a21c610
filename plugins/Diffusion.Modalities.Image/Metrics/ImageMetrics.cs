namespace Diffusion.Modalities.Image;

/// <summary>
/// Names of the metrics <see cref="ImageModality"/> reports. Every metric but pixel-mean and pixel-std also reports
/// NAME<see cref="FloorSuffix"/>: the same measure with real images in place of the samples, the best a model can hope for.
/// </summary>
public static class ImageMetrics
{
    /// <summary>Suffix of the real-vs-real value of a metric.</summary>
    public const string FloorSuffix = "-floor";

    /// <summary>Fréchet distance between Gaussian fits of 7x7 average-pooled pixels of samples and reference.</summary>
    public const string FdPixels = "fd-pixels";

    /// <summary>The same distance between two disjoint halves of the reference: what real-vs-real data scores.</summary>
    public const string FdPixelsFloor = FdPixels + FloorSuffix;

    /// <summary>Fréchet distance on the penultimate features of a small classifier trained on the training split (FID's method).</summary>
    public const string Fd = "fd";

    /// <summary>Kernel distance: unbiased squared MMD with the cubic polynomial kernel on the classifier's features (KID's method).</summary>
    public const string Kid = "kid";

    /// <summary>The metric name that selects <see cref="Precision"/> and <see cref="Recall"/>.</summary>
    public const string PrecisionRecall = "precision-recall";

    /// <summary>Share of samples inside the real data's k-NN manifold (Kynkäänniemi et al. 2019).</summary>
    public const string Precision = "precision";

    /// <summary>Share of real images inside the samples' k-NN manifold (Kynkäänniemi et al. 2019).</summary>
    public const string Recall = "recall";

    /// <summary>Share of samples whose nearest training image is much closer than the second nearest (pixel space).</summary>
    public const string Memorization = "memorization";

    /// <summary>The classifier's accuracy on class-conditional samples, against the labels they were asked for.</summary>
    public const string ClassAccuracy = "class-accuracy";

    /// <summary>Mean pixel value of the samples (model space).</summary>
    public const string PixelMean = "pixel-mean";

    /// <summary>Standard deviation of the samples' pixel values (model space).</summary>
    public const string PixelStd = "pixel-std";

    /// <summary>The key of the real-vs-real value of <paramref name="metric"/>.</summary>
    public static string Floor(string metric) => metric + FloorSuffix;
}
