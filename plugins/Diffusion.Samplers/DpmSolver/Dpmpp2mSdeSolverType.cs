namespace Diffusion.Samplers.DpmSolver;

/// <summary>How <c>dpmpp-2m-sde</c> forms its second-order correction.</summary>
public enum Dpmpp2mSdeSolverType
{
    /// <summary>Half the first-order coefficient times the slope (k-diffusion's and diffusers' default).</summary>
    Midpoint,
    /// <summary>The exact φ₂ coefficient of the linear-in-λ data prediction.</summary>
    Heun,
}
