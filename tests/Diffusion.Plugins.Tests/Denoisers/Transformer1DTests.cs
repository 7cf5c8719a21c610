using System.Reflection;
using Diffusion.Denoisers.Transformer1D;

namespace Diffusion.Plugins.Tests.Denoisers;

public class Transformer1DTests
{
    private const int Vocab = 11;
    private static readonly DataSpec Tokens = new("tokens", [6], VocabSize: Vocab);

    private static Transformer1DOptions Small(Action<Transformer1DOptions>? change = null)
    {
        var options = new Transformer1DOptions { HiddenSize = 32, Depth = 2, NumHeads = 2 };
        change?.Invoke(options);
        return options;
    }

    private static DenoiserModule Build(DataSpec data, Action<Transformer1DOptions>? change = null)
    {
        var net = new Transformer1DDenoiser(Small(change)).Build(data);
        Networks.Scramble(net);
        net.eval();
        return net;
    }

    [Fact]
    public void Token_indices_give_logits_over_the_vocabulary_and_the_mask_token_is_an_input()
    {
        using var scope = NewDisposeScope();
        using var net = Build(Tokens);
        var x = tensor(new long[] { 0, 3, Vocab, Vocab, 10, 1, 2, 2, 2, 2, Vocab, 5 }).reshape(2, 6); // Vocab = mask

        var logits = net.forward(x, tensor(new[] { 5f, 600f }), null);
        var shorter = net.forward(x.narrow(1, 0, 4), tensor(new[] { 5f, 600f }), null);

        Assert.Equal(new long[] { 2, 6, Vocab }, logits.shape);
        Assert.Equal(new long[] { 2, 4, Vocab }, shorter.shape);
        Assert.Contains("up to 6 positions", Assert.Throws<ArgumentException>(() => net.forward(zeros([1, 7], dtype: ScalarType.Int64), full(1, 1f), null)).Message);
    }

    [Fact]
    public void One_hot_vocabulary_weights_are_embedded_like_the_indices()
    {
        using var scope = NewDisposeScope();
        using var net = Build(Tokens);
        var x = randint(0, Vocab, [2, 6], dtype: ScalarType.Int64);
        var t = tensor(new[] { 30f, 300f });

        var fromIndices = net.forward(x, t, null);
        var fromWeights = net.forward(nn.functional.one_hot(x, Vocab).to(ScalarType.Float32), t, null);

        Assert.True(fromIndices.allclose(fromWeights, rtol: 1e-4, atol: 1e-5));
    }

    [Fact]
    public void Attention_is_bidirectional()
    {
        using var scope = NewDisposeScope();
        using var net = Build(Tokens);
        var x = tensor(new long[] { 1, 2, 3, 4, 5, 6, 1, 2, 3, 4, 5, 7 }).reshape(2, 6); // rows differ only in the last token

        var logits = net.forward(x, full(2, 100f), null);

        Assert.False(logits[0, 0].allclose(logits[1, 0]), "the first position sees the last one");
    }

    [Fact]
    public void Continuous_sequences_keep_their_shape()
    {
        using var scope = NewDisposeScope();
        using var net = Build(new DataSpec("embeddings", [5, 3], VocabSize: 40));
        var x = randn(2, 5, 3);

        Assert.Equal(x.shape, net.forward(x, full(2, 9f), null).shape);
        Assert.Throws<ArgumentException>(() => net.forward(randn(2, 5, 4), full(2, 9f), null));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void The_timestep_matters_only_with_time_conditioning(bool timeConditioning)
    {
        using var scope = NewDisposeScope();
        using var net = Build(Tokens, o => o.TimeConditioning = timeConditioning);
        var x = randint(0, Vocab, [1, 6], dtype: ScalarType.Int64).expand(2, 6);

        var logits = net.forward(x, tensor(new[] { 1f, 900f }), null);

        Assert.Equal(!timeConditioning, logits[0].allclose(logits[1]));
        Assert.Equal(timeConditioning, net.named_parameters().Any(p => p.name.Contains("time_mlp", StringComparison.Ordinal)));
    }

    [Fact]
    public void Class_labels_and_context_condition_the_output()
    {
        using var scope = NewDisposeScope();
        using var net = Build(Tokens with { NumClasses = 2 }, o => { o.ClassConditional = true; o.ContextDim = 4; });
        var x = randint(0, Vocab, [1, 6], dtype: ScalarType.Int64).expand(2, 6);
        var t = full(2, 50f);

        var byLabel = net.forward(x, t, new Conditioning(ClassLabels: tensor(new long[] { 0, 1 })));
        var byContext = net.forward(x, t, new Conditioning(Context: randn(2, 3, 4)));
        var none = net.forward(x, t, null);
        var zeroed = net.forward(x, t, new Conditioning(Context: zeros(2, 2, 4), ClassLabels: tensor(new long[] { 2, 2 })));

        Assert.False(byLabel[0].allclose(byLabel[1]));
        Assert.False(byContext[0].allclose(byContext[1]));
        Assert.True(none.allclose(zeroed, rtol: 1e-4, atol: 1e-5));
    }

    [Fact]
    public void Data_that_is_not_a_sequence_is_refused_with_the_contract()
    {
        var denoiser = new Transformer1DDenoiser(new Transformer1DOptions());
        var image = Assert.Throws<PluginInputException>(() => denoiser.Build(new DataSpec("image", [1, 8, 8])));
        Assert.Contains("[L] with a vocabulary", image.Message);
        Assert.Throws<PluginInputException>(() => denoiser.Build(new DataSpec("tokens", [8]))); // no vocabulary
    }

    [Fact]
    public void Plugin_and_option_names_are_the_documented_ones()
    {
        var plugin = typeof(Transformer1DDenoiser).GetCustomAttribute<PluginAttribute>()!;
        Assert.Equal((PluginKind.Denoiser, "transformer1d", typeof(Transformer1DOptions)), (plugin.Kind, plugin.Name, plugin.Options));
        Assert.Equal(["class_conditional", "context_dim", "depth", "dropout", "hidden_size", "image_encoder_channels", "image_encoder_depth", "image_tokens",
            "mlp_ratio", "num_heads", "time_conditioning"],
            typeof(Transformer1DOptions).GetProperties().Select(OptionNames.KeyOf).Order().ToArray());
        Assert.Empty(Networks.Validate(new Transformer1DOptions()));
        Assert.Contains(Networks.Validate(new Transformer1DOptions { HiddenSize = 30, NumHeads = 4 }), r => r.ErrorMessage!.Contains("num_heads"));
    }
}
