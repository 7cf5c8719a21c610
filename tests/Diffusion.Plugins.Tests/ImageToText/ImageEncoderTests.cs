using Diffusion.Denoisers.Transformer1D;
using Diffusion.Plugins.Tests.Denoisers;

namespace Diffusion.Plugins.Tests.ImageToText;

/// <summary>transformer1d's image encoder: conditioning on Conditioning.Image, the learned null condition, and its errors.</summary>
public class ImageEncoderTests
{
    private const int Vocab = 9;
    private static readonly DataSpec Captions = new("tokens", [5], VocabSize: Vocab) { ConditionImageShape = [3, 12, 12] };

    private static DenoiserModule Build(bool tokens, DataSpec? data = null)
    {
        manual_seed(3);
        var net = new Transformer1DDenoiser(new Transformer1DOptions
        {
            HiddenSize = 16, Depth = 1, NumHeads = 2, TimeConditioning = false, ImageEncoderChannels = 4, ImageTokens = tokens,
        }).Build(data ?? Captions);
        Networks.Scramble(net);
        net.eval();
        return net;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void The_caption_depends_on_the_image_and_a_zeroed_image_is_the_same_null_condition_as_none(bool tokens)
    {
        using var scope = NewDisposeScope();
        using var net = Build(tokens);
        using var generator = new Generator(5);
        var x = full([3, 5], Vocab, dtype: ScalarType.Int64); // all masked
        var t = zeros(3);
        var images = rand([3, 3, 12, 12], generator: generator) * 2 - 1;
        images[1] = zeros(3, 12, 12); // item 1's condition dropped

        var withImages = net.forward(x, t, new Conditioning { Image = images });
        var withoutImages = net.forward(x, t, null);
        var alone = net.forward(x.narrow(0, 0, 1), t.narrow(0, 0, 1), new Conditioning { Image = images.narrow(0, 0, 1) });

        Assert.False(withImages[0].allclose(withImages[2], atol: 1e-5), "different images give different logits");
        Assert.True(withImages[1].allclose(withoutImages[1], atol: 1e-6), "a zeroed image is the learned null condition");
        Assert.False(withImages[0].allclose(withoutImages[0], atol: 1e-5), "an image is not the null condition");
        Assert.True(withImages[0].allclose(alone[0], atol: 1e-5), "rows do not see each other's images");
    }

    [Fact]
    public void The_null_embedding_is_learned()
    {
        using var scope = NewDisposeScope();
        using var net = Build(tokens: true);
        net.train();
        var logits = net.forward(full([2, 5], Vocab, dtype: ScalarType.Int64), zeros(2), new Conditioning { Image = zeros(2, 3, 12, 12) });
        logits.sum().backward();

        var grads = Networks.GradientSizes(net);
        Assert.True(grads.Single(g => g.Key.EndsWith("null_pooled", StringComparison.Ordinal)).Value > 0);
        Assert.True(grads.Single(g => g.Key.EndsWith("null_tokens", StringComparison.Ordinal)).Value > 0);
    }

    [Fact]
    public void Build_fails_clearly_without_condition_images_and_forward_names_the_expected_shape()
    {
        var error = Assert.Throws<PluginInputException>(() => Build(true, new DataSpec("tokens", [5], VocabSize: Vocab)));
        Assert.Contains("image_encoder_channels: 4", error.Message);
        Assert.Contains("image-caption", error.Message);

        using var scope = NewDisposeScope();
        using var net = Build(true);
        var wrong = Assert.Throws<ArgumentException>(() => net.forward(zeros([2, 5], dtype: ScalarType.Int64), zeros(2), new Conditioning { Image = zeros(2, 1, 12, 12) }));
        Assert.Contains("[2, 3, 12, 12]", wrong.Message);
    }

    [Fact]
    public void Image_tokens_and_a_context_cannot_both_be_cross_attended()
    {
        var options = new Transformer1DOptions { HiddenSize = 16, NumHeads = 2, ImageEncoderChannels = 4, ContextDim = 8 };
        Assert.Contains(Networks.Validate(options), r => r.ErrorMessage!.Contains("image_tokens", StringComparison.Ordinal));
        options.ImageTokens = false;
        Assert.Empty(Networks.Validate(options));
    }
}
