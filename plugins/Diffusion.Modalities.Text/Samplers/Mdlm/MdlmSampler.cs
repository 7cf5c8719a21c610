using Diffusion.Abstractions.Denoisers;
using Diffusion.Abstractions.Samplers;

namespace Diffusion.Modalities.Text.Samplers.Mdlm;

/// <summary>
/// Masked diffusion language model (MDLM, Sahoo et al. 2024). Forward process: each token is independently replaced by the
/// absorbing [MASK] token (index V) with probability 1 − α_t, with the log-linear schedule α_t = 1 − t, t in [0, 1].
/// SUBS parameterisation: the denoiser never predicts [MASK] (its output has no mask logit, i.e. that logit is −∞) and
/// tokens that are not masked are carried over unchanged. Training minimises the continuous-time NELBO
/// −E_t[ (1/t) Σ_{masked l} log p_θ(x_l | z_t) ] / L, with antithetic times. Sampling runs N steps from t = 1 to 0: a
/// masked token is revealed between t and s &lt; t with probability (t − s)/t, drawn from p_θ; revealed tokens never
/// change. When a step reveals nothing the next step reuses the previous denoiser output (caching), and the sampler reports
/// the evaluations made and saved.
/// </summary>
[Plugin(PluginKind.Sampler, "mdlm", Options = typeof(MdlmOptions),
    Description = "Masked (absorbing-state) token diffusion, MDLM: SUBS, log-linear schedule, NELBO loss, cached sampler.")]
public sealed class MdlmSampler(MdlmOptions options) : ITokenSampler
{
    /// <summary>
    /// A table view of α: ᾱ_i = α((i+1)/T) = 1 − (i+1)/T, i.e. β_i = 1/(T − i). It fixes the time units (T) the denoiser sees
    /// and is stored in checkpoints; the sampler and the loss use α_t = 1 − t directly.
    /// </summary>
    public NoiseSchedule CreateSchedule() => LinearKeepSchedule(options.Timesteps);

    /// <summary>The discrete table of α_t = 1 − t at t = (i+1)/T (x0 prediction).</summary>
    internal static NoiseSchedule LinearKeepSchedule(int timesteps) =>
        NoiseSchedule.FromBetas(Enumerable.Range(0, timesteps).Select(i => 1.0 / (timesteps - i)).ToArray(), PredictionType.Sample, BetaSchedule.Linear);

    /// <inheritdoc />
    public Tensor Loss(Tensor x0, DataSpec data, Func<Tensor, Tensor, Tensor> predict, Generator generator)
    {
        var (b, length) = TokenSampling.CheckLoss(x0, data, predict);
        var device = x0.device;
        var t = TokenSampling.TrainingTimes((int)b, options.Antithetic, options.Eps, generator);
        var masked = rand([b, length], dtype: ScalarType.Float64, generator: generator).lt(t.unsqueeze(1)).to(device);
        var xt = Mask(x0, masked, data.VocabSize);
        var logits = predict(xt, (t * options.Timesteps).to_type(ScalarType.Float32).to(device));
        var nll = -logits.log_softmax(-1).gather(-1, x0.unsqueeze(-1)).squeeze(-1);
        // SUBS: an unmasked token is carried over, so its log-likelihood is 0; masked ones weigh −α'_t/(1 − α_t) = 1/t.
        var weighted = nll * masked.to_type(nll.dtype) / t.to_type(nll.dtype).to(device).unsqueeze(1);
        return weighted.sum(1) / length;
    }

    /// <summary>The forward process: <paramref name="x0"/> with the positions in <paramref name="masked"/> set to the mask index V.</summary>
    internal static Tensor Mask(Tensor x0, Tensor masked, int vocabSize) => where(masked, full_like(x0, vocabSize), x0);

    /// <inheritdoc />
    public Tensor Sample(Tensor noise, ISamplingContext context) => TokenSampling.SampleAllMasked(this, noise, context);

    /// <inheritdoc />
    public Tensor Infill(Tensor tokens, ISamplingContext context)
    {
        var (vocab, steps, units) = TokenSampling.BeginInfill(tokens, context);
        var x = tokens.to_type(ScalarType.Int64).clone().DetachFromDisposeScope();
        Tensor? cached = null;
        int evaluations = 0, saved = 0;
        try
        {
            for (int k = 0; k < steps; k++)
            {
                using var scope = NewDisposeScope();
                double t = 1.0 - (double)k / steps, s = 1.0 - (double)(k + 1) / steps;
                var masked = x.eq(vocab);
                if (!masked.any().item<bool>())
                {
                    // Nothing left to generate: the remaining steps need no evaluation at all.
                    saved += steps - k;
                    for (int rest = k; rest < steps; rest++) context.OnStep(rest + 1, steps);
                    break;
                }
                if (cached is null || !options.Cache)
                {
                    var logits = context.Predict(x, full([x.shape[0]], t * units, dtype: ScalarType.Float32, device: x.device));
                    cached?.Dispose();
                    cached = logits.softmax(-1).DetachFromDisposeScope();
                    evaluations++;
                }
                else
                {
                    saved++;
                }
                var reveal = TokenSampling.Uniform(context, x).lt((t - s) / t).logical_and(masked);
                var drawn = TokenSampling.Categorical(cached, TokenSampling.Uniform(context, x));
                var next = where(reveal, drawn, x);
                bool changed = reveal.any().item<bool>();
                x.Dispose();
                x = next.DetachFromDisposeScope();
                if (changed && cached is not null)
                {
                    cached.Dispose();
                    cached = null;
                }
                context.OnStep(k + 1, steps);
            }
            context.Report("denoiser_evaluations", evaluations);
            context.Report("cached_evaluations", saved);
            return x.alias(); // a handle in the caller's dispose scope
        }
        finally
        {
            x.Dispose();
            cached?.Dispose();
        }
    }
}
