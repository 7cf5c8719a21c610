namespace Diffusion.Samplers.UniPc;

/// <summary>The B(h) function of UniPC (Zhao et al. 2023, section 3.3).</summary>
public enum UniPcVariant
{
    /// <summary>B(h) = h; the paper recommends it for unconditional sampling with few steps.</summary>
    Bh1,
    /// <summary>B(h) = e^h − 1 (diffusers' default).</summary>
    Bh2,
}
