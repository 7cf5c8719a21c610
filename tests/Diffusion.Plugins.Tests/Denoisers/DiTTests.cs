using System.Reflection;
using Diffusion.Denoisers.DiT;

namespace Diffusion.Plugins.Tests.Denoisers;

public class DiTTests
{
    private static DiTOptions Small(Action<DiTOptions>? change = null)
    {
        var options = new DiTOptions { HiddenSize = 32, Depth = 2, NumHeads = 2 };
        change?.Invoke(options);
        return options;
    }

    [Theory]
    [InlineData(1, 16, 2)]
    [InlineData(3, 8, 4)]
    [InlineData(1, 13, 2)] // padded to 14 and cropped back
    [InlineData(2, 7, 3)]
    public void Output_has_the_shape_of_the_input(int channels, int size, int patch)
    {
        using var scope = NewDisposeScope();
        using var net = new DiTDenoiser(Small(o => o.PatchSize = patch)).Build(new DataSpec("image", [channels, size, size]));
        Networks.Scramble(net);

        var x = randn(2, channels, size, size);
        var output = net.forward(x, tensor(new[] { 10f, 900.5f }), null);

        Assert.Equal(x.shape, output.shape);
        Assert.False(output.isnan().any().item<bool>());
    }

    [Fact]
    public void A_fresh_network_outputs_zeros_and_training_moves_every_parameter()
    {
        // adaLN-Zero: gates and the output layer start at zero, so each block starts as the identity.
        using var scope = NewDisposeScope();
        using var net = new DiTDenoiser(Small(o => o.ClassConditional = true)).Build(new DataSpec("image", [1, 8, 8], NumClasses: 2));
        var x = randn(4, 1, 8, 8);
        var t = tensor(new[] { 1f, 200f, 500f, 999f });
        var labels = tensor(new long[] { 0, 1, 2, 1 });
        Assert.Equal(0f, net.forward(x, t, new Conditioning(ClassLabels: labels)).abs().max().item<float>());

        var before = net.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().clone());
        using var optimizer = optim.Adam(net.parameters(), 1e-2);
        for (int step = 0; step < 3; step++)
        {
            optimizer.zero_grad();
            nn.functional.mse_loss(net.forward(x, t, new Conditioning(ClassLabels: labels)), randn(4, 1, 8, 8)).backward();
            optimizer.step();
        }

        var unchanged = net.named_parameters().Where(p => p.parameter.allclose(before[p.name], rtol: 0, atol: 0)).Select(p => p.name).ToList();
        Assert.Empty(unchanged);
        Assert.True(net.forward(x, t, null).abs().max().item<float>() > 0);
    }

    [Fact]
    public void Class_labels_and_the_timestep_change_the_output()
    {
        using var scope = NewDisposeScope();
        using var net = new DiTDenoiser(Small(o => o.ClassConditional = true)).Build(new DataSpec("image", [1, 8, 8], NumClasses: 3));
        Networks.Scramble(net);
        net.eval();
        var x = randn(1, 1, 8, 8).expand(3, 1, 8, 8);

        var byLabel = net.forward(x, full(3, 50f), new Conditioning(ClassLabels: tensor(new long[] { 0, 1, 3 })));
        var unlabelled = net.forward(x, full(3, 50f), null);
        var byTime = net.forward(x, tensor(new[] { 1f, 500f, 999f }), null);

        Assert.False(byLabel[0].allclose(byLabel[1]));
        Assert.True(unlabelled[0].allclose(byLabel[2], rtol: 1e-5, atol: 1e-6)); // index 3 = "no class"
        Assert.False(byTime[0].allclose(byTime[1]));
    }

    [Fact]
    public void Concat_channels_and_context_are_taken_when_configured()
    {
        using var scope = NewDisposeScope();
        using var net = new DiTDenoiser(Small(o => { o.ExtraInChannels = 2; o.ContextDim = 5; })).Build(new DataSpec("image", [1, 8, 8]));
        Networks.Scramble(net);
        net.eval();
        var x = randn(1, 1, 8, 8).expand(2, 1, 8, 8);
        var concat = randn(1, 2, 8, 8).expand(2, 2, 8, 8);

        var output = net.forward(x, full(2, 10f), new Conditioning(Context: randn(2, 3, 5), Concat: concat));
        var unconditional = net.forward(x, full(2, 10f), new Conditioning(Concat: concat));
        var zeroed = net.forward(x, full(2, 10f), new Conditioning(Context: zeros(2, 4, 5), Concat: concat));

        Assert.Equal(x.shape, output.shape);
        Assert.False(output[0].allclose(output[1]));
        Assert.True(unconditional.allclose(zeroed, rtol: 1e-4, atol: 1e-5));
        Assert.Contains("extra_in_channels", Assert.Throws<ArgumentException>(() => net.forward(x, full(2, 10f), null)).Message);
    }

    [Fact]
    public void Non_image_data_and_bad_options_are_refused_with_clear_messages()
    {
        var error = Assert.Throws<PluginInputException>(() => new DiTDenoiser(new DiTOptions()).Build(new DataSpec("vector", [2])));
        Assert.Contains("dit models images", error.Message);

        Assert.Empty(Networks.Validate(new DiTOptions()));
        Assert.Contains(Networks.Validate(new DiTOptions { HiddenSize = 30, NumHeads = 2 }), r => r.ErrorMessage!.Contains("multiple of 4"));
        Assert.Contains(Networks.Validate(new DiTOptions { HiddenSize = 32, NumHeads = 3 }), r => r.ErrorMessage!.Contains("num_heads (3) must divide hidden_size (32)"));
        Assert.NotEmpty(Networks.Validate(new DiTOptions { PatchSize = 0 }));
    }

    [Fact]
    public void Plugin_and_option_names_are_the_documented_ones()
    {
        var plugin = typeof(DiTDenoiser).GetCustomAttribute<PluginAttribute>()!;
        Assert.Equal((PluginKind.Denoiser, "dit", typeof(DiTOptions)), (plugin.Kind, plugin.Name, plugin.Options));
        Assert.Equal(
            ["class_conditional", "context_dim", "depth", "dropout", "extra_in_channels", "hidden_size", "mlp_ratio", "num_heads", "patch_size"],
            typeof(DiTOptions).GetProperties().Select(OptionNames.KeyOf).Order().ToArray());
    }
}
