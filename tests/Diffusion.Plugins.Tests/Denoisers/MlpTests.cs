using System.Reflection;
using Diffusion.Denoisers.Mlp;

namespace Diffusion.Plugins.Tests.Denoisers;

public class MlpTests
{
    private static MlpOptions Small(Action<MlpOptions>? change = null)
    {
        var options = new MlpOptions { HiddenSize = 32, Depth = 2 };
        change?.Invoke(options);
        return options;
    }

    [Theory]
    [InlineData("vector", new long[] { 2 })]
    [InlineData("vector", new long[] { 17 })]
    [InlineData("image", new long[] { 1, 4, 4 })] // flattened and shaped back
    public void Output_has_the_shape_of_the_input(string kind, long[] shape)
    {
        using var scope = NewDisposeScope();
        using var net = new MlpDenoiser(Small()).Build(new DataSpec(kind, shape));
        var x = randn([3, .. shape]);

        var output = net.forward(x, tensor(new[] { 0f, 10f, 999f }), null);

        Assert.Equal(x.shape, output.shape);
        Assert.False(output.isnan().any().item<bool>());
    }

    [Fact]
    public void It_learns_to_denoise_a_two_point_toy_distribution()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        using var net = new MlpDenoiser(Small(o => o.HiddenSize = 64)).Build(new DataSpec("vector", [2]));
        using var optimizer = optim.AdamW(net.parameters(), 3e-3);
        var points = tensor(new[] { -1f, -1f, 1f, 1f }).reshape(2, 2);
        double Loss(int steps)
        {
            double last = 0;
            for (int i = 0; i < steps; i++)
            {
                using var step = NewDisposeScope();
                var x0 = points.index_select(0, randint(0, 2, [64], dtype: ScalarType.Int64));
                var t = rand(64) * 0.8f + 0.1f; // noise level in (0.1, 0.9)
                var noise = randn(64, 2);
                var xt = (1 - t).sqrt().unsqueeze(1) * x0 + t.sqrt().unsqueeze(1) * noise;
                var loss = nn.functional.mse_loss(net.forward(xt, t * 1000, null), noise);
                optimizer.zero_grad();
                loss.backward();
                optimizer.step();
                last = loss.item<float>();
            }
            return last;
        }

        double start = Loss(1);
        double end = Enumerable.Range(0, 5).Select(_ => Loss(60)).Min();

        Assert.True(end < 0.6 * start, $"loss went from {start} to {end}");
    }

    [Fact]
    public void Class_labels_and_concat_features_condition_the_output()
    {
        using var scope = NewDisposeScope();
        using var net = new MlpDenoiser(Small(o => { o.ClassConditional = true; o.ExtraInChannels = 3; })).Build(new DataSpec("vector", [2], NumClasses: 2));
        net.eval();
        var x = randn(1, 2).expand(2, 2);
        var concat = randn(1, 3).expand(2, 3);

        var byLabel = net.forward(x, full(2, 7f), new Conditioning(ClassLabels: tensor(new long[] { 0, 1 }), Concat: concat));
        var byConcat = net.forward(x, full(2, 7f), new Conditioning(Concat: randn(2, 3)));

        Assert.False(byLabel[0].allclose(byLabel[1]));
        Assert.False(byConcat[0].allclose(byConcat[1]));
        Assert.Contains("extra_in_channels", Assert.Throws<ArgumentException>(() => net.forward(x, full(2, 7f), null)).Message);
    }

    [Fact]
    public void Token_data_is_refused_and_points_at_transformer1d()
    {
        var error = Assert.Throws<PluginInputException>(() => new MlpDenoiser(new MlpOptions()).Build(new DataSpec("tokens", [16], VocabSize: 50)));
        Assert.Contains("transformer1d", error.Message);
    }

    [Fact]
    public void Plugin_and_option_names_are_the_documented_ones()
    {
        var plugin = typeof(MlpDenoiser).GetCustomAttribute<PluginAttribute>()!;
        Assert.Equal((PluginKind.Denoiser, "mlp", typeof(MlpOptions)), (plugin.Kind, plugin.Name, plugin.Options));
        Assert.Equal(["class_conditional", "depth", "dropout", "extra_in_channels", "hidden_size"],
            typeof(MlpOptions).GetProperties().Select(OptionNames.KeyOf).Order().ToArray());
        Assert.Empty(Networks.Validate(new MlpOptions()));
        Assert.NotEmpty(Networks.Validate(new MlpOptions { Depth = 0 }));
    }
}
