using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace Example.Stripes;

/// <summary>Options of <see cref="StripesModality"/>.</summary>
public sealed class StripesOptions
{
    /// <summary>Items in the training split (the test split has half as many).</summary>
    [Range(1, 1_000_000), Description("Number of training images (the test split has half as many).")]
    public int Count { get; set; } = 256;

    /// <summary>Width and height in pixels.</summary>
    [Range(4, 256), Description("Image width and height in pixels.")]
    public int ImageSize { get; set; } = 16;

    /// <summary>Stripe period in pixels (one dark and one light band).</summary>
    [Range(2, 256), Description("Stripe period in pixels: one dark band and one light band.")]
    public int Period { get; set; } = 4;
}
