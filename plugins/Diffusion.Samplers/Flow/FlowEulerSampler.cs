namespace Diffusion.Samplers.Flow;

/// <summary>
/// Euler's method on the rectified-flow ODE dx/dt = v(x, t) (diffusers' FlowMatchEulerDiscreteScheduler, SD3's default):
/// x ← x + (t_(i+1) − t_i)·v(x, t_i). First order; one model evaluation per step. The last step, to t = 0, is
/// x − t·v, the model's clean estimate.
/// </summary>
[Plugin(PluginKind.Sampler, "flow-euler", Options = typeof(FlowSamplerOptions),
    Description = "Euler on the rectified-flow ODE (trains with flow matching; first order, 1 evaluation per step).")]
public sealed class FlowEulerSampler(FlowSamplerOptions options) : FlowSampler<FlowSamplerOptions>(options)
{
    /// <inheritdoc />
    protected override Tensor Step(FlowStep step) => step.X + step.Velocity(step.X, step.Time) * step.Size;
}
