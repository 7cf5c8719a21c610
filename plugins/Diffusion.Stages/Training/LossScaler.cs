namespace Diffusion.Stages.Training;

/// <summary>
/// Dynamic loss scaling for float16 training (as PyTorch's <c>GradScaler</c>): the loss is multiplied by
/// <see cref="Scale"/> before the backward pass so small gradients do not flush to zero in float16, and the gradients are
/// divided by it again (in float32) before clipping and the optimizer step. A step whose unscaled gradients are not finite
/// overflowed: it is skipped (weights and optimizer state untouched) and the scale halved; after
/// <see cref="GrowthInterval"/> good steps in a row the scale doubles. An overflow skip is part of the method, not a
/// divergence: <see cref="NonFiniteGuard"/> does not count it.
/// </summary>
internal sealed class LossScaler(double initialScale = LossScaler.InitialScale)
{
    /// <summary>The starting scale, 2^16 (PyTorch's default).</summary>
    public const double InitialScale = 65536;

    /// <summary>Good steps in a row after which the scale doubles.</summary>
    public const int GrowthInterval = 2000;

    /// <summary>
    /// Below this scale (2^-24, float16's smallest subnormal) every gradient would flush to zero: overflows that persist
    /// down to it are not overflows but non-finite gradients, and fail the run.
    /// </summary>
    public const double MinimumScale = 5.9604644775390625e-8;

    /// <summary>Steps between two <c>train/loss_scale</c> metrics when the scale does not change.</summary>
    public const int LogEvery = 100;

    private readonly double initial = initialScale;
    private int goodSteps;

    /// <summary>The current loss scale.</summary>
    public double Scale { get; private set; } = initialScale;

    /// <summary>Good steps in a row at the current scale.</summary>
    public int GoodSteps => goodSteps;

    /// <summary>Continues from a checkpoint's scale and count of good steps (a resumed run).</summary>
    public void Restore(double scale, int good)
    {
        Scale = scale;
        goodSteps = good;
    }

    /// <summary>Steps skipped for overflow so far.</summary>
    public long Overflows { get; private set; }

    /// <summary>
    /// Decides step <paramref name="step"/> (1-based) from whether its unscaled float32 gradients are all finite (the train
    /// stage reads that from their global norm, together with the loss, in one host read: <see cref="NonFiniteGuard.Read"/>):
    /// true when they are (the step goes ahead), false when the step overflowed (skip it; the scale is halved). Records the
    /// scale as the metric <c>train/loss_scale</c> when it changes and every <see cref="LogEvery"/> steps, and the count of
    /// skipped steps as <c>train/overflow_steps</c>.
    /// </summary>
    /// <exception cref="PluginInputException">The scale fell below <see cref="MinimumScale"/>.</exception>
    public bool Update(long step, bool finite, ITracker tracker, ILogger logger)
    {
        double before = Scale;
        if (finite)
        {
            if (++goodSteps >= GrowthInterval)
            {
                Scale *= 2;
                goodSteps = 0;
            }
        }
        else
        {
            Overflows++;
            goodSteps = 0;
            Scale /= 2;
            tracker.LogMetric("train/overflow_steps", Overflows, step);
            logger.LogDebug("step {Step}: fp16 gradients overflowed at loss scale {Scale}; step skipped, scale halved", step, before);
            if (Scale < MinimumScale)
                throw new PluginInputException(
                    $"loss became NaN at step {step}: the float16 gradients stayed non-finite while the loss scale fell from {initial} to {Scale} " +
                    "(an overflow would have cleared long before): the model itself goes non-finite in float16; use precision: bf16 or fp32, or a lower lr");
        }
        if (Scale != before || step == 1 || step % LogEvery == 0) tracker.LogMetric("train/loss_scale", Scale, step);
        return finite;
    }
}
