namespace Diffusion.Abstractions.Samplers;

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
            case TimestepSpacing.LinspaceSkipZero:
                for (int i = 0; i < steps; i++)
                    result[i] = (int)Math.Round((total - 1) * (double)(steps - i) / steps, MidpointRounding.ToEven);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(spacing));
        }
        return result;
    }
}
