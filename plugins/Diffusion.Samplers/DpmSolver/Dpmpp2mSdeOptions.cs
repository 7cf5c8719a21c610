namespace Diffusion.Samplers.DpmSolver;

/// <summary>
/// Options of <see cref="Dpmpp2mSdeSampler"/>. The default sigma_schedule is exponential (equal steps in log σ): the
/// multistep SDE update extrapolates noisy predictions by the ratio of successive log-σ steps, which the training
/// schedule's own spacing makes large near σ = 0 (see docs/benchmarks.md, "Samplers").
/// </summary>
public sealed class Dpmpp2mSdeOptions : StochasticSamplerOptions
{
    /// <summary>Sets the exponential sigma schedule, and diffusers' timestep spacing for sigma_schedule: schedule, as the defaults.</summary>
    public Dpmpp2mSdeOptions()
    {
        SigmaSchedule = SigmaSchedule.Exponential;
        TimestepSpacing = TimestepSpacing.LinspaceSkipZero;
    }

    /// <summary>Form of the second-order correction: midpoint (default) or heun.</summary>
    [Description("Second-order correction: midpoint or heun.")]
    public Dpmpp2mSdeSolverType SolverType { get; set; } = Dpmpp2mSdeSolverType.Midpoint;
}
