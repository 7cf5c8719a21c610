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
    /// Whether <paramref name="loss"/> and <paramref name="gradientNorm"/> (the global norm of the step's gradients,
    /// <see cref="DeviceClip.TotalNorm"/>) are finite: both stay on the device and are combined there, so a step costs one
    /// host read (two bools), whatever the precision. The float16 loss scaler decides from the same read
    /// (<see cref="MixedPrecision.Overflowed"/>).
    /// </summary>
    public StepFiniteness Read(Tensor loss, Tensor gradientNorm)
    {
        using var scope = NewDisposeScope();
        HostReads++;
        var finite = stack([loss.isfinite().reshape(1), gradientNorm.isfinite().reshape(1)]).cpu().data<bool>().ToArray();
        return new StepFiniteness(finite[0], finite[1]);
    }

    /// <summary>
    /// True when step <paramref name="step"/> (1-based) may update the weights: its loss and the global norm of its
    /// gradients are finite (<paramref name="finite"/>, from <see cref="Read"/>). Checked before clipping, which would
    /// spread one NaN over every gradient. The values are read only for the warning of a non-finite step.
    /// </summary>
    /// <param name="step">The 1-based step.</param>
    /// <param name="finite">What <see cref="Read"/> found.</param>
    /// <param name="loss">The step's loss, on the device.</param>
    /// <param name="gradientNorm">The global norm of its gradients, on the device.</param>
    /// <exception cref="PluginInputException">The <see cref="MaxConsecutive"/>-th non-finite step in a row.</exception>
    public bool Accept(long step, StepFiniteness finite, Tensor loss, Tensor gradientNorm)
    {
        if (finite.Both)
        {
            consecutive = 0;
            return true;
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

    /// <summary><see cref="Read"/> and <see cref="Accept(long, StepFiniteness, Tensor, Tensor)"/> in one.</summary>
    public bool Accept(long step, Tensor loss, Tensor gradientNorm) => Accept(step, Read(loss, gradientNorm), loss, gradientNorm);

    /// <summary>The same check for a loss already on the host and the gradients of <paramref name="parameters"/>.</summary>
    public bool Accept(long step, double loss, IEnumerable<Parameter> parameters)
    {
        using var scope = NewDisposeScope();
        return Accept(step, tensor(loss), DeviceClip.TotalNorm(DeviceClip.Gradients(parameters)));
    }

    /// <summary>Values this guard has read from the device: one per step (and two more for a non-finite step's warning); each makes a GPU host wait.</summary>
    public long HostReads { get; private set; }
}

/// <summary>Whether a training step's loss and the global norm of its gradients are finite (<see cref="NonFiniteGuard.Read"/>).</summary>
internal readonly record struct StepFiniteness(bool Loss, bool Gradients)
{
    /// <summary>Both are finite: the step may go ahead.</summary>
    public bool Both => Loss && Gradients;
}
