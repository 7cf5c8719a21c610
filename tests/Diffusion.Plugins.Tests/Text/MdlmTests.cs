using Diffusion.Modalities.Text.Samplers.Mdlm;

namespace Diffusion.Plugins.Tests.Text;

public class MdlmTests
{
    private const int Vocab = 7;

    private static MdlmSampler Mdlm(bool cache = true) => new(new MdlmOptions { Cache = cache });

    [Fact]
    public void The_forward_process_masks_a_fraction_t_equal_to_one_minus_alpha()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(3);
        var x0 = randint(0, Vocab, [16, 4000], dtype: ScalarType.Int64, generator: generator);
        Tensor? seenX = null, seenT = null;

        Mdlm().Loss(x0, new DataSpec("tokens", [4000], VocabSize: Vocab), (xt, t) =>
        {
            (seenX, seenT) = (xt.alias(), t.alias());
            return zeros([xt.shape[0], xt.shape[1], Vocab]);
        }, generator);

        var t = seenT!.to_type(ScalarType.Float64) / 1000; // the denoiser sees t in units of the 1000 timesteps
        var masked = seenX!.eq(Vocab);
        var fraction = masked.to_type(ScalarType.Float64).mean([1]);
        Assert.True((fraction - t).abs().max().item<double>() < 0.03, "mask fractions differ from t");
        // Unmasked positions hold the clean token; antithetic times spread over [0, 1): one per 1/16 interval.
        Assert.True(where(masked, x0, seenX).eq(x0).all().item<bool>());
        var sorted = t.sort().Values;
        Assert.True((sorted.diff() - 1.0 / 16).abs().max().item<double>() < 1e-3);
    }

    [Fact]
    public void The_nelbo_of_an_oracle_is_near_zero_and_a_uniform_denoiser_pays_log_v_per_token()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(5);
        var x0 = randint(0, Vocab, [64, 256], dtype: ScalarType.Int64, generator: generator);
        var data = new DataSpec("tokens", [256], VocabSize: Vocab);

        double oracle = Mdlm().Loss(x0, data, (_, _) => nn.functional.one_hot(x0, Vocab).to_type(ScalarType.Float32) * 30, generator).mean().item<float>();
        double uniform = Mdlm().Loss(x0, data, (xt, _) => zeros([xt.shape[0], xt.shape[1], Vocab]), generator).mean().item<float>();

        Assert.True(oracle < 1e-6, $"oracle NELBO {oracle}");
        Assert.InRange(uniform, Math.Log(Vocab) * 0.9, Math.Log(Vocab) * 1.1);
        Assert.True(oracle < uniform);
    }

    [Fact]
    public void The_sampler_fills_every_mask_and_keeps_the_given_tokens_exactly()
    {
        using var scope = NewDisposeScope();
        const int length = 12;
        var input = tensor(new long[] { 3, 4, Vocab, Vocab, Vocab, 5, 5, Vocab, Vocab, 6, 0, Vocab }).reshape(1, length).repeat(3, 1);
        using var context = new TokenSamplingContext(Vocab, length, 5, (x, _) => randn([x.shape[0], x.shape[1], Vocab]));

        var output = Mdlm().Infill(input, context);

        var kept = input.ne(Vocab);
        Assert.True(output.masked_select(kept).eq(input.masked_select(kept)).all().item<bool>());
        Assert.False(output.eq(Vocab).any().item<bool>());
        Assert.True(output.lt(Vocab).all().item<bool>() && output.ge(0).all().item<bool>());
        Assert.Equal([1, 2, 3, 4, 5], context.StepsReported);
        var fromNothing = Mdlm().Sample(randn(3, length), context);
        Assert.False(fromNothing.eq(Vocab).any().item<bool>());
    }

    [Fact]
    public void Samples_follow_the_denoiser_distribution()
    {
        using var scope = NewDisposeScope();
        // A denoiser sure that every position is token 2 produces only token 2.
        using var context = new TokenSamplingContext(Vocab, 10, 4, (x, _) => nn.functional.one_hot(full_like(x, 2), Vocab).to_type(ScalarType.Float32) * 50);

        var output = Mdlm().Sample(zeros(4, 10), context);

        Assert.True(output.eq(2).all().item<bool>());
    }

    [Fact]
    public void Caching_skips_evaluations_when_no_token_changes_and_does_not_change_the_samples()
    {
        using var scope = NewDisposeScope();
        const int length = 4, steps = 60;
        Func<Tensor, Tensor, Tensor> timeless = (x, _) => x.to_type(ScalarType.Float32).unsqueeze(-1) * arange(Vocab).to_type(ScalarType.Float32) * 0.1f;
        using var cached = new TokenSamplingContext(Vocab, length, steps, timeless);
        using var uncached = new TokenSamplingContext(Vocab, length, steps, timeless);

        var a = Mdlm(cache: true).Sample(zeros(2, length), cached);
        var b = Mdlm(cache: false).Sample(zeros(2, length), uncached);

        Assert.True(a.eq(b).all().item<bool>());
        // At most one evaluation per step that revealed a token (8 tokens) plus the first: the rest are reused.
        Assert.InRange(cached.Evaluations, 1, 2 * length + 1);
        Assert.Equal(cached.Evaluations, cached.Reports["denoiser_evaluations"]);
        Assert.Equal(steps - cached.Evaluations, cached.Reports["cached_evaluations"]);
        Assert.True(uncached.Evaluations > cached.Evaluations);
        Assert.Equal(steps, cached.StepsReported.Count);
    }
}
