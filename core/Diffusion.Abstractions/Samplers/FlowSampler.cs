using static TorchSharp.torch;

namespace Diffusion.Abstractions.Samplers;

/// <summary>
/// The loop every rectified-flow ODE sampler shares (flow-euler, flow-heun, flow-rk3, a third party's): it integrates
/// dx/dt = v(x, t) from the top time (1 for a flow model) down to t = 0 over <see cref="ISamplingContext.Steps"/> steps on an
/// evenly spaced grid, time-shifted by <see cref="FlowSamplerOptions.Shift"/>; one dispose scope a step; progress and
/// cancellation after each step. The model is seen as a velocity field whatever it was trained with (a diffusion model's
/// velocity comes from its clean estimate), so flow samplers run any model, and any σ-space sampler runs a flow model
/// (through <see cref="NoiseSchedule.PreconditioningAt"/>). A subclass writes only <see cref="Step"/>.
/// </summary>
/// <typeparam name="TOptions">The sampler's options.</typeparam>
public abstract class FlowSampler<TOptions>(TOptions options) : ISampler where TOptions : FlowSamplerOptions
{
    /// <summary>The sampler's options.</summary>
    protected TOptions Options { get; } = options;

    /// <inheritdoc />
    public NoiseSchedule CreateSchedule() => Options.ToSchedule();

    /// <inheritdoc />
    public Tensor Sample(Tensor noise, ISamplingContext context)
    {
        ArgumentNullException.ThrowIfNull(noise);
        ArgumentNullException.ThrowIfNull(context);
        var model = new FlowVelocity(context);
        double[] times = Times(model.Top, context.Steps, Options.Shift);
        using var noGrad = no_grad();
        using var run = NewDisposeScope();
        var x = FlowVelocity.Start(noise, times[0]);
        for (int i = 0; i < context.Steps; i++)
        {
            using var scope = NewDisposeScope();
            var next = scope.MoveToOuter(Step(new FlowStep(model, context, times, i, x)));
            x.Dispose();
            x = next;
            context.OnStep(i + 1, context.Steps);
        }
        return run.MoveToOuter(x);
    }

    /// <summary>
    /// The <paramref name="steps"/> + 1 times visited, from <paramref name="top"/> down to 0: top·s(u) for u evenly spaced from
    /// 1 to 0, with the shift s(u) = shift·u/(1 + (shift − 1)·u).
    /// </summary>
    public static double[] Times(double top, int steps, double shift)
    {
        if (steps < 1) throw new ArgumentOutOfRangeException(nameof(steps), $"the number of sampling steps must be at least 1 (got {steps})");
        var times = new double[steps + 1];
        for (int i = 0; i < steps; i++)
        {
            double u = 1 - (double)i / steps;
            times[i] = top * shift * u / (1 + (shift - 1) * u);
        }
        return times;
    }

    /// <summary>
    /// One step of x from <see cref="FlowStep.Time"/> to <see cref="FlowStep.Next"/> (0 on the last step, which returns the
    /// clean sample), inside the step's dispose scope. Returns the new x, a new tensor.
    /// </summary>
    protected abstract Tensor Step(FlowStep step);
}
