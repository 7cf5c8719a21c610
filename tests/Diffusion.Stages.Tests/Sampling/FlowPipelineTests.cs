using Diffusion.Abstractions.Checkpoints;
using Diffusion.Abstractions.Runs;
using Diffusion.Core.Runs;
using Diffusion.Tracking;
using Microsoft.Extensions.Logging.Abstractions;

namespace Diffusion.Stages.Tests.Sampling;

/// <summary>
/// Flow matching through the pipeline: a flow sampler as the noise component trains the unchanged UNet on the velocity
/// objective, its checkpoint records the flow, and the sample stage draws class-guided samples with it.
/// </summary>
public class FlowPipelineTests
{
    [Fact]
    public void A_flow_sampler_trains_and_samples_a_class_guided_model()
    {
        using var temp = new TempFolder();
        string db = Path.Combine(temp.Path, "runs", "tracking.db");
        string[] overrides =
        [
            "components.noise.plugin=flow-heun", "components.noise.timesteps=50", "components.model.class_conditional=true",
            "stages.train.cond_dropout=0.2", "stages.sample.class_labels=cycle", "stages.sample.guidance_scale=2",
        ];
        var runner = new PipelineRunner(NullLogger.Instance, new SilentProgress());
        var result = runner.Run(new RunRequest(TinyPipeline.Load(temp, overrides), db, Path.GetDirectoryName(db)!, null), CancellationToken.None);

        Assert.True(result.Status == RunStatus.Completed, result.Message);
        using var store = TrackingStores.Open(db);
        var metrics = store.FindRun(result.RunId)!.Metrics.ToDictionary(m => m.Key, m => m.Last);
        Assert.True(double.IsFinite(metrics["train/loss"]));
        Assert.True(double.IsFinite(metrics["eval/denoise_loss"]), "the held-out loss is the velocity loss");
        var (_, metadata) = SafeTensors.Read(Path.Combine(result.RunFolder, "checkpoints", "train", "step-00000006", "model.safetensors"));
        Assert.Equal("flow", metadata["prediction_type"]);
        var (samples, _) = SafeTensors.Read(Path.Combine(result.RunFolder, "sample.safetensors"));
        Assert.Equal([4L, 1, 8, 8], samples["samples"].shape);
        Assert.True(samples["samples"].isfinite().all().item<bool>());
    }

    [Fact]
    public void Min_snr_weighting_on_a_flow_model_is_a_clear_input_error()
    {
        using var temp = new TempFolder();
        string db = Path.Combine(temp.Path, "runs", "tracking.db");
        var runner = new PipelineRunner(NullLogger.Instance, new SilentProgress());
        var result = runner.Run(new RunRequest(TinyPipeline.Load(temp, "components.noise.plugin=flow-euler", "stages.train.loss_weighting=min_snr"),
            db, Path.GetDirectoryName(db)!, null), CancellationToken.None);
        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Contains("min_snr", result.Message);
    }
}
