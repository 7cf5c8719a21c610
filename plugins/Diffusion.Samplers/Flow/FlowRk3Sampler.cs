namespace Diffusion.Samplers.Flow;

/// <summary>
/// Kutta's third-order Runge–Kutta method on the rectified-flow ODE: k1 = v(x, t), k2 = v(x + h/2·k1, t + h/2),
/// k3 = v(x − h·k1 + 2h·k2, t + h), x ← x + h/6·(k1 + 4·k2 + k3). Third order; three model evaluations per step (3n in all),
/// so it pays off when a flow's paths are curved and few steps are wanted at high accuracy.
/// </summary>
[Plugin(PluginKind.Sampler, "flow-rk3", Options = typeof(FlowSamplerOptions),
    Description = "Kutta's 3rd-order Runge-Kutta on the rectified-flow ODE (trains with flow matching; 3 evaluations per step).")]
public sealed class FlowRk3Sampler(FlowSamplerOptions options) : FlowSampler<FlowSamplerOptions>(options)
{
    /// <inheritdoc />
    protected override Tensor Step(FlowStep step)
    {
        double h = step.Size, t = step.Time;
        var x = step.X;
        var k1 = step.Velocity(x, t);
        var k2 = step.Velocity(x + k1 * (h / 2), t + h / 2);
        var k3 = step.Velocity(x + (k2 * 2 - k1) * h, step.Next);
        return x + (k1 + k2 * 4 + k3) * (h / 6);
    }
}
