namespace Diffusion.Abstractions.Samplers;

/// <summary>
/// The scalings that make a denoiser out of a network at noise level σ (Karras et al. 2022, "EDM", table 1):
/// D(x; σ) = <see cref="Skip"/>·x + <see cref="Out"/>·F(<see cref="In"/>·x, t(σ)), with x = x_0 + σ·ε.
/// See <see cref="NoiseSchedule.PreconditioningAt"/>.
/// </summary>
/// <param name="Skip">c_skip: how much of the noisy input passes straight through.</param>
/// <param name="Out">c_out: the scale of the network output.</param>
/// <param name="In">c_in: the scale of the network input (1/√(1 + σ²) for a network trained on x_t = √ᾱ·x_0 + √(1 − ᾱ)·ε).</param>
public readonly record struct Preconditioning(double Skip, double Out, double In);
