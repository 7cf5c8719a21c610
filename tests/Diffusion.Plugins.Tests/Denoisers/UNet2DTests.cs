using System.Reflection;
using Diffusion.Denoisers.UNet2D;

namespace Diffusion.Plugins.Tests.Denoisers;

public class UNet2DTests
{
    private static UNet2DOptions Small(Action<UNet2DOptions>? change = null)
    {
        var options = new UNet2DOptions { BaseChannels = 16, Groups = 4, NumHeads = 2 };
        change?.Invoke(options);
        return options;
    }

    [Theory]
    [InlineData(1, 16, new[] { 8 })]
    [InlineData(1, 28, new[] { 7 })]
    [InlineData(3, 28, new[] { 14, 7 })]
    [InlineData(1, 13, new int[0])]
    public void Output_has_the_shape_of_the_input(int channels, int size, int[] attention)
    {
        using var scope = NewDisposeScope();
        using var net = new UNet2DDenoiser(Small(o => o.AttentionResolutions = attention)).Build(new DataSpec("image", [channels, size, size]));

        var x = randn(2, channels, size, size);
        var output = net.forward(x, tensor(new[] { 10f, 900.5f }), null);

        Assert.Equal(x.shape, output.shape);
        Assert.False(output.isnan().any().item<bool>());
    }

    [Fact]
    public void Default_options_build_a_network_of_sane_size_for_16x16()
    {
        using var scope = NewDisposeScope();
        using var net = new UNet2DDenoiser(new UNet2DOptions()).Build(new DataSpec("image", [1, 16, 16], NumClasses: 3));

        long parameters = net.parameters().Sum(p => p.numel());

        Assert.InRange(parameters, 500_000, 5_000_000);
        var output = net.forward(randn(2, 1, 16, 16), tensor(new[] { 1f, 500f }), null);
        Assert.Equal(new long[] { 2, 1, 16, 16 }, output.shape);
    }

    [Fact]
    public void Group_norms_start_as_identity_affines()
    {
        // TorchSharp 0.107 leaves GroupNorm's affine parameters uninitialised; the network must not.
        using var net = new UNet2DDenoiser(new UNet2DOptions()).Build(new DataSpec("image", [1, 16, 16]));
        var norms = net.named_parameters().Where(p => p.name.Contains("norm", StringComparison.Ordinal)).ToList();

        Assert.NotEmpty(norms);
        Assert.All(norms, p => Assert.Equal(p.name.EndsWith(".weight", StringComparison.Ordinal) ? 1f : 0f, p.parameter.abs().max().item<float>()));
        Assert.All(norms, p => Assert.Equal(p.name.EndsWith(".weight", StringComparison.Ordinal) ? 1f : 0f, p.parameter.abs().min().item<float>()));
    }

    [Fact]
    public void Gradients_reach_the_first_convolution()
    {
        using var scope = NewDisposeScope();
        using var net = new UNet2DDenoiser(Small(o => o.AttentionResolutions = [7])).Build(new DataSpec("image", [1, 28, 28]));
        net.train();

        var loss = net.forward(randn(2, 1, 28, 28), tensor(new[] { 3f, 700f }), null).square().mean();
        loss.backward();

        var parameters = net.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        var grad = parameters["conv_in.weight"].grad;
        Assert.NotNull(grad);
        Assert.True(grad.abs().sum().item<float>() > 0);
        Assert.All(parameters, p => Assert.NotNull(p.Value.grad));
    }

    [Fact]
    public void Class_labels_change_the_output_and_no_label_means_the_null_class()
    {
        using var scope = NewDisposeScope();
        var options = Small(o => o.ClassConditional = true);
        using var net = new UNet2DDenoiser(options).Build(new DataSpec("image", [1, 16, 16], NumClasses: 3));
        net.eval();
        // A fresh class embedding is random, so different labels give different outputs.
        var x = randn(1, 1, 16, 16).expand(4, 1, 16, 16);
        var t = full(4, 100f);

        var withLabels = net.forward(x, t, new Conditioning(ClassLabels: tensor(new long[] { 0, 1, 2, 3 })));
        var unlabelled = net.forward(x, t, null);

        Assert.False(withLabels[0].allclose(withLabels[1]));
        Assert.True(unlabelled[0].allclose(withLabels[3], rtol: 1e-5, atol: 1e-6)); // index 3 = "no class"
        Assert.Contains(net.named_parameters(), p => p.name.StartsWith("class_embedding", StringComparison.Ordinal) && p.parameter.shape[0] == 4);
    }

    [Fact]
    public void Class_conditioning_is_off_for_unlabelled_data()
    {
        using var net = new UNet2DDenoiser(Small(o => o.ClassConditional = true)).Build(new DataSpec("image", [1, 16, 16]));
        Assert.DoesNotContain(net.named_parameters(), p => p.name.StartsWith("class_embedding", StringComparison.Ordinal));
    }

    [Fact]
    public void Concat_conditioning_adds_input_channels()
    {
        using var scope = NewDisposeScope();
        using var net = new UNet2DDenoiser(Small(o => o.ExtraInChannels = 2)).Build(new DataSpec("image", [1, 16, 16]));
        var x = randn(2, 1, 16, 16);

        var output = net.forward(x, full(2, 5f), new Conditioning(Concat: randn(2, 2, 16, 16)));

        Assert.Equal(x.shape, output.shape);
        var missing = Assert.Throws<ArgumentException>(() => net.forward(x, full(2, 5f), null));
        Assert.Contains("extra_in_channels", missing.Message);
    }

    [Fact]
    public void Eval_mode_is_deterministic_even_with_dropout()
    {
        using var scope = NewDisposeScope();
        using var net = new UNet2DDenoiser(Small(o => o.Dropout = 0.5)).Build(new DataSpec("image", [1, 16, 16]));
        net.eval();
        var x = randn(2, 1, 16, 16);
        var t = full(2, 50f);

        Assert.True(net.forward(x, t, null).allclose(net.forward(x, t, null)));
    }

    [Fact]
    public void Non_image_data_is_refused_with_a_clear_message()
    {
        var denoiser = new UNet2DDenoiser(new UNet2DOptions());

        var tokens = Assert.Throws<PluginInputException>(() => denoiser.Build(new DataSpec("tokens", [32], VocabSize: 100)));
        Assert.Contains("unet2d models images", tokens.Message);
        Assert.Contains("tokens", tokens.Message);
        Assert.Throws<PluginInputException>(() => denoiser.Build(new DataSpec("image", [16, 16])));
    }

    [Fact]
    public void Defaults_are_valid_and_bad_combinations_are_reported()
    {
        Assert.Empty(Networks.Validate(new UNet2DOptions()));

        var groups = Networks.Validate(new UNet2DOptions { Groups = 6 });
        Assert.Contains(groups, r => r.ErrorMessage!.Contains("groups (6) must divide base_channels (32)"));
        Assert.Contains(Networks.Validate(new UNet2DOptions { NumHeads = 3 }), r => r.ErrorMessage!.Contains("num_heads"));
        Assert.NotEmpty(Networks.Validate(new UNet2DOptions { Dropout = 1.0 }));
        Assert.NotEmpty(Networks.Validate(new UNet2DOptions { ChannelMults = [] }));
        Assert.NotEmpty(Networks.Validate(new UNet2DOptions { BaseChannels = 33, Groups = 1, NumHeads = 1 }));
    }

    [Fact]
    public void Context_is_cross_attended_and_changes_the_output()
    {
        using var scope = NewDisposeScope();
        using var net = new UNet2DDenoiser(Small(o => o.ContextDim = 6)).Build(new DataSpec("image", [1, 16, 16]));
        net.eval();
        var x = randn(1, 1, 16, 16).expand(2, 1, 16, 16);
        var t = full(2, 100f);

        var output = net.forward(x, t, new Conditioning(Context: randn(2, 5, 6)));

        Assert.Equal(x.shape, output.shape);
        Assert.False(output[0].allclose(output[1]));
        Assert.Contains(net.named_parameters(), p => p.name.Contains(".cross.attn.to_kv.", StringComparison.Ordinal) && p.parameter.shape[1] == 6);
        Assert.Contains(net.named_parameters(), p => p.name.StartsWith("mid_block1.cross.", StringComparison.Ordinal));
        Assert.Contains(net.named_parameters(), p => p.name.StartsWith("context_proj.", StringComparison.Ordinal));
    }

    [Fact]
    public void No_context_means_a_zeroed_context_and_masked_positions_are_ignored()
    {
        using var scope = NewDisposeScope();
        using var net = new UNet2DDenoiser(Small(o => o.ContextDim = 4)).Build(new DataSpec("image", [1, 16, 16]));
        net.eval();
        var x = randn(2, 1, 16, 16);
        var t = full(2, 300f);

        var none = net.forward(x, t, null);
        var zeroed = net.forward(x, t, new Conditioning(Context: zeros(2, 7, 4)));
        Assert.True(none.allclose(zeroed, rtol: 1e-4, atol: 1e-5));

        var context = randn(2, 3, 4);
        var mask = tensor(new[] { true, true, false, true, false, false }).reshape(2, 3);
        var changedPadding = context.clone();
        changedPadding[0, 2] = randn(4);
        changedPadding[1, 1] = randn(4);
        var a = net.forward(x, t, new Conditioning(Context: context, ContextMask: mask));
        var b = net.forward(x, t, new Conditioning(Context: changedPadding, ContextMask: mask));
        Assert.True(a.allclose(b, rtol: 1e-4, atol: 1e-5));

        var wrongWidth = Assert.Throws<ArgumentException>(() => net.forward(x, t, new Conditioning(Context: randn(2, 3, 5))));
        Assert.Contains("[2, L, 4]", wrongWidth.Message);
    }

    [Fact]
    public void A_context_given_to_a_network_without_cross_attention_is_refused()
    {
        using var scope = NewDisposeScope();
        using var net = new UNet2DDenoiser(Small()).Build(new DataSpec("image", [1, 16, 16]));
        var error = Assert.Throws<ArgumentException>(() => net.forward(randn(1, 1, 16, 16), full(1, 5f), new Conditioning(Context: randn(1, 2, 3))));
        Assert.Contains("context_dim", error.Message);
    }

    [Fact]
    public void Plugin_and_option_names_are_the_documented_ones()
    {
        var plugin = typeof(UNet2DDenoiser).GetCustomAttribute<PluginAttribute>()!;
        Assert.Equal((PluginKind.Denoiser, "unet2d", typeof(UNet2DOptions)), (plugin.Kind, plugin.Name, plugin.Options));
        var keys = typeof(UNet2DOptions).GetProperties().Select(OptionNames.KeyOf).Order().ToArray();
        Assert.Equal(
            ["attention_resolutions", "base_channels", "channel_mults", "class_conditional", "context_dim", "dropout", "extra_in_channels", "groups", "num_heads", "res_blocks", "text_encoder_heads", "text_encoder_layers", "text_encoder_width"],
            keys);
    }
}
