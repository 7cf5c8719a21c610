using Diffusion.Denoisers.DiT;
using Diffusion.Denoisers.Mlp;
using Diffusion.Denoisers.Transformer1D;
using Diffusion.Denoisers.UNet2D;

namespace Diffusion.Plugins.Tests.Denoisers;

/// <summary>
/// Gradient checks of every denoiser network on tiny configurations: autograd matches finite differences in float64, and
/// float32 autograd matches float64 autograd for every parameter and the input. The second is what fails when a float32
/// kernel is wrong on the CPU running the tests (issue 15: oneDNN's convolution backward on some AMD EPYC CPUs).
/// </summary>
public class GradientCheckTests
{
    private const int Vocab = 7;

    /// <summary>
    /// A network to check: how to build it (scrambled, in eval mode, float32), its differentiable input in float64 (or
    /// null), its loss, and the parameters to check by finite differences.
    /// </summary>
    private sealed record Case(Func<DenoiserModule> Build, Tensor? Input, GradientCheck.Loss Loss, string[] Parameters);

    public static TheoryData<string> NetworkNames() =>
        ["unet2d", "unet2d_class_labels", "unet2d_text_encoder", "unet2d_concat", "dit_class_labels", "mlp", "transformer1d_tokens", "transformer1d_image_encoder"];

    [Theory]
    [MemberData(nameof(NetworkNames))]
    public void Gradients_match_finite_differences_in_float64(string network)
    {
        using var scope = NewDisposeScope();
        var check = CaseOf(network);
        var net = check.Build();
        net.to(ScalarType.Float64);

        GradientCheck.AssertMatchesFiniteDifferences(net, check.Input?.requires_grad_(), check.Loss, check.Parameters);
    }

    [Theory]
    [MemberData(nameof(NetworkNames))]
    public void Float32_gradients_match_float64_gradients_for_every_parameter(string network)
    {
        using var scope = NewDisposeScope();
        var check = CaseOf(network);
        var net64 = check.Build();
        net64.to(ScalarType.Float64);

        GradientCheck.AssertFloat32MatchesFloat64(net64, check.Build(), check.Input?.requires_grad_(), check.Loss);
    }

    private static Case CaseOf(string network)
    {
        using var generator = new Generator(11);
        var t = tensor(new[] { 37f, 640f });
        Tensor Randn(params long[] shape) => randn(shape, dtype: ScalarType.Float64, generator: generator);
        var image = Randn(2, 2, 8, 8);
        var target = Randn(2, 2, 8, 8);
        var vectorTarget = Randn(2, 5);
        Tensor Mse(Tensor output) => nn.functional.mse_loss(output, target.to_type(output.dtype));
        var tokens = tensor(new long[] { 1, 4, Vocab, 6, Vocab, 2, 3, 3, 0, Vocab, 5, 1 }).reshape(2, 6); // Vocab = mask token
        var tokenTargets = tensor(new long[] { 1, 4, 2, 6, 0, 2, 3, 3, 0, 1, 5, 1 });
        Tensor CrossEntropy(Tensor logits) => nn.functional.cross_entropy(logits.reshape(-1, Vocab), tokenTargets);

        string[] unetParameters =
            ["conv_in.weight", "time_mlp.0.weight", "down_blocks.0.res.norm1.weight", "down_blocks.1.res.conv1.weight", "down_blocks.1.attn.qkv.weight",
             "mid_block1.attn.proj.weight", "up_blocks.2.res.skip.weight", "upsamplers.0.conv.weight", "norm_out.bias", "conv_out.weight"];
        string[] ditParameters =
            ["patch_embed.weight", "condition.time_mlp.0.weight", "condition.class_embedding.weight", "blocks.0.attn.qkv.weight",
             "blocks.1.mlp.0.weight", "blocks.1.adaLN_modulation.1.weight", "final_layer.adaLN_modulation.1.bias", "final_layer.linear.weight"];
        string[] transformerParameters =
            ["token_embedding.weight", "position_embedding.weight", "condition.time_mlp.2.weight", "blocks.0.attn.qkv.bias",
             "blocks.1.mlp.3.weight", "blocks.1.adaLN_modulation.1.weight", "final_layer.linear.weight"];

        return network switch
        {
            "unet2d" => new(Build(() => new UNet2DDenoiser(UNet()).Build(new DataSpec("image", [2, 8, 8]))),
                image, (net, x) => Mse(net.forward(x!, t, null)), unetParameters),
            "unet2d_class_labels" => new(Build(() => new UNet2DDenoiser(UNet(o => o.ClassConditional = true)).Build(new DataSpec("image", [2, 8, 8], NumClasses: 3))),
                image, (net, x) => Mse(net.forward(x!, t, new Conditioning(ClassLabels: tensor(new long[] { 1, 3 })))), // 3 = no class
                [.. unetParameters, "class_embedding.weight"]),
            "unet2d_text_encoder" => new(Build(() => new UNet2DDenoiser(UNet(o => { o.TextEncoderLayers = 1; o.TextEncoderWidth = 8; o.TextEncoderHeads = 2; o.ContextDim = 6; }))
                    .Build(new DataSpec("image", [2, 8, 8]) { ConditionVocabSize = 10, ConditionLength = 4 })),
                image, (net, x) => Mse(net.forward(x!, t, new Conditioning { Tokens = tensor(new long[] { 3, 9, 1, 0, 0, 0, 0, 0 }).reshape(2, 4) })), // row 2: no caption
                [.. unetParameters, "context_proj.weight", "mid_block1.cross.attn.to_kv.weight", "text_encoder.token_embedding.weight",
                 "text_encoder.layers.0.qkv.weight", "text_encoder.null_context"]),
            "unet2d_concat" => new(Build(() => new UNet2DDenoiser(UNet(o => o.ExtraInChannels = 2)).Build(new DataSpec("image", [2, 8, 8]))),
                image, (net, x) => Mse(net.forward(x!, t, new Conditioning(Concat: target.flip(3)))), unetParameters),
            "dit_class_labels" => new(Build(() => new DiTDenoiser(new DiTOptions { HiddenSize = 16, Depth = 2, NumHeads = 2, MlpRatio = 2, ClassConditional = true })
                    .Build(new DataSpec("image", [2, 8, 8], NumClasses: 3))),
                image, (net, x) => Mse(net.forward(x!, t, new Conditioning(ClassLabels: tensor(new long[] { 0, 3 })))), ditParameters),
            "mlp" => new(Build(() => new MlpDenoiser(new MlpOptions { HiddenSize = 16, Depth = 2 }).Build(new DataSpec("vector", [5]))),
                Randn(2, 5), (net, x) => nn.functional.mse_loss(net.forward(x!, t, null), vectorTarget.to_type(x!.dtype)),
                ["input.weight", "condition.time_mlp.0.bias", "blocks.0.norm.weight", "blocks.1.fc1.weight", "blocks.1.cond_proj.weight", "norm_out.bias", "output.weight"]),
            "transformer1d_tokens" => new(Build(() => new Transformer1DDenoiser(Transformer1D()).Build(new DataSpec("tokens", [6], VocabSize: Vocab))),
                null, (net, _) => CrossEntropy(net.forward(tokens, t, null)), transformerParameters),
            "transformer1d_image_encoder" => new(Build(() => new Transformer1DDenoiser(Transformer1D(o => { o.ImageEncoderChannels = 4; o.ImageEncoderDepth = 1; }))
                    .Build(new DataSpec("tokens", [6], VocabSize: Vocab) { ConditionImageShape = [1, 8, 8] })),
                Randn(2, 1, 8, 8), (net, image) => CrossEntropy(net.forward(tokens, t, new Conditioning { Image = image })),
                [.. transformerParameters, "image_encoder.stem.weight", "image_encoder.stages.0.weight", "image_encoder.stages.2.weight",
                 "image_encoder.pooled_proj.weight", "image_encoder.token_proj.weight", "blocks.0.cross.to_kv.weight"]),
            _ => throw new ArgumentOutOfRangeException(nameof(network), network, null),
        };
    }

    /// <summary>A two-level U-Net of 8 and 16 channels with attention at 4x4 (the second level and the middle).</summary>
    private static UNet2DOptions UNet(Action<UNet2DOptions>? change = null)
    {
        var options = new UNet2DOptions { BaseChannels = 8, ChannelMults = [1, 2], Groups = 4, NumHeads = 2, AttentionResolutions = [4] };
        change?.Invoke(options);
        return options;
    }

    private static Transformer1DOptions Transformer1D(Action<Transformer1DOptions>? change = null)
    {
        var options = new Transformer1DOptions { HiddenSize = 16, Depth = 2, NumHeads = 2, MlpRatio = 2 };
        change?.Invoke(options);
        return options;
    }

    /// <summary>A builder of the network from the same seed, with its zero-initialised layers scrambled, in eval mode.</summary>
    private static Func<DenoiserModule> Build(Func<DenoiserModule> build) => () =>
    {
        manual_seed(5);
        var net = build();
        Networks.Scramble(net);
        net.eval();
        return net;
    };
}
