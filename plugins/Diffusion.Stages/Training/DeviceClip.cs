using TorchSharp.Modules;

namespace Diffusion.Stages.Training;

/// <summary>
/// The global gradient norm and norm clipping, kept on the gradients' device. The arithmetic is libtorch's
/// <c>clip_grad_norm_</c> (the 2-norm of each gradient, the 2-norm of those, a coefficient max/(norm + 1e-6) clamped at 1,
/// every gradient scaled in place), but the norm stays a tensor: <c>clip_grad_norm_</c> returns it as a double, which on a
/// GPU waits for the whole backward pass (a host-device sync per step). The train stage reads the norm only through
/// <see cref="NonFiniteGuard"/>'s one combined check.
/// </summary>
internal static class DeviceClip
{
    /// <summary>The gradients of <paramref name="parameters"/> that exist (parameters without a gradient are left out, as <c>clip_grad_norm_</c> does).</summary>
    public static Tensor[] Gradients(IEnumerable<Parameter> parameters) =>
        parameters.Select(p => p.grad).Where(g => g is not null).Select(g => g!).ToArray();

    /// <summary>
    /// ‖g‖₂ over all <paramref name="gradients"/> as if they were one vector, a 0-dimensional tensor on their device
    /// (a float32 zero on the CPU when there are none).
    /// </summary>
    public static Tensor TotalNorm(IReadOnlyList<Tensor> gradients)
    {
        if (gradients.Count == 0) return zeros([], ScalarType.Float32);
        if (gradients.Count == 1) return gradients[0].detach().norm(2.0f);
        using var scope = NewDisposeScope();
        var norms = new Tensor[gradients.Count];
        for (int i = 0; i < norms.Length; i++) norms[i] = gradients[i].detach().norm(2.0f);
        return scope.MoveToOuter(stack(norms).norm(2.0f));
    }

    /// <summary><c>clip_grad_norm_</c> without reading the norm back: the gradients of <paramref name="parameters"/> scaled to a norm of at most <paramref name="maxNorm"/>.</summary>
    public static void Clip(IEnumerable<Parameter> parameters, double maxNorm)
    {
        using var scope = NewDisposeScope();
        var gradients = Gradients(parameters);
        Clip(gradients, TotalNorm(gradients), maxNorm);
    }

    /// <summary>
    /// Scales <paramref name="gradients"/> in place by min(1, <paramref name="maxNorm"/>/(<paramref name="norm"/> + 1e-6)),
    /// computed on the device; <paramref name="norm"/> is their <see cref="TotalNorm"/>.
    /// </summary>
    public static void Clip(IReadOnlyList<Tensor> gradients, Tensor norm, double maxNorm)
    {
        if (!(maxNorm > 0)) throw new ArgumentOutOfRangeException(nameof(maxNorm), maxNorm, "must be positive");
        if (gradients.Count == 0) return;
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        // max/(norm + ε) as libtorch divides a scalar by a tensor (the scalar filled into the tensor's dtype, then divided),
        // so the coefficient is bit for bit clip_grad_norm_'s.
        var coefficient = full_like(norm, maxNorm).div_(norm + 1e-6).clamp_max_(1.0);
        foreach (var gradient in gradients) gradient.mul_(coefficient);
    }
}
