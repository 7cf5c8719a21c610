using Diffusion.Abstractions.Checkpoints;
using Diffusion.Denoisers.UNet2D;
using Diffusion.Stages.Checkpoints;

namespace Diffusion.Plugins.Tests.Compression;

/// <summary>Structured pruning with fine-tuning (the shipped pipeline), and magnitude pruning and W8A8 simulation, end to end at tiny scale.</summary>
public class PruningPipelineTests
{
    [Fact]
    public void Prune_finetune_shrinks_the_model_fine_tunes_the_pruned_shape_and_its_checkpoint_loads_into_a_fresh_network()
    {
        using var temp = new TempFolder();
        var run = PipelineRun.Run(temp, PipelineRun.Shipped("prune-finetune.yaml"),
            [.. PipelineRun.Tiny, .. PipelineRun.TinyCompress, "stages.finetune.steps=2", "stages.finetune.batch_size=4", "stages.finetune.checkpoint_every=0",
             "components.prune.batches=2", "components.prune.batch_size=4"]);

        Assert.True(run.Status == RunStatus.Completed, run.Message);
        var metrics = PipelineRun.Metrics(temp, run);
        Assert.InRange(metrics["compress/macs_ratio"], 0.3, 0.8);
        Assert.InRange(metrics["compress/parameters_ratio"], 0.3, 0.85);
        Assert.Contains("eval/fd-pixels", metrics.Keys);

        string finetuned = Path.Combine(run.RunFolder, "checkpoints", "finetune", "step-00000002", "model.safetensors");
        var (tensors, metadata) = SafeTensors.Read(finetuned);
        Assert.Equal(CheckpointIO.ShapesFromWeights, metadata[CheckpointIO.ArchitectureKey]);
        long stored = tensors.Values.Sum(t => t.numel());
        foreach (var t in tensors.Values) t.Dispose();

        manual_seed(1);
        var fresh = new UNet2DDenoiser(new UNet2DOptions { BaseChannels = 16, ChannelMults = [1, 2], AttentionResolutions = [4], Groups = 4 })
            .Build(new DataSpec("image", [1, 8, 8]));
        long full = fresh.parameters().Sum(p => p.numel());
        CheckpointIO.LoadWeights(finetuned, fresh);
        Assert.Equal(stored, fresh.parameters().Sum(p => p.numel()));
        Assert.True(stored < full);
        Assert.Equal((double)stored / full, metrics["compress/parameters_ratio"], 6);
        using (no_grad())
            Assert.Equal([2L, 1L, 8L, 8L], fresh.forward(randn(2, 1, 8, 8), tensor(new float[] { 3, 30 }), null).shape);

        // As if it had been interrupted at the end (a COMPLETED run is not resumed): --resume re-runs the stages, and the
        // fine-tune resizes its fresh network from its own checkpoint before the optimizer.
        using (var store = Diffusion.Tracking.TrackingStores.Open(PipelineRun.Database(temp)))
        using (var recorder = store.ResumeRun(run.RunId))
            recorder.Kill("interrupted by the test");
        var resumed = PipelineRun.Run(temp, PipelineRun.Shipped("prune-finetune.yaml"), run.RunId,
            [.. PipelineRun.Tiny, .. PipelineRun.TinyCompress, "stages.finetune.steps=2", "stages.finetune.batch_size=4", "stages.finetune.checkpoint_every=0",
             "components.prune.batches=2", "components.prune.batch_size=4"]);
        Assert.True(resumed.Status == RunStatus.Completed, resumed.Message);
    }

    /// <summary>For a DDPM model and a flow-matching one (docs/flow-matching.md: the passes use the noise component's own loss and sampler).</summary>
    [Theory]
    [InlineData("{ plugin: ddpm, timesteps: 50 }")]
    [InlineData("{ plugin: flow-euler }")]
    public void Magnitude_pruning_sparsity_survives_fine_tuning_and_w8a8_sim_runs_after_calibration(string noise)
    {
        using var temp = new TempFolder();
        string path = Path.Combine(temp.Path, "sparse.yaml");
        File.WriteAllText(path, """
            name: sparse
            seed: 3
            device: cpu
            components:
              data: { plugin: image, dataset: shapes, image_size: 8, count: 48 }
              model: { plugin: unet2d, base_channels: 8, channel_mults: [1, 2], attention_resolutions: [4], groups: 4 }
              noise: NOISE
              sparse: { plugin: prune-magnitude, sparsity: 0.6, scope: layer }
              w8a8: { plugin: w8a8-sim, sampler: noise, calibration_samples: 2, calibration_steps: 3 }
            stages:
              - { name: train, type: train, model: model, data: data, sampler: noise, steps: 2, batch_size: 4, checkpoint_every: 0 }
              - { name: prune, type: compress, model: model, passes: [sparse], latency_runs: 0 }
              - { name: finetune, type: train, model: model, data: data, sampler: noise, init_from_previous: true, steps: 3, batch_size: 4, lr: 0.01, checkpoint_every: 0 }
              - { name: quantize, type: compress, model: model, passes: [w8a8], data: data, sampler: noise, sample_steps: 2, eval_count: 4, latency_runs: 1 }
            """.Replace("NOISE", noise));

        var run = PipelineRun.Run(temp, path);

        Assert.True(run.Status == RunStatus.Completed, run.Message);
        var (tensors, _) = SafeTensors.Read(Path.Combine(run.RunFolder, "checkpoints", "finetune", "step-00000003", "model.safetensors"));
        int layers = 0;
        foreach (var (name, mask) in tensors.Where(p => p.Key.EndsWith(".weight_mask")))
        {
            var weight = tensors[name[..^"_mask".Length]];
            Assert.Equal(0, weight.masked_select(mask.eq(0)).abs().sum().item<float>());
            Assert.Equal((long)Math.Round(0.6 * weight.numel()), mask.eq(0).sum().item<long>());
            layers++;
        }
        Assert.True(layers > 5);
        foreach (var t in tensors.Values) t.Dispose();
        var metrics = PipelineRun.Metrics(temp, run);
        Assert.Contains("compress/after/eval_fd-pixels", metrics.Keys);
        Assert.True(double.IsFinite(metrics["compress/after/eval_fd-pixels"]));
    }
}
