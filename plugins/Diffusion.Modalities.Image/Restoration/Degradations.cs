namespace Diffusion.Modalities.Image.Restoration;

/// <summary>How a low-resolution image is brought back to full size.</summary>
public enum Upsampling
{
    /// <summary>Bicubic interpolation (a = −0.75, as PyTorch), clamped to [−1, 1].</summary>
    Bicubic,
    /// <summary>Bilinear interpolation.</summary>
    Bilinear,
}

/// <summary>The corruptions restoration stages undo, in model space ([−1, 1]).</summary>
internal static class Degradations
{
    /// <summary>Downsamples [B, C, H, W] by <paramref name="scale"/> with area averaging (average pooling over scale×scale blocks).</summary>
    public static Tensor Downsample(Tensor images, int scale) =>
        nn.functional.avg_pool2d(images, [scale, scale], [scale, scale]);

    /// <summary>
    /// Upsamples [B, C, h, w] to <paramref name="height"/> x <paramref name="width"/> (half-pixel centres, no corner
    /// alignment), clamped to [−1, 1] since bicubic overshoots at edges. The train stage's <c>low_res_scale</c> condition
    /// makes the same image.
    /// </summary>
    public static Tensor Upsample(Tensor images, long height, long width, Upsampling mode) =>
        nn.functional.interpolate(images, [height, width],
            mode: mode == Upsampling.Bicubic ? InterpolationMode.Bicubic : InterpolationMode.Bilinear,
            align_corners: false).clamp(-1, 1);

    /// <summary>The SR3 condition: the image downsampled by <paramref name="scale"/> and upsampled back to its size.</summary>
    public static Tensor LowResolutionCondition(Tensor images, int scale, Upsampling mode)
    {
        using var scope = NewDisposeScope();
        var low = Downsample(images, scale);
        return scope.MoveToOuter(Upsample(low, images.shape[2], images.shape[3], mode));
    }

    /// <summary>The spelling of a condition the train stage records and the superres stage checks: <c>low_res x2 bicubic</c>.</summary>
    public static string Describe(int scale, Upsampling mode) => $"low_res x{scale} {OptionNames.EnumValueName(mode)}";
}
