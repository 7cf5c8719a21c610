using Diffusion.Abstractions.Denoisers;
using Diffusion.Abstractions.Runs;
using Diffusion.Abstractions.Samplers;
using Diffusion.Abstractions.Stages;
using static TorchSharp.torch;

namespace Diffusion.Core.Tests.Runs;

/// <summary>The run's typed stage state: what it keeps, and what it disposes when a value is replaced or the run ends.</summary>
public class StageStateTests
{
    private static readonly NoiseSchedule Schedule = NoiseSchedule.Create(BetaSchedule.Linear, 10, 1e-4, 0.02, PredictionType.Epsilon);

    [Fact]
    public void Samples_are_replaced_whole_so_labels_never_outlive_the_samples_they_belong_to()
    {
        using var state = new StageState();
        var drawn = zeros(3, 1, 2, 2);
        var labels = tensor(new long[] { 0, 1, 2 });
        var items = arange(3, dtype: ScalarType.Int64);
        state.Samples = new GeneratedSamples(drawn, labels, items);

        var processed = drawn.clamp(-0.5, 0.5);
        state.Samples = state.Samples with { Values = processed };
        Assert.True(drawn.IsInvalid, "the replaced values are disposed");
        Assert.False(labels.IsInvalid || items.IsInvalid, "the same samples, processed, keep their labels and items");
        Assert.Same(labels, state.Samples.Labels);

        var unconditional = ones(2, 1, 2, 2);
        state.Samples = new GeneratedSamples(unconditional);
        Assert.True(processed.IsInvalid && labels.IsInvalid && items.IsInvalid);
        Assert.Null(state.Samples.Labels);
        Assert.Null(state.Samples.ConditionItems);
    }

    [Fact]
    public void Replacing_a_model_disposes_its_network_unless_it_is_the_same_one()
    {
        using var state = new StageState();
        var first = new Probe();
        var second = new Probe();
        var spec = new DataSpec("vector", [2]);
        state.SetModel("model", new TrainedModel(first, Schedule, spec));

        state.SetModel("model", state.Model("model") with { Schedule = Schedule }); // same network, e.g. compressed in place
        Assert.False(first.Disposed);
        state.SetModel("model", new TrainedModel(second, Schedule, spec));
        Assert.True(first.Disposed);

        Assert.True(state.TryGetModel("model", out var model));
        Assert.Same(second, model.Network);
        Assert.False(state.TryGetModel("other", out _));
        Assert.Contains("add a train stage with model: other", Assert.Throws<PluginInputException>(() => state.Model("other")).Message);
        state.Dispose();
        Assert.True(second.Disposed);
    }

    [Fact]
    public void A_stage_s_own_values_are_typed_and_disposed_when_replaced_or_when_the_run_ends()
    {
        var state = new StageState();
        var first = new Resource();
        var second = new Resource();

        state.Set("plugin:resource", first);
        state.Set("plugin:resource", first);
        Assert.False(first.Disposed);
        state.Set("plugin:resource", second);
        state.Set("plugin:count", 3);
        state.SetCondition("model", "low_res x2 bicubic");

        Assert.True(first.Disposed);
        Assert.True(state.TryGet<Resource>("plugin:resource", out var resource) && ReferenceEquals(resource, second));
        Assert.True(state.TryGet<int>("plugin:count", out int count) && count == 3);
        Assert.False(state.TryGet<int>("plugin:missing", out _));
        Assert.Contains("System.Int32", Assert.Throws<InvalidOperationException>(() => state.TryGet<string>("plugin:count", out _)).Message);
        Assert.Equal("low_res x2 bicubic", state.Condition("model"));
        state.SetCondition("model", null);
        Assert.Null(state.Condition("model"));

        state.Dispose();
        Assert.True(second.Disposed);
    }

    private sealed class Probe() : DenoiserModule("probe")
    {
        public bool Disposed { get; private set; }

        public override Tensor forward(Tensor x, Tensor t, Conditioning? conditioning) => x;

        protected override void Dispose(bool disposing)
        {
            Disposed = true;
            base.Dispose(disposing);
        }
    }

    private sealed class Resource : IDisposable
    {
        public bool Disposed { get; private set; }

        public void Dispose() => Disposed = true;
    }
}
