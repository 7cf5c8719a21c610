using Diffusion.Abstractions.Runs;
using Diffusion.Core.Pipelines;
using Diffusion.Core.Plugins;
using Diffusion.Core.Runs;
using Microsoft.Extensions.Logging.Abstractions;

namespace Diffusion.Stages.Tests.Training;

/// <summary>A train-only pipeline on tiny 8x8 shapes, run the way the CLI runs it; a model line can be swapped for another denoiser.</summary>
internal static class TrainPipeline
{
    public const string UNet = "{ plugin: unet2d, base_channels: 8, channel_mults: [1, 2], attention_resolutions: [4], groups: 4 }";

    public static string Yaml(string model = UNet) => $$"""
        name: tiny-train
        seed: 5
        device: cpu
        components:
          data: { plugin: image, dataset: shapes, image_size: 8, count: 64 }
          model: {{model}}
          noise: { plugin: ddpm, timesteps: 50 }
        stages:
          - { name: train, type: train, model: model, data: data, sampler: noise, steps: 6, batch_size: 8, lr: 0.001, ema_decay: 0.9, checkpoint_every: 3 }
        """;

    public static RunResult Run(TempFolder folder, string[] overrides, string model = UNet, string? resume = null,
        IProgressReporter? progress = null, CancellationToken cancellation = default)
    {
        string path = folder.File("train.yaml", Yaml(model));
        var document = PipelineLoader.Load(path, overrides);
        var spec = PipelineBinder.Bind(document, PluginDiscovery.Discover(PluginSource.Defaults(document.PluginFolders)));
        var runner = new PipelineRunner(NullLogger.Instance, progress ?? new SilentProgress());
        return runner.Run(new RunRequest(spec, Database(folder), Path.GetDirectoryName(Database(folder))!, resume), cancellation);
    }

    public static string Database(TempFolder folder) => Path.Combine(folder.Path, "runs", "tracking.db");

    public static string Final(RunResult run, string file, int step = 6) =>
        Path.Combine(run.RunFolder, "checkpoints", "train", $"step-{step:D8}", file);
}

/// <summary>Cancels the run once the train stage has reported a given number of steps (like Ctrl+C at that moment).</summary>
internal sealed class CancelAtStep(long step, CancellationTokenSource source) : IProgressReporter
{
    public IProgressTask Start(string label, long total, long alreadyDone = 0) => new Task(label == "train" ? step : long.MaxValue, source);

    private sealed class Task(long at, CancellationTokenSource source) : IProgressTask
    {
        public void Report(long done, string? status = null)
        {
            if (done >= at) source.Cancel();
        }

        public void Dispose() { }
    }
}
