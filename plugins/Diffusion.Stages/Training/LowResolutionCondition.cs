namespace Diffusion.Stages;

/// <summary>How the train stage's low-resolution condition is upsampled back to full size.</summary>
public enum LowResUpsample
{
    /// <summary>Bicubic interpolation, clamped to [−1, 1].</summary>
    Bicubic,
    /// <summary>Bilinear interpolation.</summary>
    Bilinear,
}

/// <summary>
/// The SR3 condition of super-resolution training (Saharia et al. 2022): each training image downsampled by an integer
/// factor with area averaging and upsampled back to its size (half-pixel centres), passed to the denoiser as concatenated
/// input channels. The image plugin's <c>superres</c> stage builds the same image from its test images and checks the
/// description the train stage records in the run state (<see cref="StageState.Condition"/>).
/// </summary>
internal static class LowResolutionCondition
{
    /// <summary>The condition [B, C, H, W] for images <paramref name="x0"/> [B, C, H, W] (model space).</summary>
    public static Tensor Of(Tensor x0, int scale, LowResUpsample upsample)
    {
        using var scope = NewDisposeScope();
        var low = nn.functional.avg_pool2d(x0, [scale, scale], [scale, scale]);
        var up = nn.functional.interpolate(low, [x0.shape[2], x0.shape[3]],
            mode: upsample == LowResUpsample.Bicubic ? InterpolationMode.Bicubic : InterpolationMode.Bilinear,
            align_corners: false).clamp(-1, 1);
        return scope.MoveToOuter(up);
    }

    /// <summary>The description recorded for later stages: <c>low_res x2 bicubic</c>.</summary>
    public static string Describe(int scale, LowResUpsample upsample) => $"low_res x{scale} {OptionNames.EnumValueName(upsample)}";

    /// <summary>The condition a train stage of this run recorded for component <paramref name="model"/>, or null.</summary>
    public static (int Scale, LowResUpsample Upsample)? Recorded(StageState state, string model)
    {
        if (state.Condition(model) is not { } description) return null;
        foreach (var upsample in Enum.GetValues<LowResUpsample>())
            foreach (int scale in new[] { 2, 4 })
                if (description == Describe(scale, upsample)) return (scale, upsample);
        return null;
    }
}
