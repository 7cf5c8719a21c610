namespace Diffusion.Stages.Training;

/// <summary>The learning rate of each step: linear warm-up from 0 to the peak, then constant or a cosine decay to a floor.</summary>
internal sealed record LearningRate(double Peak, int WarmupSteps, LrSchedule Decay, double MinLr, long TotalSteps)
{
    /// <summary>The rate for 0-based step <paramref name="step"/>.</summary>
    public double At(long step)
    {
        if (step < WarmupSteps) return Peak * (step + 1) / WarmupSteps;
        if (Decay == LrSchedule.Constant) return Peak;
        long decaySteps = Math.Max(1, TotalSteps - WarmupSteps);
        double progress = Math.Min(1.0, (double)(step - WarmupSteps) / decaySteps);
        return MinLr + (Peak - MinLr) * 0.5 * (1 + Math.Cos(Math.PI * progress));
    }

    /// <summary>The schedule the options describe.</summary>
    public static LearningRate From(TrainStageOptions options) =>
        new(options.Lr, options.WarmupSteps, options.LrSchedule, options.MinLr, options.Steps);
}
