using Diffusion.Abstractions.Denoisers;
using Diffusion.Abstractions.Plugins;
using Diffusion.Abstractions.Runs;
using Diffusion.Abstractions.Samplers;
using static TorchSharp.torch;

namespace Example.Analytic;

/// <summary>
/// A model with no trained weights: the exact (Bayes-optimal) denoiser of data whose coordinates are independent
/// N(μ, s²). With x_t = √ᾱ·x0 + √(1 − ᾱ)·ε, the posterior mean is E[x0 | x_t] = μ + √ᾱ·s² / (ᾱ·s² + 1 − ᾱ)·(x_t − √ᾱ·μ),
/// and ε̂ = (x_t − √ᾱ·E[x0 | x_t]) / √(1 − ᾱ): the network outputs what the schedule's prediction type asks for
/// (ε, x0, v, ...). A sampler driven by it should give samples distributed as N(μ, s²): a check of samplers with no
/// training noise, and the way to sample a model whose answer is known in closed form.
/// </summary>
[Plugin(PluginKind.Denoiser, "gaussian-exact", Options = typeof(GaussianExactOptions),
    Description = "Exact denoiser of N(mean, std^2) data (closed form, no weights); give it the sampler's schedule.")]
public sealed class GaussianExactDenoiser(GaussianExactOptions options) : IDenoiser
{
    /// <inheritdoc />
    public DenoiserModule Build(DataSpec data)
    {
        if (data.VocabSize > 0)
            throw new PluginInputException($"gaussian-exact models continuous data, but the modality provides tokens (vocabulary {data.VocabSize}): pair it with a vector or image modality");
        return new GaussianExactNetwork(options.ToSchedule(), options.Mean, options.Std);
    }
}

/// <summary>The closed form, computed in float64 whatever the input's dtype.</summary>
internal sealed class GaussianExactNetwork(NoiseSchedule schedule, double mean, double std) : DenoiserModule("gaussian_exact")
{
    public override Tensor forward(Tensor x, Tensor t, Conditioning? conditioning)
    {
        using var scope = NewDisposeScope();
        var x64 = x.to_type(ScalarType.Float64);
        var ab = schedule.AlphaBarAt(t, x64);
        var a = ab.sqrt();
        double variance = std * std;
        var x0 = mean + a * variance / (ab * variance + 1 - ab) * (x64 - a * mean);
        var eps = (x64 - a * x0) / (1 - ab).sqrt();
        return scope.MoveToOuter(schedule.TrainingTarget(x0, eps, t).to_type(x.dtype));
    }
}
