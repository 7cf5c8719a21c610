using Diffusion.Abstractions.Options;

namespace Diffusion.Schedulers;

/// <summary>
/// How a sampler picks its timesteps when it runs fewer steps than the schedule has training timesteps
/// (the spacings of diffusers' <c>timestep_spacing</c>, compared in Lin et al. 2023, table 2).
/// </summary>
public enum TimestepSpacing
{
    /// <summary>Multiples of T / n counted up from 0: 980, 960, ..., 0 for 50 of 1000 (DDPM, DDIM, Stable Diffusion).</summary>
    Leading,
    /// <summary>Counted down from T − 1 in steps of T / n: 999, 979, ..., 19 for 50 of 1000; always starts at the noisiest step.</summary>
    Trailing,
    /// <summary>n evenly spaced values from T − 1 down to 0, rounded.</summary>
    [OptionName("linspace")]
    Linspace,
}

/// <summary>Picks the descending list of training timesteps a sampler visits.</summary>
public static class SamplingTimesteps
{
    /// <summary>
    /// The timesteps, noisiest first, for <paramref name="steps"/> steps over <paramref name="trainingTimesteps"/>
    /// training timesteps. Asking for at least as many steps as there are timesteps visits every one of them.
    /// </summary>
    public static int[] Select(int trainingTimesteps, int steps, TimestepSpacing spacing)
    {
        if (trainingTimesteps < 1) throw new ArgumentOutOfRangeException(nameof(trainingTimesteps), "must be positive");
        if (steps < 1) throw new ArgumentOutOfRangeException(nameof(steps), $"the number of sampling steps must be at least 1 (got {steps})");
        int total = trainingTimesteps;
        if (steps >= total)
            return Enumerable.Range(0, total).Reverse().ToArray();

        var result = new int[steps];
        switch (spacing)
        {
            case TimestepSpacing.Leading:
                int ratio = total / steps;
                for (int i = 0; i < steps; i++) result[i] = (steps - 1 - i) * ratio;
                break;
            case TimestepSpacing.Trailing:
                double stride = (double)total / steps;
                for (int i = 0; i < steps; i++) result[i] = (int)Math.Round(total - i * stride, MidpointRounding.ToEven) - 1;
                break;
            case TimestepSpacing.Linspace:
                for (int i = 0; i < steps; i++)
                {
                    double value = steps == 1 ? total - 1 : (total - 1) * (double)(steps - 1 - i) / (steps - 1);
                    result[i] = (int)Math.Round(value, MidpointRounding.ToEven);
                }
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(spacing));
        }
        return result;
    }
}
