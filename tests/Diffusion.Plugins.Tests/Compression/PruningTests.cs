using Diffusion.Abstractions.Checkpoints;
using Diffusion.Compression.Pruning;
using Diffusion.Plugins.Tests.Denoisers;
using Diffusion.Stages.Checkpoints;
using TorchSharp.Modules;

namespace Diffusion.Plugins.Tests.Compression;

public class PruningTests
{
    private static long Zeros(nn.Module network) =>
        network.named_modules().Where(m => m.module is Linear or Conv2d)
            .Sum(m => m.module.named_parameters(recurse: false).Where(p => p.name == "weight").Sum(p => p.parameter.eq(0).sum().item<long>()));

    private static long Weights(nn.Module network) =>
        network.named_modules().Where(m => m.module is Linear or Conv2d)
            .Sum(m => m.module.named_parameters(recurse: false).Where(p => p.name == "weight").Sum(p => p.parameter.numel()));

    [Theory]
    [InlineData(PruningScope.Global, 0.5)]
    [InlineData(PruningScope.Layer, 0.3)]
    public void Magnitude_pruning_reaches_the_sparsity_exactly(PruningScope scope, double sparsity)
    {
        using var context = new FakeRunContext();
        var network = QuantizationTests.TinyUNet();

        new MagnitudePruningPass(new MagnitudePruningOptions { Sparsity = sparsity, Scope = scope }).Apply(network, context);

        long total = Weights(network);
        if (scope == PruningScope.Global) Assert.Equal((long)Math.Round(sparsity * total), Zeros(network));
        else
        {
            foreach (var (name, module) in network.named_modules().Where(m => m.module is Linear or Conv2d))
            {
                var w = module.named_parameters(recurse: false).First(p => p.name == "weight").parameter;
                Assert.Equal((long)Math.Round(sparsity * w.numel()), w.eq(0).sum().item<long>());
            }
        }
        Assert.Contains(network.state_dict().Keys, k => k.EndsWith(".weight_mask"));
    }

    [Fact]
    public void Masks_keep_pruned_weights_at_zero_after_an_optimizer_step()
    {
        using var context = new FakeRunContext();
        var network = QuantizationTests.TinyUNet();
        new MagnitudePruningPass(new MagnitudePruningOptions { Sparsity = 0.6 }).Apply(network, context);
        long zeros = Zeros(network);
        using var optimizer = optim.AdamW(network.parameters(), 0.01);

        network.train();
        using (var scope = NewDisposeScope())
        {
            network.forward(randn(2, 1, 8, 8), tensor(new float[] { 1, 30 }), null).square().mean().backward();
            optimizer.step();
        }
        Assert.True(Zeros(network) < zeros); // the step moved pruned weights...
        CompressedWeightLayout.ApplyMasks(network);
        Assert.Equal(zeros, Zeros(network)); // ...and the mask (what the train stage applies every step) restores them
    }

    [Fact]
    public void Structured_pruning_shrinks_layers_keeps_the_output_shape_and_removes_the_expected_parameters()
    {
        using var context = new FakeRunContext();
        var network = QuantizationTests.TinyUNet();
        var groups = ChannelGroup.Find(network);
        Assert.NotEmpty(groups);
        // Parameters tied to one hidden channel: conv1 filter + bias, time_proj row + bias, norm2 weight + bias, conv2 column.
        long expectedRemoved = groups.Sum(g =>
        {
            long channels = g.Channels, kept = StructuredPruningPass.KeptChannels(channels, 0.5, g.Norm!.num_groups);
            long perChannel = g.ChannelParameters().Sum(p => p.Parameter.numel() / p.Parameter.shape[p.Dim]);
            return (channels - kept) * perChannel;
        });
        long before = network.parameters().Sum(p => p.numel());

        new StructuredPruningPass(new StructuredPruningOptions { Ratio = 0.5, Importance = ChannelImportance.L1 }).Apply(network, context);

        Assert.Equal(before - expectedRemoved, network.parameters().Sum(p => p.numel()));
        Assert.All(ChannelGroup.Find(network), g => Assert.Equal(0, g.Channels % g.Norm!.num_groups)); // whole GroupNorm groups
        using var noGrad = no_grad();
        var output = network.forward(randn(3, 1, 8, 8), tensor(new float[] { 1, 10, 40 }), null);
        Assert.Equal([3L, 1L, 8L, 8L], output.shape);
        Assert.False(output.isnan().any().item<bool>());
    }

    [Fact]
    public void Structured_pruning_shrinks_mlp_blocks_and_keeps_the_output_shape()
    {
        using var context = new FakeRunContext();
        manual_seed(8);
        var network = new Diffusion.Denoisers.Mlp.MlpDenoiser(new Diffusion.Denoisers.Mlp.MlpOptions { HiddenSize = 32, Depth = 2 })
            .Build(new Diffusion.Abstractions.Denoisers.DataSpec("vector", [6]));
        network.eval();
        long before = network.parameters().Sum(p => p.numel());
        // Per hidden channel of a block: fc1 row (32) + bias, cond_proj row (32) + bias, fc2 column (32).
        long expected = 2 * 16 * (33 + 33 + 32);

        new StructuredPruningPass(new StructuredPruningOptions { Ratio = 0.5, Importance = ChannelImportance.L1 }).Apply(network, context);

        Assert.Equal(before - expected, network.parameters().Sum(p => p.numel()));
        using var noGrad = no_grad();
        Assert.Equal([5L, 6L], network.forward(randn(5, 6), tensor(new float[] { 1, 2, 3, 4, 5 }), null).shape);
    }

    [Fact]
    public void Kept_channels_round_to_whole_groups()
    {
        Assert.Equal(16, StructuredPruningPass.KeptChannels(32, 0.5, 8));
        Assert.Equal(8, StructuredPruningPass.KeptChannels(32, 0.9, 8));   // at least one group
        Assert.Equal(12, StructuredPruningPass.KeptChannels(32, 0.6, 4));  // 12.8 -> 12
        Assert.Equal(32, StructuredPruningPass.KeptChannels(32, 0.0, 8));
    }

    [Fact]
    public void L1_pruning_keeps_the_channels_with_the_largest_filters()
    {
        using var context = new FakeRunContext();
        var network = QuantizationTests.TinyUNet();
        var group = ChannelGroup.Find(network).First(g => g.Channels == 16);
        var conv1 = (Conv2d)group.Producers[0];
        using (no_grad())
        {
            conv1.weight.mul_(0.001);
            conv1.weight[3].fill_(1.0); // channels 3 and 5 are by far the largest
            conv1.weight[5].fill_(-1.0);
        }
        new StructuredPruningPass(new StructuredPruningOptions { Ratio = 0.75, Importance = ChannelImportance.L1 }).Apply(network, context);
        var kept = ((Conv2d)ChannelGroup.Find(network).Single(g => g.Name == group.Name).Producers[0]).weight;
        Assert.Equal(4, kept.shape[0]); // 16 * 0.25, one group of 4
        Assert.Equal(2, kept.abs().amax([1, 2, 3]).ge(0.99).sum().item<long>());
    }

    [Fact]
    public void A_pruned_checkpoint_marked_with_its_architecture_loads_into_a_fresh_network()
    {
        using var context = new FakeRunContext();
        var network = QuantizationTests.TinyUNet();
        new StructuredPruningPass(new StructuredPruningOptions { Ratio = 0.5, Importance = ChannelImportance.L1 }).Apply(network, context);
        string path = Path.Combine(context.Artifacts.Root, "pruned.safetensors");
        SafeTensors.Write(path, network.state_dict(), new Dictionary<string, string> { [CheckpointIO.ArchitectureKey] = CheckpointIO.ShapesFromWeights });
        string unmarked = Path.Combine(context.Artifacts.Root, "unmarked.safetensors");
        SafeTensors.Write(unmarked, network.state_dict());

        var fresh = QuantizationTests.TinyUNet(seed: 50);
        Assert.Throws<CheckpointMismatchException>(() => CheckpointIO.LoadWeights(unmarked, QuantizationTests.TinyUNet(seed: 51)));
        CheckpointIO.LoadWeights(path, fresh);

        Assert.Equal(network.parameters().Sum(p => p.numel()), fresh.parameters().Sum(p => p.numel()));
        using var noGrad = no_grad();
        using var x = randn(2, 1, 8, 8);
        using var t = tensor(new float[] { 5, 45 });
        Assert.True(fresh.forward(x, t, null).allclose(network.forward(x, t, null), rtol: 1e-5, atol: 1e-6));
    }

    [Fact]
    public void Bad_options_are_validation_errors()
    {
        Assert.NotEmpty(Networks.Validate(new MagnitudePruningOptions { Sparsity = 1.0 }));
        Assert.NotEmpty(Networks.Validate(new MagnitudePruningOptions { Sparsity = -0.1 }));
        Assert.NotEmpty(Networks.Validate(new StructuredPruningOptions { Ratio = 0.99, Importance = ChannelImportance.L1 }));
        Assert.Contains(Networks.Validate(new StructuredPruningOptions { Importance = ChannelImportance.Taylor }), r => r.ErrorMessage!.Contains("data"));
    }
}
