using Diffusion.Core.Runs;
using Diffusion.Plugins.Tests.Compression;
using Microsoft.Extensions.Logging.Abstractions;

namespace Diffusion.Plugins.Tests.Latent;

/// <summary>
/// A latent data component whose metrics include class-accuracy (as pipelines/latent-diffusion.yaml has): the
/// autoencoder stage scores its reconstructions with their test images' labels. Before the fix the stage failed with
/// "the samples have no labels", since no sample stage had run yet.
/// </summary>
public class AutoencoderLabelMetricsTests
{
    private const string Pipeline = """
        name: autoencoder-labels
        seed: 3
        components:
          data: { plugin: latent, dataset: shapes, image_size: 16, count: 64, latent_channels: 4, downsample: 4, base_channels: 8, metrics: [class-accuracy, fd-pixels], classifier_cache: CACHE }
        stages:
          - { name: autoencoder, type: train-autoencoder, data: data, steps: 4, batch_size: 8, eval_items: 16, scale_items: 16, checkpoint_every: 0 }
        """;

    [Fact]
    public void Reconstructions_are_scored_by_class_accuracy_with_their_test_labels()
    {
        using var folder = new TempFolder();
        string path = Path.Combine(folder.Path, "pipeline.yaml");
        File.WriteAllText(path, Pipeline.Replace("CACHE", Path.Combine(folder.Path, "cache")));
        var runner = new PipelineRunner(NullLogger.Instance, new NullProgress());
        string db = PipelineRun.Database(folder);

        var run = runner.Run(new RunRequest(PipelineRun.Bind(path), db, Path.GetDirectoryName(db)!), CancellationToken.None);

        Assert.True(run.Status == RunStatus.Completed, run.Message);
        using var store = Diffusion.Tracking.TrackingStores.Open(db);
        var metrics = store.FindRun(run.RunId)!.Metrics.ToDictionary(m => m.Key, m => m.Last);
        Assert.InRange(metrics["autoencoder/recon-class-accuracy"], 0, 1);
        Assert.True(metrics.ContainsKey("autoencoder/recon-fd-pixels"), string.Join(", ", metrics.Keys));
    }
}
