using Diffusion.Modalities.Text.Samplers.D3pm;

namespace Diffusion.Plugins.Tests.Text;

public class D3pmUniformTests
{
    private const int Vocab = 5;

    private static D3pmUniformSampler D3pm() => new(new D3pmUniformOptions { Timesteps = 50, HybridWeight = 0 });

    [Fact]
    public void The_posterior_of_a_clean_token_at_the_first_step_is_that_token()
    {
        using var scope = NewDisposeScope();
        var xt = tensor(new long[] { 1, 3 }).reshape(1, 2);
        var x0 = nn.functional.one_hot(tensor(new long[] { 4, 3 }).reshape(1, 2), Vocab).to_type(ScalarType.Float64);

        var atZero = D3pmUniformSampler.Posterior(xt, x0, full([1, 1, 1], 0.9, dtype: ScalarType.Float64), ones([1, 1, 1], dtype: ScalarType.Float64), Vocab);
        Assert.True(atZero.allclose(x0));

        // Between s and t with r = 0.5 and alpha_s = 0.5: (0.5 [j = x_t] + 0.1)(0.5 [j = x0] + 0.1), normalised.
        var mid = D3pmUniformSampler.Posterior(xt, x0, full([1, 1, 1], 0.25, dtype: ScalarType.Float64), full([1, 1, 1], 0.5, dtype: ScalarType.Float64), Vocab);
        double[] expected = [0.01, 0.06, 0.01, 0.01, 0.06]; // x_t = 1, x0 = 4
        double total = expected.Sum();
        Assert.True(mid[0, 0].allclose(tensor(expected.Select(e => e / total).ToArray(), dtype: ScalarType.Float64), atol: 1e-12));
    }

    [Fact]
    public void The_nelbo_of_an_oracle_is_lower_than_that_of_a_uniform_denoiser()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(9);
        var x0 = randint(0, Vocab, [32, 32], dtype: ScalarType.Int64, generator: generator);
        var data = new DataSpec("tokens", [32], VocabSize: Vocab);

        double oracle = D3pm().Loss(x0, data, (_, _) => nn.functional.one_hot(x0, Vocab).to_type(ScalarType.Float32) * 30, generator).mean().item<float>();
        double uniform = D3pm().Loss(x0, data, (xt, _) => zeros([xt.shape[0], xt.shape[1], Vocab]), generator).mean().item<float>();

        Assert.True(oracle < 1e-3, $"oracle NELBO {oracle}");
        Assert.True(uniform > 0.5, $"uniform NELBO {uniform}");
    }

    [Fact]
    public void The_sampler_keeps_infill_constraints_and_returns_vocabulary_tokens()
    {
        using var scope = NewDisposeScope();
        var input = tensor(new long[] { 0, Vocab, Vocab, 3, Vocab, 1 }).reshape(1, 6).repeat(4, 1);
        using var context = new TokenSamplingContext(Vocab, 6, 8, (x, _) => randn([x.shape[0], x.shape[1], Vocab]));

        var output = D3pm().Infill(input, context);

        var kept = input.ne(Vocab);
        Assert.True(output.masked_select(kept).eq(input.masked_select(kept)).all().item<bool>());
        Assert.True(output.lt(Vocab).all().item<bool>() && output.ge(0).all().item<bool>());
        Assert.Equal(8, context.Evaluations);
        // A confident denoiser is followed at the end: every generated token becomes its choice.
        using var sure = new TokenSamplingContext(Vocab, 6, 8, (x, _) => nn.functional.one_hot(full_like(x, 4), Vocab).to_type(ScalarType.Float32) * 50);
        Assert.True(D3pm().Sample(zeros(3, 6), sure).eq(4).all().item<bool>());
    }
}
