namespace Diffusion.Samplers.Lms;

/// <summary>Options of <see cref="LmsSampler"/>.</summary>
public sealed class LmsOptions : SigmaSamplerOptions
{
    /// <summary>How many past derivatives the polynomial goes through (its degree + 1). Default 4, as k-diffusion and diffusers.</summary>
    [Range(1, 4), Description("Number of past derivatives in the multistep polynomial (1 = euler).")]
    public int Order { get; set; } = 4;
}
