using Diffusion.Denoisers.Layers;
using Diffusion.Denoisers.UNet2D;

namespace Diffusion.Plugins.Tests.TextToImage;

public class TextEncoderTests
{
    private static readonly DataSpec Captioned = new("image", [3, 8, 8], NumClasses: 4) { ConditionVocabSize = 12, ConditionLength = 6 };

    private static UNet2DOptions Small(int layers = 1) => new()
    {
        BaseChannels = 8, Groups = 4, NumHeads = 2, ChannelMults = [1, 2], AttentionResolutions = [4],
        ContextDim = 16, TextEncoderLayers = layers, TextEncoderWidth = 16, TextEncoderHeads = 2,
    };

    [Fact]
    public void All_padding_rows_give_the_learned_null_sequence_and_different_captions_give_different_contexts()
    {
        manual_seed(3);
        using var encoder = new TextEncoder(12, 6, 16, 2, 2, 16);
        using var tokens = tensor(new long[,] { { 0, 0, 0, 0, 0, 0 }, { 3, 4, 5, 0, 0, 0 }, { 3, 4, 6, 0, 0, 0 }, { 0, 0, 0, 0, 0, 0 } });
        var (context, mask) = encoder.call(tokens);

        var nullContext = encoder.named_parameters().Single(p => p.name == "null_context").parameter;
        Assert.True(context[0].equal(nullContext).all().item<bool>());
        Assert.True(context[3].equal(nullContext).all().item<bool>());
        Assert.True(mask[0].all().item<bool>(), "the null sequence is all valid");
        Assert.Equal(new[] { true, true, true, false, false, false }, mask[1].data<bool>().ToArray());
        Assert.False(context[1].allclose(context[2], atol: 1e-4), "a different last word changes the context");
        Assert.False(context[1].narrow(0, 0, 3).allclose(nullContext.narrow(0, 0, 3), atol: 1e-4));
        Assert.False(context.isnan().any().item<bool>());
        // Padding is ignored: what follows the caption in a padded slot does not leak into the valid positions.
        using var noisyPadding = tensor(new long[,] { { 3, 4, 5, 0, 0, 0 } });
        Assert.True(encoder.call(noisyPadding).Context[0].narrow(0, 0, 3).allclose(context[1].narrow(0, 0, 3), atol: 1e-6));
    }

    [Fact]
    public void The_null_sequence_is_learned_from_dropped_captions()
    {
        manual_seed(4);
        using var encoder = new TextEncoder(12, 6, 16, 1, 2, 16);
        var nullContext = encoder.named_parameters().Single(p => p.name == "null_context").parameter;
        using var before = nullContext.detach().clone();
        using var tokens = zeros([2, 6], dtype: ScalarType.Int64);
        var (context, _) = encoder.call(tokens);
        context.square().sum().backward();
        Assert.NotNull(nullContext.grad);
        Assert.True(nullContext.grad!.abs().sum().item<float>() > 0);
        Assert.True(nullContext.equal(before).all().item<bool>());
    }

    [Fact]
    public void Unet2d_with_a_text_encoder_is_steered_by_caption_tokens_and_its_weights_round_trip()
    {
        manual_seed(5);
        using var net = new UNet2DDenoiser(Small()).Build(Captioned);
        net.eval();
        using var x = randn(2, 3, 8, 8);
        using var t = tensor(new[] { 100f, 100f });
        using var tokens = tensor(new long[,] { { 3, 4, 5, 0, 0, 0 }, { 0, 0, 0, 0, 0, 0 } });
        using var noGrad = no_grad();
        var withTokens = net.forward(x, t, new Conditioning { Tokens = tokens });
        var unconditional = net.forward(x, t, null);
        Assert.Equal(x.shape, withTokens.shape);
        Assert.True(withTokens[1].allclose(unconditional[1], atol: 1e-5), "no tokens = all padding = the null condition");
        Assert.False(withTokens[0].allclose(unconditional[0], atol: 1e-5), "a caption changes the output");
        Assert.Contains(net.state_dict().Keys, k => k.StartsWith("text_encoder.", StringComparison.Ordinal));

        string file = Path.GetTempFileName();
        try
        {
            net.save(file);
            manual_seed(99);
            using var copy = new UNet2DDenoiser(Small()).Build(Captioned);
            copy.load(file);
            copy.eval();
            Assert.True(copy.forward(x, t, new Conditioning { Tokens = tokens }).allclose(withTokens, atol: 1e-6));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Build_refuses_a_text_encoder_without_caption_tokens_and_caption_tokens_without_an_encoder()
    {
        var noTokens = Assert.Throws<PluginInputException>(() => new UNet2DDenoiser(Small()).Build(new DataSpec("image", [3, 8, 8])));
        Assert.Contains("no condition tokens", noTokens.Message, StringComparison.Ordinal);
        var noEncoder = Assert.Throws<PluginInputException>(() => new UNet2DDenoiser(Small(layers: 0)).Build(Captioned));
        Assert.Contains("text_encoder_layers", noEncoder.Message, StringComparison.Ordinal);
        var options = Small();
        options.ContextDim = 0;
        var errors = new List<System.ComponentModel.DataAnnotations.ValidationResult>();
        System.ComponentModel.DataAnnotations.Validator.TryValidateObject(options, new(options), errors, validateAllProperties: true);
        Assert.Contains(errors, e => e.ErrorMessage!.Contains("context_dim", StringComparison.Ordinal));
    }
}
