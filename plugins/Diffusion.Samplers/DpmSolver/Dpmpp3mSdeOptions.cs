namespace Diffusion.Samplers.DpmSolver;

/// <summary>
/// Options of <see cref="Dpmpp3mSdeSampler"/>. The default sigma_schedule is exponential (equal steps in log σ), for the
/// reason given on <see cref="Dpmpp2mSdeOptions"/>, more so with a quadratic extrapolation.
/// </summary>
public sealed class Dpmpp3mSdeOptions : StochasticSamplerOptions
{
    /// <summary>Sets the exponential sigma schedule, and diffusers' timestep spacing for sigma_schedule: schedule, as the defaults.</summary>
    public Dpmpp3mSdeOptions()
    {
        SigmaSchedule = SigmaSchedule.Exponential;
        TimestepSpacing = TimestepSpacing.LinspaceSkipZero;
    }
}
