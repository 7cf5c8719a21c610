using Diffusion.Abstractions.Checkpoints;
using Diffusion.Core.Runs;
using Diffusion.Plugins.Tests.Compression;
using Microsoft.Extensions.Logging.Abstractions;

namespace Diffusion.Plugins.Tests.Latent;

/// <summary>
/// run --resume on a train-autoencoder stage: it continues from its last checkpoint (weights, optimizer, step) and ends
/// with the same autoencoder as a run that was never interrupted.
/// </summary>
public class AutoencoderResumeTests
{
    private const string Pipeline = """
        name: autoencoder-resume
        seed: 5
        components:
          data: { plugin: latent, dataset: shapes, image_size: 16, count: 64, latent_channels: 4, downsample: 4, base_channels: 8, metrics: [fd-pixels] }
        stages:
          - { name: autoencoder, type: train-autoencoder, data: data, steps: 6, batch_size: 4, eval_items: 4, scale_items: 16, checkpoint_every: 3 }
        """;

    [Fact]
    public void A_resumed_autoencoder_ends_where_an_uninterrupted_one_does()
    {
        using var folder = new TempFolder();
        string path = Path.Combine(folder.Path, "pipeline.yaml");
        File.WriteAllText(path, Pipeline);
        var runner = new PipelineRunner(NullLogger.Instance, new NullProgress());
        string db = PipelineRun.Database(folder), root = Path.GetDirectoryName(db)!;

        var whole = runner.Run(new RunRequest(PipelineRun.Bind(path), db, root), CancellationToken.None);
        Assert.True(whole.Status == RunStatus.Completed, whole.Message);

        // A run stopped after step 3 (its last checkpoint), marked interrupted, then resumed to 6 steps.
        var part = runner.Run(new RunRequest(PipelineRun.Bind(path, "stages.autoencoder.steps=3"), db, root), CancellationToken.None);
        Assert.True(part.Status == RunStatus.Completed, part.Message);
        using (var store = Diffusion.Tracking.TrackingStores.Open(db))
        using (var recorder = store.ResumeRun(part.RunId))
            recorder.Kill("interrupted by the test");
        var resumed = runner.Run(new RunRequest(PipelineRun.Bind(path), db, root, part.RunId) { AcceptLengthChange = true }, CancellationToken.None);
        Assert.True(resumed.Status == RunStatus.Completed, resumed.Message);

        var expected = Weights(whole.RunFolder);
        var actual = Weights(part.RunFolder);
        Assert.Equal(expected.Metadata["scaling_factor"], actual.Metadata["scaling_factor"]);
        foreach (var (name, tensor) in expected.Tensors)
            Assert.True(tensor.allclose(actual.Tensors[name], rtol: 0, atol: 0), $"{name} differs after resuming");
        // Step 4's loss was computed by the resumed run, from the restored weights and optimizer.
        Assert.Equal(Loss(folder, whole, 4), Loss(folder, part, 4));
    }

    private static (Dictionary<string, Tensor> Tensors, Dictionary<string, string> Metadata) Weights(string runFolder) =>
        SafeTensors.Read(Path.Combine(runFolder, "checkpoints", "autoencoder", "step-00000006", "autoencoder.safetensors"));

    private static double Loss(TempFolder folder, RunResult run, long step)
    {
        using var store = Diffusion.Tracking.TrackingStores.Open(PipelineRun.Database(folder));
        return store.MetricHistory(run.RunId, "autoencoder/loss").Single(p => p.Step == step).Value;
    }
}
