namespace Diffusion.Abstractions.Samplers;

/// <summary>The noise levels a σ-space sampler steps through.</summary>
internal static class SigmaSchedules
{
    /// <summary>
    /// The schedule <paramref name="schedule"/> means at <paramref name="steps"/> steps: <see cref="SigmaSchedule.Auto"/> is
    /// <see cref="SigmaSchedule.Exponential"/> from <paramref name="exponentialFrom"/> steps and <see cref="SigmaSchedule.Schedule"/>
    /// below; the others are themselves.
    /// </summary>
    public static SigmaSchedule Resolve(SigmaSchedule schedule, int steps, int exponentialFrom) =>
        schedule != SigmaSchedule.Auto ? schedule
        : steps >= exponentialFrom ? SigmaSchedule.Exponential
        : SigmaSchedule.Schedule;

    /// <summary>
    /// Descending noise levels for <paramref name="steps"/> steps, followed by a final 0; <c>Length − 1</c> is the number
    /// of steps taken (fewer than asked when the schedule spacing has fewer training timesteps than steps).
    /// </summary>
    public static double[] For(SigmaSamplerOptions options, NoiseSchedule schedule, int steps)
    {
        if (steps < 1) throw new ArgumentOutOfRangeException(nameof(steps), $"the number of sampling steps must be at least 1 (got {steps})");
        // The start is clipped at σ = e^(−λ_min) (diffusers' lambda_min_clipped): the schedule mode spaces its steps over
        // the timesteps at or below that σ, the others start there.
        double top = Math.Exp(-options.LambdaMinClipped);
        int usable = Math.Max(1, schedule.Sigmas.Count(s => s <= top));
        return Resolve(options.SigmaSchedule, steps, options.AutoExponentialFrom) switch
        {
            SigmaSchedule.Karras => schedule.KarrasSigmas(steps, options.Rho, top),
            SigmaSchedule.Exponential => schedule.ExponentialSigmas(steps, top),
            SigmaSchedule.Schedule => [.. SamplingTimesteps.Select(usable, steps, options.TimestepSpacing).Select(t => schedule.Sigmas[t]), 0.0],
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.SigmaSchedule, "unknown sigma schedule"),
        };
    }
}
