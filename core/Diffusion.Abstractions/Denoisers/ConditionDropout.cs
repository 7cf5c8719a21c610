using static TorchSharp.torch;

namespace Diffusion.Abstractions.Denoisers;

/// <summary>
/// Removes the condition of chosen items: training drops conditions at random for classifier-free guidance, and guidance
/// removes them in exactly the same way to get the unconditional output.
/// </summary>
public static class ConditionDropout
{
    /// <summary>
    /// <paramref name="conditioning"/> with the items where <paramref name="dropped"/> [B] is true made unconditional:
    /// class labels become <paramref name="numClasses"/> ("no class"), context vectors and condition images become zeros,
    /// condition tokens become padding (0; the denoiser's learned null condition). Concatenated inputs are kept (they are
    /// the data being transformed, such as the low-resolution image, not a guidance condition).
    /// </summary>
    public static Conditioning Apply(Conditioning conditioning, Tensor dropped, int numClasses)
    {
        ArgumentNullException.ThrowIfNull(conditioning);
        ArgumentNullException.ThrowIfNull(dropped);
        var labels = conditioning.ClassLabels is { } l && numClasses > 0
            ? where(dropped, full_like(l, numClasses), l)
            : conditioning.ClassLabels;
        var context = conditioning.Context is { } c
            ? c * dropped.logical_not().to(c.dtype).reshape(-1, 1, 1)
            : null;
        var tokens = conditioning.Tokens is { } k
            ? k * dropped.logical_not().to(k.dtype).reshape(-1, 1)
            : null;
        var image = conditioning.Image is { } i
            ? i * dropped.logical_not().to(i.dtype).reshape([-1, .. Enumerable.Repeat(1L, (int)i.dim() - 1)])
            : null;
        return conditioning with { ClassLabels = labels, Context = context, Tokens = tokens, Image = image };
    }
}
