using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Diffusion.Abstractions.Plugins;
using Diffusion.Abstractions.Samplers;
using static TorchSharp.torch;

namespace MyPlugin;

/// <summary>
/// Options of <see cref="MyPluginSampler"/>: each property is a YAML key (<c>Eta</c> is written <c>eta</c>). The base
/// class adds the noise schedule's keys (<c>beta_schedule</c>, <c>timesteps</c>, ...) and <c>timestep_spacing</c>.
/// </summary>
public sealed class MyPluginOptions : TimestepSamplerOptions
{
    /// <summary>Noise added at each step: 0 is deterministic DDIM, 1 matches DDPM's posterior noise.</summary>
    [Range(0.0, 1.0), Description("Noise per step: 0 is deterministic DDIM, 1 matches DDPM's posterior noise.")]
    public double Eta { get; set; }
}

/// <summary>
/// A sampler to start from: DDIM (Song et al. 2021). <see cref="TimestepSampler{TOptions}"/> owns the loop (the
/// timesteps, one model call and one dispose scope a step, progress and cancellation); this writes one step, from x_t to
/// x at the next chosen timestep: x_prev = √ᾱ_prev·x̂0 + √(1 − ᾱ_prev − σ²)·ε̂ + σ·z. Use it in a pipeline as
/// <c>{ plugin: my-plugin, eta: 0.5 }</c>, for training (its schedule) and for sampling.
/// </summary>
[Plugin(PluginKind.Sampler, "my-plugin", Options = typeof(MyPluginOptions), Description = "DDIM sampler with eta noise per step.")]
public sealed class MyPluginSampler(MyPluginOptions options) : TimestepSampler<MyPluginOptions>(options)
{
    /// <inheritdoc />
    protected override Tensor Step(TimestepStep step)
    {
        double abPrev = step.AlphaBarPrevious;
        double sigma = Options.Eta * Math.Sqrt((1 - abPrev) / (1 - step.AlphaBar) * (1 - step.AlphaBar / abPrev));
        var x = step.X0 * Math.Sqrt(abPrev) + step.Eps * Math.Sqrt(Math.Max(1 - abPrev - sigma * sigma, 0));
        return sigma > 0 ? x + sigma * step.Context.RandnLike(step.X) : x;
    }
}
