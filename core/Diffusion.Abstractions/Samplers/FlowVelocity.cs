using static TorchSharp.torch;

namespace Diffusion.Abstractions.Samplers;

/// <summary>
/// The model seen as a velocity field in flow coordinates, x_t = (1 − t)·x0 + t·ε: <see cref="Velocity"/> is v(x, t), the
/// estimate of ε − x0. A rectified-flow model outputs it directly; any other model is turned into one through its clean
/// estimate D (x_σ = x/(1 − t), σ = t/(1 − t), v = (x_σ − D)/σ − D), so flow samplers run every trained model.
/// </summary>
internal sealed class FlowVelocity(ISamplingContext context)
{
    private readonly NoiseSchedule _schedule = context.Schedule;
    private readonly SigmaDenoiser _denoiser = new(context);

    /// <summary>The largest σ a flow sampler starts a diffusion-trained model from: e^5.1, as σ-space samplers do by default.</summary>
    private const double DiffusionTopSigma = 164.0219;

    /// <summary>
    /// The time the sampler starts at: the top of the model's table (1 for a whole flow schedule; less for a cut one, as
    /// SDEdit makes), or for a diffusion model its largest σ (at most e^5.1) as t = σ/(1 + σ).
    /// </summary>
    public double Top
    {
        get
        {
            if (_schedule.IsFlow) return _schedule.FlowTimeAt(_schedule.Timesteps - 1);
            double sigma = Math.Min(_schedule.SigmaMax, DiffusionTopSigma);
            return sigma / (1 + sigma);
        }
    }

    /// <summary>
    /// The flow sample at time <paramref name="t"/> for the host's noise, which stands for the variance-preserving x_t at that
    /// level: x_t·√((1 − t)² + t²) (the noise itself at t = 1).
    /// </summary>
    public static Tensor Start(Tensor noise, double t) => t >= 1 ? noise.alias() : noise * Math.Sqrt((1 - t) * (1 - t) + t * t);

    /// <summary>The velocity estimate v(x, t) in the dtype of <paramref name="x"/> (one model evaluation).</summary>
    public Tensor Velocity(Tensor x, double t)
    {
        if (_schedule.IsFlow)
            return context.Predict(x, TimestepTensors.Batch(x, _schedule.TimestepAtFlowTime(t))).to_type(x.dtype);
        // Below the model's smallest trained noise level the velocity is taken at that level (the last evaluation of a
        // two- or three-stage step lands on t = 0, where σ = 0).
        double sigma = Math.Max(t >= 1 ? _schedule.SigmaMax : t / (1 - t), _schedule.SigmaMin);
        var xs = x * (1 + sigma);
        var denoised = _denoiser.Denoise(xs, sigma);
        return (xs - denoised) / sigma - denoised;
    }
}
