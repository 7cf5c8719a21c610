using Diffusion.Abstractions.Denoisers;
using static TorchSharp.torch;

namespace Diffusion.Abstractions.Samplers;

/// <summary>
/// Classifier-free guidance (Ho and Salimans 2022): output = (1+w)·cond − w·uncond, where the unconditional output comes
/// from the same network with the condition removed exactly as condition dropout removed it in training
/// (<see cref="ConditionDropout"/>). Optional rescale φ (Lin et al. 2024): the guided output is also rescaled to the
/// conditional output's standard deviation per item, and the two are blended by φ. Works on any output (noise, v, x0 or
/// token logits).
/// </summary>
/// <param name="scale">The guidance scale w.</param>
/// <param name="rescale">The rescale blend φ in [0, 1].</param>
/// <param name="numClasses">The class count of the model's data (its "no class" label), 0 when unlabelled.</param>
public sealed class ClassifierFreeGuidance(double scale, double rescale, int numClasses)
{
    /// <summary>The guidance scale w.</summary>
    public double Scale { get; } = scale;

    /// <summary>The rescale blend φ.</summary>
    public double Rescale { get; } = rescale;

    /// <summary><paramref name="conditioning"/> with every item's condition removed.</summary>
    public Conditioning Unconditional(Conditioning conditioning, long batch, Device device) =>
        ConditionDropout.Apply(conditioning, ones([batch], dtype: ScalarType.Bool, device: device), numClasses);

    /// <summary>The guided output from the conditional and unconditional ones.</summary>
    public Tensor Combine(Tensor conditional, Tensor unconditional)
    {
        ArgumentNullException.ThrowIfNull(conditional);
        ArgumentNullException.ThrowIfNull(unconditional);
        var guided = conditional + Scale * (conditional - unconditional);
        if (Rescale == 0) return guided;
        var dims = Enumerable.Range(1, (int)conditional.dim() - 1).Select(d => (long)d).ToArray();
        var rescaled = guided * (conditional.std(dims, keepdim: true) / guided.std(dims, keepdim: true).clamp_min(1e-8));
        return Rescale * rescaled + (1 - Rescale) * guided;
    }
}
