using static TorchSharp.torch;

namespace Diffusion.Abstractions.Samplers;

/// <summary>Timestep tensors for the model and for the schedule's conversions (float64 when x is, so fractional timesteps stay exact).</summary>
public static class TimestepTensors
{
    /// <summary>The timestep for every row of <paramref name="x"/>, as <see cref="ISamplingContext.Predict"/> takes it.</summary>
    public static Tensor Batch(Tensor x, double t) => full(x.shape[0], t, dtype: DTypeFor(x), device: x.device);

    /// <summary>
    /// One timestep shared by all rows, shape [1]: <see cref="NoiseSchedule.Split"/> broadcasts it, and
    /// looks ᾱ up once instead of once per row.
    /// </summary>
    public static Tensor Shared(Tensor x, double t) => full(1, t, dtype: DTypeFor(x), device: x.device);

    private static ScalarType DTypeFor(Tensor x) => x.dtype == ScalarType.Float64 ? ScalarType.Float64 : ScalarType.Float32;
}
