namespace Diffusion.Samplers.DpmSolver;

/// <summary>
/// Options of <see cref="Dpmpp3mSdeSampler"/>. The default sigma_schedule is auto with auto_exponential_from 20, as
/// <see cref="Dpmpp2mSdeOptions"/> and for the same measurement (diffusers' sequence 0.48 against exponential σ 4.23 at 8
/// steps on the trained model); sigma_schedule: exponential gives this sampler's default before.
/// </summary>
public sealed class Dpmpp3mSdeOptions : StochasticSamplerOptions
{
    /// <summary>Sets the auto sigma schedule (exponential from 20 steps) and diffusers' timestep spacing as the defaults.</summary>
    public Dpmpp3mSdeOptions()
    {
        SigmaSchedule = SigmaSchedule.Auto;
        AutoExponentialFrom = 20;
        TimestepSpacing = TimestepSpacing.LinspaceSkipZero;
    }
}
