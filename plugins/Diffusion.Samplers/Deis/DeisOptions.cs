namespace Diffusion.Samplers.Deis;

/// <summary>
/// Options of <see cref="DeisSampler"/>.
/// The default sigma_schedule is auto: exponential (equal steps in log σ) from 8 steps, diffusers' sequence for this
/// solver below (the training schedule at timestep_spacing linspace_skip_zero, the n noisiest of n + 1 evenly spaced
/// timesteps). On the exact Gaussian flow exponential is several times more accurate than diffusers' sequence at 10, 20
/// and 50 steps; on a trained image model (fd) it is about as good or better from 8 steps and up to 9 times worse below
/// (docs/benchmarks.md, "Sampler defaults").
/// sigma_schedule: exponential or schedule fixes one of the two at every step count; the default before issue 23 (the
/// schedule at linspace) is sigma_schedule: schedule with timestep_spacing: linspace.
/// </summary>
public sealed class DeisOptions : SigmaSamplerOptions
{
    /// <summary>Sets the auto sigma schedule and diffusers' timestep spacing for this solver as the defaults.</summary>
    public DeisOptions()
    {
        SigmaSchedule = SigmaSchedule.Auto;
        TimestepSpacing = TimestepSpacing.LinspaceSkipZero;
    }

    /// <summary>Order of the multistep exponential integrator (past evaluations used). Default 2, as diffusers.</summary>
    [Range(1, 3), Description("Order: number of past evaluations the extrapolation uses (1 = ddim).")]
    public int SolverOrder { get; set; } = 2;
}
