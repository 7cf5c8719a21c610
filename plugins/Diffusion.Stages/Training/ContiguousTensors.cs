namespace Diffusion.Stages.Training;

/// <summary>
/// Tensors moved into one contiguous buffer, each becoming a view of its slice, with (optionally) their gradients moved
/// into a second buffer alike: an elementwise update of all of them (the optimizer's, the weight average's, the gradient
/// clipping's scaling, zeroing the gradients) is then one operation over the buffer instead of one per tensor, what
/// PyTorch's fused and foreach optimizers and DDP's gradient buckets avoid for the same reason. The tensors keep their
/// identity (libtorch's <c>set_</c> re-points each one at its slice), so the modules that own them, the optimizer state
/// keyed by them and autograd, which adds each backward pass's gradient into the existing one in place, keep working;
/// values and gradients are copied in unchanged.
/// </summary>
internal sealed class ContiguousTensors : IDisposable
{
    /// <summary>Packs <paramref name="tensors"/> (same dtype and device, at least one); with <paramref name="gradients"/> their gradients too (zeros where there is none yet).</summary>
    public ContiguousTensors(IReadOnlyList<Tensor> tensors, bool gradients)
    {
        if (!CanPack(tensors)) throw new ArgumentException("tensors of one floating dtype on one device are needed", nameof(tensors));
        Count = tensors.Count;
        Members = [.. tensors];
        var first = tensors[0];
        long total = tensors.Sum(t => t.numel());
        // Kept past the caller's dispose scope (the first training step's): they live as long as this object.
        Values = empty([total], first.dtype, first.device).DetachFromDisposeScope();
        Gradients = gradients ? zeros([total], first.dtype, first.device).DetachFromDisposeScope() : null;
        var valueViews = new Tensor[tensors.Count];
        var gradientViews = gradients ? new Tensor[tensors.Count] : [];
        ValueViews = valueViews;
        GradientViews = gradientViews;
        using var noGrad = no_grad();
        long offset = 0;
        for (int i = 0; i < tensors.Count; i++)
        {
            var tensor = tensors[i];
            long n = tensor.numel();
            var view = Values.narrow(0, offset, n).view(tensor.shape).DetachFromDisposeScope();
            view.copy_(tensor);
            tensor.set_(view);
            valueViews[i] = view;
            if (Gradients is not null)
            {
                var gradient = Gradients.narrow(0, offset, n).view(tensor.shape).DetachFromDisposeScope();
                using (var existing = tensor.grad)
                    if (existing is not null) gradient.copy_(existing);
                tensor.grad = gradient;
                gradientViews[i] = gradient;
            }
            offset += n;
        }
    }

    /// <summary>True when <paramref name="tensors"/> can share one buffer: at least one, all of one floating dtype, on one device.</summary>
    public static bool CanPack(IReadOnlyList<Tensor> tensors) =>
        tensors.Count > 0 && tensors[0].is_floating_point()
        && tensors.All(t => t.dtype == tensors[0].dtype && t.device_type == tensors[0].device_type && t.device_index == tensors[0].device_index);

    /// <summary>How many tensors share the buffer.</summary>
    public int Count { get; }

    /// <summary>The packed tensors themselves (not owned), in buffer order.</summary>
    public IReadOnlyList<Tensor> Members { get; }

    /// <summary>The values, one after another in the order given.</summary>
    public Tensor Values { get; }

    /// <summary>The gradients in the same layout, or null when they were not packed.</summary>
    public Tensor? Gradients { get; }

    /// <summary>Each tensor's slice of <see cref="Values"/>, shaped as the tensor.</summary>
    public IReadOnlyList<Tensor> ValueViews { get; }

    /// <summary>Each tensor's slice of <see cref="Gradients"/>, shaped as the tensor (empty when gradients were not packed).</summary>
    public IReadOnlyList<Tensor> GradientViews { get; }

    /// <summary>
    /// Packs <paramref name="others"/> into a buffer of their own in this one's layout (the i-th of them at the i-th slice),
    /// without gradients: for a second set of the same shapes (a weight average of the packed parameters).
    /// </summary>
    public ContiguousTensors Mirror(IReadOnlyList<Tensor> others)
    {
        if (others.Count != Count) throw new ArgumentException($"{others.Count} tensors for a layout of {Count}", nameof(others));
        for (int i = 0; i < Count; i++)
            if (!others[i].shape.SequenceEqual(ValueViews[i].shape))
                throw new ArgumentException($"tensor {i} has shape [{string.Join(", ", others[i].shape)}], the layout [{string.Join(", ", ValueViews[i].shape)}]", nameof(others));
        return new ContiguousTensors(others, gradients: false);
    }

    public void Dispose()
    {
        // The tensors keep the buffers alive through their own references; these are only this object's handles.
        foreach (var view in ValueViews) view.Dispose();
        foreach (var view in GradientViews) view.Dispose();
        Values.Dispose();
        Gradients?.Dispose();
    }
}
