using Diffusion.Abstractions.Plugins;
using Diffusion.Abstractions.Schedulers;
using Diffusion.Schedulers.Sampling;
using TorchSharp;
using static TorchSharp.torch;

namespace Diffusion.Schedulers.Ddpm;

/// <summary>
/// Ancestral DDPM sampling (Ho et al. 2020): at each chosen timestep t, the model's x0 estimate gives the
/// mean of the posterior q(x_prev | x_t, x0) between t and the previous chosen timestep, and Gaussian noise
/// of the chosen variance is added, except at the last step, which returns the x0 estimate itself. Written
/// with ᾱ_t and ᾱ_prev, so it also works when steps skip timesteps.
/// </summary>
[Plugin(PluginKind.Scheduler, "ddpm", Options = typeof(DdpmOptions),
    Description = "Ancestral DDPM sampler (Ho et al. 2020), with timestep skipping for fewer steps.")]
public sealed class DdpmScheduler(DdpmOptions options) : IScheduler
{
    private readonly DdpmOptions options = options;

    /// <inheritdoc />
    public NoiseSchedule CreateSchedule() => options.ToSchedule();

    /// <inheritdoc />
    public Tensor Sample(Tensor noise, ISamplingContext context)
    {
        var schedule = context.Schedule;
        int[] timesteps = SamplingTimesteps.Select(schedule.Timesteps, context.Steps, options.TimestepSpacing);
        double[] alphaBar = schedule.AlphasCumprod;
        int total = timesteps.Length;

        using var noGrad = no_grad();
        Tensor x = noise;
        for (int i = 0; i < total; i++)
        {
            using var scope = NewDisposeScope();
            int t = timesteps[i];
            bool last = i == total - 1;
            double abT = alphaBar[t];
            double abPrev = last ? 1.0 : alphaBar[timesteps[i + 1]];

            var output = context.Predict(x, TimestepTensors.Batch(x, t));
            var x0 = schedule.Split(x, TimestepTensors.Shared(x, t), output.to_type(x.dtype)).X0;
            if (options.ClipSample) x0 = x0.clamp(-options.ClipRange, options.ClipRange);

            Tensor next;
            if (last)
            {
                // ᾱ_prev = 1: the posterior collapses onto x0, so the sample is the clean estimate, noise-free.
                next = x0;
            }
            else
            {
                double alphaStep = abT / abPrev;      // α over the skipped span
                double betaStep = 1.0 - alphaStep;    // β over the skipped span
                double denom = Math.Max(1.0 - abT, 1e-20);
                double coefX0 = Math.Sqrt(abPrev) * betaStep / denom;
                double coefXt = Math.Sqrt(alphaStep) * (1.0 - abPrev) / denom;
                var mean = x0 * coefX0 + x * coefXt;

                double variance = options.Variance == DdpmVariance.FixedLarge
                    ? betaStep
                    : (1.0 - abPrev) / denom * betaStep;
                double std = Math.Sqrt(Math.Max(variance, 1e-20));
                next = mean + context.RandnLike(x) * std;
            }

            context.OnStep(i + 1, total);
            if (!ReferenceEquals(x, noise)) x.Dispose();
            x = scope.MoveToOuter(next.to_type(noise.dtype));
        }
        return x;
    }
}
