namespace Diffusion.Modalities.Image.Restoration;

/// <summary>How the <c>inpaint</c> stage runs the reverse process.</summary>
public enum InpaintMethod
{
    /// <summary>The flow ODE for a rectified-flow model, RePaint's ancestral steps for a diffusion model.</summary>
    Auto,
    /// <summary>RePaint's ancestral steps (a flow model runs through its variance-preserving view).</summary>
    Ancestral,
    /// <summary>The flow ODE with the known pixels on their straight paths (<see cref="FlowInpaint"/>); rectified-flow models only.</summary>
    Ode,
}
