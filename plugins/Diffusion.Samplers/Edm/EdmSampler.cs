using Diffusion.Samplers.Heun;

namespace Diffusion.Samplers.Edm;

/// <summary>
/// The stochastic sampler of Karras et al. 2022 ("EDM", algorithm 2): at each step with σ in [s_tmin, s_tmax] the
/// noise level is raised to σ̂ = (1 + γ)σ by adding fresh noise ("churn"), then a Heun step goes from σ̂ to the next
/// level. Karras sigmas by default. Two model evaluations per step except the last.
/// </summary>
[Plugin(PluginKind.Sampler, "edm", Options = typeof(EdmOptions),
    Description = "Karras et al. (EDM) stochastic Heun sampler with churn and Karras sigmas (2 evaluations per step).")]
public sealed class EdmSampler(EdmOptions options) : SigmaSampler<EdmOptions>(options)
{
    /// <inheritdoc />
    protected override Tensor Step(SigmaStep step) => HeunSampling.Step(step, Options);
}
