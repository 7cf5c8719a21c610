namespace Diffusion.Stages.Training;

/// <summary>
/// The items, timesteps, noise and conditions of one optimizer step, all drawn from the step's generator in a fixed
/// order (items, timesteps, noise, then the noise offset and the condition drops when they are on), so a step draws
/// the same whatever came before it, and a step split into micro-batches sees the same items as one big batch.
/// </summary>
internal sealed record TrainingBatch(Tensor X0, Tensor Noise, Tensor T, Tensor? Labels, Tensor? Dropped)
{
    /// <summary>The items' condition tokens [B, L], or null.</summary>
    public Tensor? Tokens { get; init; }

    /// <summary>The items' condition images [B, C, H, W], or null.</summary>
    public Tensor? Images { get; init; }

    /// <summary>Items in the batch.</summary>
    public long Count => X0.shape[0];

    /// <summary>Draws <paramref name="count"/> items.</summary>
    public static TrainingBatch Draw(ModalityData data, DataSpec spec, NoiseSchedule schedule, int count, TrainStageOptions options,
        Generator generator, Device device)
    {
        var index = randint(0, data.Count, [count], dtype: ScalarType.Int64, generator: generator);
        var x0 = HostCopy.ToDevice(data.Items.index_select(0, index), device);
        var t = HostCopy.ToDevice(schedule.DrawTrainingTimesteps(count, generator), device);
        var noise = HostCopy.ToDevice(randn(x0.shape, generator: generator), device);
        if (options.NoiseOffset > 0)
            noise = noise + options.NoiseOffset * HostCopy.ToDevice(randn(OffsetShape(spec, x0.shape), generator: generator), device);
        var labels = data.Labels is null ? null : HostCopy.ToDevice(data.Labels.index_select(0, index), device);
        var dropped = options.CondDropout > 0 ? HostCopy.ToDevice(rand([count], generator: generator) < options.CondDropout, device) : null;
        return new TrainingBatch(x0, noise, t, labels, dropped)
        {
            Tokens = data.ConditionTokens is null ? null : HostCopy.ToDevice(data.ConditionTokens.index_select(0, index), device),
            Images = data.ConditionImages is null ? null : HostCopy.ToDevice(data.ConditionImages.index_select(0, index), device),
        };
    }

    /// <summary>
    /// The shape of the offset noise, constant over the axes it shifts: [B, C, 1, ..] for images (one value per item and
    /// channel), [B, 1] for vectors (one per item), [B, 1, .., D] otherwise (one per item and feature, the same at every position).
    /// </summary>
    public static long[] OffsetShape(DataSpec spec, long[] shape)
    {
        var offset = new long[shape.Length];
        Array.Fill(offset, 1L);
        offset[0] = shape[0];
        if (spec.Kind == "image" && shape.Length > 2) offset[1] = shape[1];
        else if (shape.Length > 2) offset[^1] = shape[^1];
        return offset;
    }

    /// <summary>Rows <paramref name="start"/> .. start+length−1.</summary>
    public TrainingBatch Slice(long start, long length) =>
        start == 0 && length == Count
            ? this
            : new TrainingBatch(X0.narrow(0, start, length), Noise.narrow(0, start, length), T.narrow(0, start, length),
                Labels?.narrow(0, start, length), Dropped?.narrow(0, start, length))
            {
                Tokens = Tokens?.narrow(0, start, length),
                Images = Images?.narrow(0, start, length),
            };

    /// <summary>
    /// The conditioning the network sees (class labels, condition tokens, condition images: whatever the data has; the
    /// denoiser uses the ones it was built for), with dropped items' conditions removed (labels to "no class", tokens to
    /// padding, images and a context zeroed). Null when the data has no condition.
    /// </summary>
    public Conditioning? Conditioning(int numClasses)
    {
        if (Labels is null && Tokens is null && Images is null) return null;
        var conditioning = new Conditioning(ClassLabels: Labels) { Tokens = Tokens, Image = Images };
        return Dropped is null ? conditioning : ConditionDropout.Apply(conditioning, Dropped, numClasses);
    }
}
