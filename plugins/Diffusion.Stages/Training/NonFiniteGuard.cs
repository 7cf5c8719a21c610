using TorchSharp.Modules;

namespace Diffusion.Stages.Training;

/// <summary>
/// Keeps training off NaN: a step whose loss or gradients are not finite is skipped with a warning that names the step,
/// and <see cref="MaxConsecutive"/> such steps in a row fail the run (<c>loss became NaN at step S</c>) with a hint.
/// Skipped steps are counted in the metric <c>train/nonfinite_steps</c>.
/// </summary>
internal sealed class NonFiniteGuard(ITracker tracker, ILogger logger, double lr)
{
    /// <summary>Non-finite steps in a row that fail the run.</summary>
    public const int MaxConsecutive = 3;

    private int consecutive;
    private long skipped, streakStart;

    /// <summary>
    /// True when step <paramref name="step"/> (1-based) may update the weights: its loss and the largest absolute gradient
    /// are finite. Checked before clipping, which would spread one NaN over every gradient.
    /// </summary>
    /// <exception cref="PluginInputException">The <see cref="MaxConsecutive"/>-th non-finite step in a row.</exception>
    public bool Accept(long step, double loss, IEnumerable<Parameter> parameters)
    {
        double largestGradient = LargestGradient(parameters);
        if (double.IsFinite(loss) && double.IsFinite(largestGradient))
        {
            consecutive = 0;
            return true;
        }
        if (consecutive++ == 0) streakStart = step;
        skipped++;
        tracker.LogMetric("train/nonfinite_steps", skipped, step);
        string what = double.IsFinite(loss) ? $"gradient (largest |g| {largestGradient})" : $"loss ({loss})";
        if (consecutive >= MaxConsecutive)
            throw new PluginInputException(
                $"loss became NaN at step {streakStart}: steps {streakStart} to {step} had a non-finite loss or gradient (last: {what}). " +
                $"Try a lower learning rate (lr is {lr}) or grad_clip, check the data for NaN or huge values, " +
                "and run 'diffusion doctor' to check this machine's CPU kernels");
        logger.LogWarning("step {Step}: non-finite {What}; step skipped (weights unchanged)", step, what);
        return false;
    }

    private static double LargestGradient(IEnumerable<Parameter> parameters)
    {
        using var scope = NewDisposeScope();
        var maxima = parameters.Where(p => p.grad is not null).Select(p => p.grad!.abs().max().to_type(ScalarType.Float64)).ToArray();
        return maxima.Length == 0 ? 0 : stack(maxima).max().item<double>();
    }
}
