using Diffusion.Core.Pipelines;
using Diffusion.Core.Plugins;

namespace Diffusion.Core.Tests.Runs;

/// <summary>A pipeline small enough to train, sample and evaluate in seconds, loaded the way the CLI loads it.</summary>
internal static class TinyPipeline
{
    public const string Yaml = """
        name: tiny
        seed: 5
        device: cpu
        components:
          data: { plugin: image, dataset: shapes, image_size: 8, count: 64 }
          model: { plugin: unet2d, base_channels: 8, channel_mults: [1, 2], attention_resolutions: [4], groups: 4 }
          noise: { plugin: ddpm, timesteps: 50 }
          clamp: { plugin: clamp }
        stages:
          - { name: train, type: train, model: model, data: data, scheduler: noise, steps: 6, batch_size: 8, lr: 0.001, checkpoint_every: 3 }
          - { name: sample, type: sample, model: model, scheduler: noise, data: data, count: 4, batch_size: 4, steps: 5 }
          - { name: postprocess, type: postprocess, processors: [clamp], data: data }
          - { name: evaluate, type: evaluate, data: data, model: model, loss_items: 16, loss_timesteps: 2 }
        """;

    public static PipelineSpec Load(TempFolder folder, params string[] overrides)
    {
        string path = folder.File("tiny.yaml", Yaml);
        var document = PipelineLoader.Load(path, overrides);
        var catalog = PluginDiscovery.Discover(PluginSource.Defaults(document.PluginFolders));
        return PipelineBinder.Bind(document, catalog);
    }
}
