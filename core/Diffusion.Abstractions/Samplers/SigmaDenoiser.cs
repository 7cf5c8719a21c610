using static TorchSharp.torch;

namespace Diffusion.Abstractions.Samplers;

/// <summary>
/// The model seen as a denoiser in σ space, x = x_0 + σ·ε (Karras et al. 2022): <see cref="Denoise"/> is D(x; σ), the
/// model's estimate of x_0, whatever the model predicts. The conversions to and from the model's own variance-preserving
/// x_t = x/√(1 + σ²) at a fractional timestep live here and nowhere else.
/// </summary>
internal sealed class SigmaDenoiser(ISamplingContext context)
{
    private readonly NoiseSchedule schedule = context.Schedule;

    /// <summary>The starting point x at noise level <paramref name="sigma"/> for the host's standard normal noise, which stands for x_t.</summary>
    public static Tensor Start(Tensor noise, double sigma) => noise * Math.Sqrt(1 + sigma * sigma);

    /// <summary>The clean-sample estimate D(x; σ) (one model evaluation).</summary>
    public Tensor Denoise(Tensor x, double sigma)
    {
        var c = schedule.PreconditioningAt(sigma);
        var output = context.Predict(x * c.In, TimestepTensors.Batch(x, schedule.TimestepAt(sigma))).to_type(x.dtype);
        return c.Skip == 0 ? output * c.Out : x * c.Skip + output * c.Out;
    }

    /// <summary>The estimate of ε, (x − D(x; σ)) / σ: the derivative dx/dσ of the probability-flow ODE.</summary>
    public static Tensor Derivative(Tensor x, Tensor denoised, double sigma) => (x - denoised) / sigma;
}
