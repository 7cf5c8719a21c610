using Diffusion.Abstractions.Denoisers;
using Diffusion.Abstractions.Samplers;
using Diffusion.Modalities.Text.Samplers.Mdlm;

namespace Diffusion.Modalities.Text.Samplers.D3pm;

/// <summary>
/// D3PM with uniform transitions (Austin et al. 2021): each token is kept with probability α_t = 1 − t and otherwise
/// replaced by a token drawn uniformly from the vocabulary (possibly itself), so q(x_t | x_0) = α_t·x_0 + (1 − α_t)/V.
/// Between times s &lt; t, q(x_t | x_s) = r·x_s + (1 − r)/V with r = α_t/α_s, and the model's reverse step is
/// p(x_s | x_t) ∝ (r·[x_s = x_t] + (1 − r)/V) · (α_s·p̃_θ(x_s) + (1 − α_s)/V), with p̃_θ the denoiser's x0 distribution.
/// Training: the discrete-time NELBO T·E_t[KL(q(x_{t−1} | x_t, x_0) ‖ p_θ(x_{t−1} | x_t))] (t in 1..T; the prior term is
/// 0 because α_1 = 0) plus λ times the cross-entropy of p̃_θ (the hybrid loss). Sampling starts from uniform tokens and
/// takes N steps with the same reverse step; every token may change at every step, so there is no caching.
/// </summary>
[Plugin(PluginKind.Sampler, "d3pm-uniform", Options = typeof(D3pmUniformOptions),
    Description = "Uniform-transition discrete token diffusion (D3PM): hybrid NELBO loss, N-step ancestral sampler.")]
public sealed class D3pmUniformSampler(D3pmUniformOptions options) : ITokenSampler
{
    private const double Tiny = 1e-30;

    /// <summary>α_t = 1 − t as a table (see <see cref="MdlmSampler.CreateSchedule"/>); fixes the time units.</summary>
    public NoiseSchedule CreateSchedule() => MdlmSampler.LinearKeepSchedule(options.Timesteps);

    /// <inheritdoc />
    public Tensor Loss(Tensor x0, DataSpec data, Func<Tensor, Tensor, Tensor> predict, Generator generator)
    {
        var (b, length) = TokenSampling.CheckLoss(x0, data, predict);
        int vocab = data.VocabSize, steps = options.Timesteps;
        var device = x0.device;
        // Timestep index in 1..T (antithetic over the batch), t = index/T, s = (index − 1)/T.
        var index = (TokenSampling.TrainingTimes((int)b, options.Antithetic, 0, generator) * steps).ceil().clamp(1, steps);
        var t = index / steps;
        var s = (index - 1) / steps;
        var keep = rand([b, length], dtype: ScalarType.Float64, generator: generator).lt((1 - t).unsqueeze(1));
        var uniform = randint(0, vocab, [b, length], dtype: ScalarType.Int64, generator: generator);
        var xt = where(keep.to(device), x0, uniform.to(device));

        var logits = predict(xt, (t * steps).to_type(ScalarType.Float32).to(device));
        var logP0 = logits.to_type(ScalarType.Float64).log_softmax(-1);
        var alphaT = (1 - t).to(device).reshape(-1, 1, 1);
        var alphaS = (1 - s).to(device).reshape(-1, 1, 1);
        var oneHotX0 = nn.functional.one_hot(x0, vocab).to_type(ScalarType.Float64);
        var q = Posterior(xt, oneHotX0, alphaT, alphaS, vocab);
        var p = Posterior(xt, logP0.exp(), alphaT, alphaS, vocab);
        var kl = where(q.gt(0), q * (q.clamp_min(Tiny).log() - p.clamp_min(Tiny).log()), zeros_like(q)).sum(-1);
        var nelbo = kl * steps;
        var crossEntropy = -logP0.gather(-1, x0.unsqueeze(-1)).squeeze(-1);
        var perToken = nelbo + options.HybridWeight * crossEntropy;
        return (perToken.sum(1) / length).to_type(logits.dtype);
    }

    /// <summary>
    /// p(x_s | x_t) for an x0 distribution <paramref name="x0"/> [B, L, V]: ∝ (r·[x_s = x_t] + (1 − r)/V)·(α_s·x0 + (1 − α_s)/V),
    /// normalised; α's are [B, 1, 1] and r = α_t/α_s (α_s &gt; 0 always, as s &lt; 1).
    /// </summary>
    internal static Tensor Posterior(Tensor xt, Tensor x0, Tensor alphaT, Tensor alphaS, int vocab)
    {
        var r = alphaT / alphaS;
        var fromXt = r * nn.functional.one_hot(xt, vocab).to_type(x0.dtype) + (1 - r) / vocab;
        var fromX0 = alphaS * x0 + (1 - alphaS) / vocab;
        var joint = fromXt * fromX0;
        return joint / joint.sum(-1, keepdim: true);
    }

    /// <inheritdoc />
    public Tensor Sample(Tensor noise, ISamplingContext context) => TokenSampling.SampleAllMasked(this, noise, context);

    /// <inheritdoc />
    public Tensor Infill(Tensor tokens, ISamplingContext context)
    {
        var (vocab, steps, units) = TokenSampling.BeginInfill(tokens, context);
        var input = tokens.to_type(ScalarType.Int64);
        var free = input.eq(vocab).DetachFromDisposeScope();
        // The positions to generate start from the stationary distribution (uniform tokens).
        var start = (TokenSampling.Uniform(context, input) * vocab).floor().to_type(ScalarType.Int64).clamp(max: vocab - 1);
        var x = where(free, start, input).DetachFromDisposeScope();
        try
        {
            for (int k = 0; k < steps; k++)
            {
                using var scope = NewDisposeScope();
                double t = 1.0 - (double)k / steps, s = 1.0 - (double)(k + 1) / steps;
                var logits = context.Predict(x, full([x.shape[0]], t * units, dtype: ScalarType.Float32, device: x.device));
                var p0 = logits.to_type(ScalarType.Float64).softmax(-1);
                var alphaT = full([x.shape[0], 1, 1], 1 - t, dtype: ScalarType.Float64, device: x.device);
                var alphaS = full([x.shape[0], 1, 1], 1 - s, dtype: ScalarType.Float64, device: x.device);
                var drawn = TokenSampling.Categorical(Posterior(x, p0, alphaT, alphaS, vocab), TokenSampling.Uniform(context, x));
                var next = where(free, drawn, x);
                x.Dispose();
                x = next.DetachFromDisposeScope();
                context.OnStep(k + 1, steps);
            }
            context.Report("denoiser_evaluations", steps);
            return x.alias();
        }
        finally
        {
            x.Dispose();
            free.Dispose();
        }
    }
}
