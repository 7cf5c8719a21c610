using Diffusion.Abstractions.Plugins;
using Diffusion.Abstractions.Samplers;
using static TorchSharp.torch;

namespace Example.DdimLite;

/// <summary>
/// Deterministic DDIM (Song et al. 2021, eta = 0): from x_t, the model's x0 and noise estimates give
/// x_prev = sqrt(ᾱ_prev)·x0 + sqrt(1 − ᾱ_prev)·ε. No noise is drawn, so the same starting noise always gives the same
/// sample. <see cref="TimestepSampler{TOptions}"/> runs the loop (timesteps, model call, progress); this writes the step.
/// </summary>
[Plugin(PluginKind.Sampler, "ddim-lite", Options = typeof(DdimLiteOptions), Description = "Deterministic DDIM sampler (eta = 0), evenly spaced steps.")]
public sealed class DdimLiteSampler(DdimLiteOptions options) : TimestepSampler<DdimLiteOptions>(options)
{
    /// <inheritdoc />
    protected override Tensor Step(TimestepStep step)
    {
        var x0 = Options.ClipSample ? step.X0.clamp(-1, 1) : step.X0;
        return x0 * Math.Sqrt(step.AlphaBarPrevious) + step.Eps * Math.Sqrt(1 - step.AlphaBarPrevious);
    }
}
