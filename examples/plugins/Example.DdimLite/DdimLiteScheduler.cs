using System.ComponentModel;
using Diffusion.Abstractions.Plugins;
using Diffusion.Abstractions.Schedulers;
using static TorchSharp.torch;

namespace Example.DdimLite;

/// <summary>Options of <see cref="DdimLiteScheduler"/>: the shared schedule options plus clipping.</summary>
public sealed class DdimLiteOptions : SchedulerOptions
{
    /// <summary>Clamp the x0 estimate to [-1, 1] at every step.</summary>
    [Description("Clamp the x0 estimate to [-1, 1] at every step.")]
    public bool ClipSample { get; set; } = true;
}

/// <summary>
/// Deterministic DDIM (Song et al. 2021, eta = 0): from x_t, the model's x0 and noise estimates give
/// x_prev = sqrt(ᾱ_prev)·x0 + sqrt(1 − ᾱ_prev)·ε, with evenly spaced timesteps. No noise is drawn, so the same
/// starting noise always gives the same sample.
/// </summary>
[Plugin(PluginKind.Scheduler, "ddim-lite", Options = typeof(DdimLiteOptions), Description = "Deterministic DDIM sampler (eta = 0), evenly spaced steps.")]
public sealed class DdimLiteScheduler(DdimLiteOptions options) : IScheduler
{
    /// <inheritdoc />
    public NoiseSchedule CreateSchedule() => options.ToSchedule();

    /// <inheritdoc />
    public Tensor Sample(Tensor noise, ISamplingContext context)
    {
        var schedule = context.Schedule;
        int steps = Math.Clamp(context.Steps, 1, schedule.Timesteps);
        // Evenly spaced, descending, from T-1 to 0.
        int[] timesteps = Enumerable.Range(0, steps)
            .Select(i => (int)Math.Round((schedule.Timesteps - 1) * (1.0 - (double)i / Math.Max(steps - 1, 1))))
            .ToArray();

        using var noGrad = no_grad();
        Tensor x = noise;
        for (int i = 0; i < steps; i++)
        {
            using var scope = NewDisposeScope();
            var t = full(noise.shape[0], timesteps[i], dtype: ScalarType.Float32, device: x.device);
            var (x0, eps) = schedule.Split(x, t, context.Predict(x, t));
            if (options.ClipSample) x0 = x0.clamp(-1, 1);
            bool last = i == steps - 1;
            double abPrev = last ? 1.0 : schedule.AlphasCumprod[timesteps[i + 1]];
            var next = last ? x0 : x0 * Math.Sqrt(abPrev) + eps * Math.Sqrt(1 - abPrev);

            context.OnStep(i + 1, steps);
            if (!ReferenceEquals(x, noise)) x.Dispose();
            x = scope.MoveToOuter(next.to_type(noise.dtype));
        }
        return x;
    }
}
