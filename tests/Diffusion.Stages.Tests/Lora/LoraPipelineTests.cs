using Diffusion.Abstractions.Checkpoints;
using Diffusion.Abstractions.Runs;
using Diffusion.Core.Export;
using Diffusion.Core.Pipelines;
using Diffusion.Core.Plugins;
using Diffusion.Core.Runs;
using Diffusion.Stages.Tests.Training;
using Diffusion.Tracking;
using Microsoft.Extensions.Logging.Abstractions;
using static TorchSharp.torch;

namespace Diffusion.Stages.Tests.Lora;

/// <summary>
/// The lora and lora-apply stages through the host: a tiny UNet is trained, adapted to one class, the adapter loaded
/// onto the saved base in later runs (on and merged), and merged by export; the default rank's size on the Fashion-MNIST UNet.
/// </summary>
public class LoraPipelineTests
{
    private const string Components = $$"""
        components:
          data: { plugin: image, dataset: shapes, image_size: 8, count: 64 }
          model: {{TrainPipeline.UNet}}
          noise: { plugin: ddpm, timesteps: 50 }
          ddim: { plugin: ddim, timesteps: 50 }
        """;

    private static RunResult Run(TempFolder folder, string name, string stages, params string[] overrides)
    {
        string path = folder.File($"{name}.yaml", $"name: {name}\nseed: 5\ndevice: cpu\n{Components}\nstages:\n{stages}");
        var document = PipelineLoader.Load(path, overrides);
        var spec = PipelineBinder.Bind(document, PluginDiscovery.Discover(PluginSource.Defaults(document.PluginFolders)));
        return new PipelineRunner(NullLogger.Instance, new SilentProgress()).Run(
            new RunRequest(spec, TrainPipeline.Database(folder), Path.GetDirectoryName(TrainPipeline.Database(folder))!, null), CancellationToken.None);
    }

    [Fact]
    public void An_adapter_trained_on_one_class_loads_onto_the_saved_base_merges_to_the_same_samples_and_changes_only_adapted_layers()
    {
        using var temp = new TempFolder();
        var trained = Run(temp, "adapt", """
              - { name: train, type: train, model: model, data: data, sampler: noise, steps: 4, batch_size: 8, lr: 0.001, checkpoint_every: 4 }
              - { name: lora, type: lora, model: model, data: data, sampler: noise, class_label: 1, rank: 2, steps: 4, batch_size: 8, lr: 0.01 }
            """);
        Assert.True(trained.Status == RunStatus.Completed, trained.Message);
        string basePath = TrainPipeline.Final(trained, "model.safetensors", 4);
        string adapterPath = Path.Combine(trained.RunFolder, "lora", "lora", "adapter.safetensors");
        var (adapter, metadata) = SafeTensors.Read(adapterPath);
        Assert.All(adapter.Keys, k => Assert.Matches(@"\.lora_[AB]\.weight$", k));
        Assert.Contains("mid_block1.attn.qkv.lora_A.weight", adapter.Keys);
        Assert.Equal("2", metadata[LoraWeights.RankKey]);
        Assert.True(adapter.Where(p => p.Key.EndsWith(LoraWeights.BSuffix)).All(p => p.Value.abs().max().item<float>() > 0), "every B trained away from zero");
        using (var store = TrackingStores.Open(TrainPipeline.Database(temp)))
        {
            var metrics = store.FindRun(trained.RunId)!.Metrics.ToDictionary(m => m.Key, m => m.Last);
            Assert.Equal(adapter.Values.Sum(t => t.numel()), (long)metrics["lora/trainable_parameters"]);
            Assert.True(double.IsFinite(metrics["lora/loss"]));
        }

        string sampling = $$"""
              - { name: train, type: train, model: model, data: data, sampler: noise, steps: 0, init_from: '{{basePath}}' }
              - { name: apply, type: lora-apply, model: model, adapters: ['{{adapterPath}}'] }
              - { name: sample, type: sample, model: model, sampler: ddim, count: 4, batch_size: 4, steps: 3 }
            """;
        var on = Run(temp, "on", sampling);
        var merged = Run(temp, "merged", sampling, "stages.apply.merge=true");
        var plain = Run(temp, "plain", sampling, "stages.apply.weights=[0]");
        Assert.True(on.Status == RunStatus.Completed, on.Message);
        Assert.True(merged.Status == RunStatus.Completed, merged.Message);
        Assert.True(plain.Status == RunStatus.Completed, plain.Message);
        using var samplesOn = SafeTensors.Read(Path.Combine(on.RunFolder, "sample.safetensors")).Tensors["samples"];
        using var samplesMerged = SafeTensors.Read(Path.Combine(merged.RunFolder, "sample.safetensors")).Tensors["samples"];
        using var samplesPlain = SafeTensors.Read(Path.Combine(plain.RunFolder, "sample.safetensors")).Tensors["samples"];
        Assert.True(samplesOn.allclose(samplesMerged, rtol: 1e-4, atol: 1e-4), $"merged samples differ by {(samplesOn - samplesMerged).abs().max().item<float>()}");
        Assert.True((samplesOn - samplesPlain).abs().max().item<float>() > 1e-4, "the adapter changes the samples; weight 0 turns it off");

        // Merging changes exactly the weights of the adapted layers; the base file is as the train stage wrote it.
        var baseTensors = SafeTensors.Read(basePath).Tensors;
        var mergedTensors = SafeTensors.Read(Path.Combine(merged.RunFolder, "lora", "apply", "merged.safetensors")).Tensors;
        var adapted = adapter.Keys.Where(k => k.EndsWith(LoraWeights.ASuffix)).Select(k => k[..^LoraWeights.ASuffix.Length] + ".weight").ToHashSet();
        Assert.Equal(baseTensors.Keys.Order(), mergedTensors.Keys.Order());
        foreach (var (name, value) in baseTensors)
            Assert.True(adapted.Contains(name) != value.eq(mergedTensors[name]).all().item<bool>(), $"{name}: adapted {adapted.Contains(name)}");

        // diffusion export --lora merges the same way.
        string exported = Path.Combine(temp.Path, "exported.safetensors");
        WeightsExport.Export(trained.RunFolder, trained.RunId, "train", ExportedWeights.Model, exported, [(adapterPath, 1.0)]);
        var (exportedTensors, exportedMetadata) = SafeTensors.Read(exported);
        Assert.Contains("adapter.safetensors:1", exportedMetadata["lora_merged"]);
        foreach (var (name, value) in mergedTensors)
            Assert.True(value.allclose(exportedTensors[name], rtol: 1e-6, atol: 1e-7), $"{name} differs between export and the merge stage");
    }

    [Fact]
    public void The_default_adapter_of_the_Fashion_MNIST_UNet_is_under_5_percent_of_the_model()
    {
        using var temp = new TempFolder();
        var run = Run(temp, "size", """
              - { name: train, type: train, model: model, data: data, sampler: noise, steps: 1, batch_size: 2 }
              - { name: lora, type: lora, model: model, data: data, sampler: noise, steps: 1, batch_size: 2 }
            """,
            "components.data.image_size=28", "components.model.base_channels=32", "components.model.channel_mults=[1,2,2]",
            "components.model.res_blocks=1", "components.model.attention_resolutions=[7]", "components.model.groups=8");
        Assert.True(run.Status == RunStatus.Completed, run.Message);
        using var store = TrackingStores.Open(TrainPipeline.Database(temp));
        var metrics = store.FindRun(run.RunId)!.Metrics.ToDictionary(m => m.Key, m => m.Last);
        Assert.InRange(metrics["lora/parameter_fraction"], 1e-4, 0.05);
        long modelBytes = new FileInfo(TrainPipeline.Final(run, "model.safetensors", 1)).Length;
        Assert.InRange(metrics["lora/adapter_bytes"] / modelBytes, 1e-4, 0.05);
    }

    [Fact]
    public void The_full_fine_tune_baseline_trains_every_weight_of_an_EMA_model_and_writes_no_adapter()
    {
        using var temp = new TempFolder();
        var run = Run(temp, "full", """
              - { name: train, type: train, model: model, data: data, sampler: noise, steps: 1, batch_size: 2, ema_decay: 0.9 }
              - { name: lora, type: lora, model: model, data: data, sampler: noise, steps: 2, batch_size: 2, full_finetune: true }
            """);
        Assert.True(run.Status == RunStatus.Completed, run.Message);
        using var store = TrackingStores.Open(TrainPipeline.Database(temp));
        var metrics = store.FindRun(run.RunId)!.Metrics.ToDictionary(m => m.Key, m => m.Last);
        Assert.Equal(1.0, metrics["lora/parameter_fraction"]);
        Assert.False(File.Exists(Path.Combine(run.RunFolder, "lora", "lora", "adapter.safetensors")));
    }

    [Fact]
    public void Targets_that_match_no_layer_fail_the_stage_with_the_layer_names()
    {
        using var temp = new TempFolder();
        var run = Run(temp, "bad", """
              - { name: train, type: train, model: model, data: data, sampler: noise, steps: 1, batch_size: 2 }
              - { name: lora, type: lora, model: model, data: data, sampler: noise, steps: 1, targets: [to_v] }
            """);
        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.Contains("match no linear or convolution layer", run.Message);
        Assert.Contains("conv_in", run.Message);
    }
}
