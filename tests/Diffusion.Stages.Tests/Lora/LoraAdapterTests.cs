using Diffusion.Abstractions.Checkpoints;
using Diffusion.Stages.Lora;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Diffusion.Stages.Tests.Lora;

/// <summary>
/// The LoRA adapter on a small network with the layer kinds it wraps (3x3 and 1x1 convolutions, a linear projection):
/// identity at init, merge against adapter-on, gradients against finite differences, what it trains, and its file.
/// </summary>
public class LoraAdapterTests
{
    /// <summary>conv_in (3x3, padding 1) → attn.qkv (1x1) → pooled → head.proj (linear), each layer called through call() as the denoisers do.</summary>
    private sealed class Net : nn.Module<Tensor, Tensor>
    {
        private readonly Conv2d conv_in;
        private readonly Sequential attn;
        private readonly Sequential head;

        public Net(ScalarType dtype = ScalarType.Float32) : base("Net")
        {
            conv_in = nn.Conv2d(2, 6, 3, padding: 1);
            attn = nn.Sequential(("qkv", nn.Conv2d(6, 5, 1)));
            head = nn.Sequential(("proj", nn.Linear(5, 3)));
            RegisterComponents();
            this.to(dtype);
        }

        public override Tensor forward(Tensor x)
        {
            var h = nn.functional.silu(conv_in.call(x));
            h = attn.call(h);
            return head.call(h.mean([2, 3]));
        }
    }

    private static readonly LoraSettings AllLayers = new(Rank: 2, Alpha: 4, Dropout: 0, Targets: ["conv_in", "qkv", "proj"]);

    private static Generator Seeded(long seed) => new Generator((ulong)seed, CPU);

    [Fact]
    public void An_untrained_adapter_is_the_identity_because_B_starts_at_zero()
    {
        manual_seed(1);
        using var net = new Net();
        using var x = randn(4, 2, 5, 5);
        using var before = net.call(x);
        using var generator = Seeded(3);
        using var adapter = LoraAdapter.Attach(net, AllLayers, generator);

        Assert.Equal(3, adapter.Layers.Count);
        Assert.All(adapter.Layers, l => Assert.Equal(0f, l.B.abs().max().item<float>()));
        Assert.All(adapter.Layers, l => Assert.True(l.A.abs().max().item<float>() > 0, "A is drawn, not zero"));
        using var after = net.call(x);
        Assert.True(Same(before, after), "an adapter with B = 0 changes nothing");
    }

    [Fact]
    public void Merged_weights_compute_what_the_adapter_on_the_base_computes()
    {
        manual_seed(2);
        using var net = new Net();
        using var generator = Seeded(4);
        using var adapter = LoraAdapter.Attach(net, AllLayers, generator);
        using (no_grad()) foreach (var l in adapter.Layers) l.B.copy_(randn(l.B.shape) * 0.5);
        using var x = randn(4, 2, 5, 5);
        using var baseOnly = BaseOutput(net, adapter, x);
        using var withAdapter = net.call(x);
        Assert.True((withAdapter - baseOnly).abs().max().item<float>() > 1e-2, "the adapter changes the output");

        adapter.Merge();
        using var merged = net.call(x);
        Assert.True(merged.allclose(withAdapter, rtol: 1e-4, atol: 1e-5), $"merged differs by {(merged - withAdapter).abs().max().item<float>()}");
    }

    [Fact]
    public void Training_changes_only_the_adapters()
    {
        manual_seed(3);
        using var net = new Net();
        var baseBefore = net.state_dict().ToDictionary(p => p.Key, p => p.Value.clone());
        using var generator = Seeded(5);
        using var adapter = LoraAdapter.Attach(net, AllLayers, generator);
        LoraAdapter.FreezeBase(net);
        var aBefore = adapter.Layers.Select(l => l.A.clone()).ToList();
        using var optimizer = optim.AdamW(adapter.Parameters(), 0.01);
        using var x = randn(8, 2, 5, 5);
        using var target = randn(8, 3);
        for (int step = 0; step < 5; step++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            nn.functional.mse_loss(net.call(x), target).backward();
            optimizer.step();
        }

        Assert.All(net.parameters(), p => Assert.Null(p.grad));
        foreach (var (name, value) in net.state_dict()) Assert.True(Same(value, baseBefore[name]), $"base tensor {name} changed");
        Assert.All(adapter.Layers, l => Assert.True(l.B.abs().max().item<float>() > 0, "B trained"));
        Assert.All(adapter.Layers.Zip(aBefore), p => Assert.False(Same(p.First.A, p.Second), "A trained"));
        Assert.Equal(net.state_dict().Keys.Order(), baseBefore.Keys.Order()); // the adapters add no tensor to the network itself
    }

    [Fact]
    public void Adapter_gradients_match_finite_differences()
    {
        manual_seed(4);
        using var net = new Net(ScalarType.Float64);
        using var generator = Seeded(6);
        using var adapter = LoraAdapter.Attach(net, AllLayers, generator);
        foreach (var l in adapter.Layers)
        {
            Assert.Equal(ScalarType.Float64, l.A.dtype);
            using (no_grad()) l.B.copy_(randn(l.B.shape, dtype: ScalarType.Float64) * 0.3);
        }
        using var x = randn(3, 2, 4, 4, dtype: ScalarType.Float64);
        using var w = randn(3, 3, dtype: ScalarType.Float64);
        Func<Tensor> loss = () => (net.call(x) * w).sum();
        loss().backward();

        foreach (var layer in adapter.Layers)
        {
            foreach (var p in new[] { layer.A, layer.B })
            {
                var flat = p.detach().view(-1);
                var grad = p.grad!.view(-1);
                foreach (long i in new long[] { 0, flat.shape[0] / 2, flat.shape[0] - 1 })
                {
                    const double h = 1e-6;
                    double old = flat[i].item<double>();
                    using (no_grad()) flat[i] = old + h;
                    double up = loss().item<double>();
                    using (no_grad()) flat[i] = old - h;
                    double down = loss().item<double>();
                    using (no_grad()) flat[i] = old;
                    double numeric = (up - down) / (2 * h);
                    Assert.True(Math.Abs(numeric - grad[i].item<double>()) <= 1e-6 + 1e-5 * Math.Abs(numeric),
                        $"{layer.Path} element {i}: autograd {grad[i].item<double>()} vs finite differences {numeric}");
                }
            }
        }
    }

    [Fact]
    public void The_file_holds_the_adapters_alone_under_PEFT_names()
    {
        manual_seed(5);
        using var net = new Net();
        using var generator = Seeded(7);
        using var adapter = LoraAdapter.Attach(net, AllLayers, generator);
        using var temp = new TempFolder();
        string path = Path.Combine(temp.Path, "adapter.safetensors");
        using (var file = File.Create(path)) adapter.Save(file, AllLayers.Targets);

        var (tensors, metadata) = SafeTensors.Read(path);
        Assert.Equal(
            ["attn.qkv.lora_A.weight", "attn.qkv.lora_B.weight", "conv_in.lora_A.weight", "conv_in.lora_B.weight", "head.proj.lora_A.weight", "head.proj.lora_B.weight"],
            tensors.Keys.Order(StringComparer.Ordinal));
        Assert.Equal([2L, 2, 3, 3], tensors["conv_in.lora_A.weight"].shape);
        Assert.Equal([6L, 2, 1, 1], tensors["conv_in.lora_B.weight"].shape);
        Assert.Equal([3L, 2], tensors["head.proj.lora_B.weight"].shape);
        Assert.Equal("2", metadata[LoraWeights.RankKey]);
        Assert.Equal(2.0, LoraWeights.Scale(metadata));
        Assert.Equal(adapter.ParameterCount, tensors.Values.Sum(t => t.numel()));
    }

    [Fact]
    public void Adapters_load_back_with_weights_that_scale_their_updates()
    {
        // One adapted linear layer at the end, so the output is linear in the update and weights compare exactly.
        manual_seed(9);
        using var net = new Net();
        using var generator = Seeded(10);
        using var adapter = LoraAdapter.Attach(net, AllLayers with { Targets = ["proj"] }, generator);
        using (no_grad()) foreach (var l in adapter.Layers) l.B.copy_(randn(l.B.shape) * 0.5);
        using var x = randn(2, 2, 5, 5);
        using var withAdapter = net.call(x);
        using var baseOnly = BaseOutput(net, adapter, x);
        using var temp = new TempFolder();
        string path = Path.Combine(temp.Path, "adapter.safetensors");
        using (var file = File.Create(path)) adapter.Save(file, ["proj"]);
        adapter.Detach();

        // Loaded at weight 0.5 the update is half the trained one; two loads at 0.5 each add up to the whole.
        using (var half = LoraAdapter.Load(net, path, 0.5))
        {
            using var y = net.call(x);
            Assert.True(y.allclose(baseOnly + 0.5 * (withAdapter - baseOnly), rtol: 1e-4, atol: 1e-5));
            using var other = LoraAdapter.Load(net, path, 0.5);
            using var both = net.call(x);
            Assert.True(both.allclose(withAdapter, rtol: 1e-4, atol: 1e-5));
        }
        using var restored = net.call(x);
        Assert.True(restored.allclose(baseOnly), "disposing the loaded adapters restores the base");
    }

    [Fact]
    public void Merging_a_file_into_stored_weights_equals_merging_the_adapter_in_memory()
    {
        manual_seed(6);
        using var net = new Net();
        using var generator = Seeded(8);
        using var adapter = LoraAdapter.Attach(net, AllLayers, generator);
        using (no_grad()) foreach (var l in adapter.Layers) l.B.copy_(randn(l.B.shape));
        using var temp = new TempFolder();
        string path = Path.Combine(temp.Path, "adapter.safetensors");
        using (var file = File.Create(path)) adapter.Save(file, AllLayers.Targets);
        var stored = net.state_dict().ToDictionary(p => p.Key, p => p.Value.clone());

        Assert.Equal(3, LoraWeights.MergeInto(stored, path, 1.0));
        adapter.Merge();
        foreach (var (name, value) in net.state_dict())
            Assert.True(stored[name].allclose(value, rtol: 1e-5, atol: 1e-6), $"{name} differs");
    }

    [Fact]
    public void Targets_match_last_names_and_globs_and_an_unmatched_pattern_names_the_layers()
    {
        using var net = new Net();
        Assert.Equal(["attn.qkv"], LoraTargets.Find(net, ["qkv"]).Select(t => t.Path));
        Assert.Equal(["conv_in", "attn.qkv"], LoraTargets.Find(net, ["conv_*", "attn.*"]).Select(t => t.Path));
        Assert.DoesNotContain("attn.qkv", LoraTargets.Find(net, ["proj", "nothing"]).Select(t => t.Path));
        var error = Assert.Throws<Diffusion.Abstractions.Runs.PluginInputException>(() => LoraTargets.Find(net, ["to_q"]));
        Assert.Contains("conv_in", error.Message);
    }

    private static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    /// <summary>The network's output with the adapter's hooks off (B zeroed temporarily).</summary>
    private static Tensor BaseOutput(Net net, LoraAdapter adapter, Tensor x)
    {
        var saved = adapter.Layers.Select(l => l.B.detach().clone()).ToList();
        using (no_grad()) foreach (var l in adapter.Layers) l.B.zero_();
        var y = net.call(x);
        using (no_grad()) foreach (var (l, b) in adapter.Layers.Zip(saved)) l.B.copy_(b);
        return y;
    }
}
