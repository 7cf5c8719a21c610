namespace Diffusion.Samplers.Flow;

/// <summary>
/// Heun's method (explicit trapezoidal rule) on the rectified-flow ODE: an Euler step to t_(i+1), then the mean of the
/// velocities at both ends. Second order; two model evaluations per step, the last one at t = 0 included, where a flow
/// model's velocity is defined (so n steps cost 2n evaluations).
/// </summary>
[Plugin(PluginKind.Sampler, "flow-heun", Options = typeof(FlowSamplerOptions),
    Description = "Heun on the rectified-flow ODE (trains with flow matching; second order, 2 evaluations per step).")]
public sealed class FlowHeunSampler(FlowSamplerOptions options) : FlowSampler<FlowSamplerOptions>(options)
{
    /// <inheritdoc />
    protected override Tensor Step(FlowStep step)
    {
        double h = step.Size;
        var v1 = step.Velocity(step.X, step.Time);
        var euler = step.X + v1 * h;
        var v2 = step.Velocity(euler, step.Next);
        return step.X + (v1 + v2) * (h / 2);
    }
}
