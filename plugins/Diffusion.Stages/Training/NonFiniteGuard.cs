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
    /// True when step <paramref name="step"/> (1-based) may update the weights: its loss and the global norm of its
    /// gradients (<see cref="DeviceClip.TotalNorm"/>) are finite. Checked before clipping, which would spread one NaN over
    /// every gradient. Both stay on the device and are combined there, so a step costs one host read (a one-element
    /// bool); their values are read only for the warning of a non-finite step.
    /// </summary>
    /// <param name="step">The 1-based step.</param>
    /// <param name="loss">The step's loss, on the device.</param>
    /// <param name="gradientNorm">The global norm of its gradients, on the device.</param>
    /// <param name="checkedFinite">True when the caller has already read both as finite (the float16 loss scaler's
    /// check, <see cref="MixedPrecision.Check"/>): the step is accepted without a second read.</param>
    /// <exception cref="PluginInputException">The <see cref="MaxConsecutive"/>-th non-finite step in a row.</exception>
    public bool Accept(long step, Tensor loss, Tensor gradientNorm, bool checkedFinite = false)
    {
        if (checkedFinite)
        {
            consecutive = 0;
            return true;
        }
        using (var finite = loss.isfinite().logical_and(gradientNorm.isfinite()))
        {
            HostReads++;
            if (finite.item<bool>())
            {
                consecutive = 0;
                return true;
            }
        }
        HostReads += 2;
        double lossValue = loss.to_type(ScalarType.Float64).item<double>(), norm = gradientNorm.to_type(ScalarType.Float64).item<double>();
        if (consecutive++ == 0) streakStart = step;
        skipped++;
        tracker.LogMetric("train/nonfinite_steps", skipped, step);
        string what = double.IsFinite(lossValue) ? $"gradient (norm {norm})" : $"loss ({lossValue})";
        if (consecutive >= MaxConsecutive)
            throw new PluginInputException(
                $"loss became NaN at step {streakStart}: steps {streakStart} to {step} had a non-finite loss or gradient (last: {what}). " +
                $"Try a lower learning rate (lr is {lr}) or grad_clip, check the data for NaN or huge values, " +
                "and run 'diffusion doctor' to check this machine's CPU kernels");
        logger.LogWarning("step {Step}: non-finite {What}; step skipped (weights unchanged)", step, what);
        return false;
    }

    /// <summary>The same check for a loss already on the host and the gradients of <paramref name="parameters"/>.</summary>
    public bool Accept(long step, double loss, IEnumerable<Parameter> parameters)
    {
        using var scope = NewDisposeScope();
        return Accept(step, tensor(loss), DeviceClip.TotalNorm(DeviceClip.Gradients(parameters)));
    }

    /// <summary>Values this guard has read from the device: one per step (and two more for a non-finite step's warning); each makes a GPU host wait.</summary>
    public long HostReads { get; private set; }
}
