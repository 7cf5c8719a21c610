using Diffusion.Abstractions.Checkpoints;
using Diffusion.Core.Export;
using Diffusion.Stages.Checkpoints;
using Diffusion.Tracking;
using static TorchSharp.torch;

namespace Diffusion.Stages.Tests.Training;

/// <summary>
/// Pipeline runs that must be bit-for-bit reproducible. Network initialisation and dropout draw from libtorch's global
/// generator, which every thread of the process shares, so these run alone, not beside other test classes that train.
/// </summary>
[CollectionDefinition(nameof(TrainStageTests), DisableParallelization = true)]
public sealed class TrainStageCollection;

[Collection(nameof(TrainStageTests))]
public class TrainStageTests
{
    private static Dictionary<string, Tensor> Weights(string path) => SafeTensors.Read(path).Tensors;

    [Theory]
    [InlineData("adam")]
    [InlineData("adamw")] // the packed AdamW: its buffers are built at the first step of each process, from the resumed state
    public void A_resumed_run_with_every_training_option_on_ends_with_the_same_weights_bit_for_bit(string optimizer)
    {
        using var temp = new TempFolder();
        string[] options =
        [
            "components.model.class_conditional=true", "components.model.dropout=0.1",
            "stages.train.grad_accumulation=2", "stages.train.batch_size=4", "stages.train.lr_schedule=cosine", "stages.train.min_lr=0.0001",
            "stages.train.warmup_steps=2", "stages.train.loss_weighting=min_snr", "stages.train.noise_offset=0.05",
            "stages.train.cond_dropout=0.3", $"stages.train.optimizer={optimizer}", "stages.train.weight_decay=0.01",
        ];
        var uninterrupted = TrainPipeline.Run(temp, options);
        Assert.Equal(RunStatus.Completed, uninterrupted.Status);

        using var cancel = new CancellationTokenSource();
        var killed = TrainPipeline.Run(temp, options, progress: new CancelAtStep(4, cancel), cancellation: cancel.Token);
        Assert.Equal(RunStatus.Killed, killed.Status);
        var resumed = TrainPipeline.Run(temp, options, resume: killed.RunId);

        Assert.Equal(RunStatus.Completed, resumed.Status);
        foreach (string file in new[] { "model.safetensors", "ema.safetensors" })
            Assert.Equal(File.ReadAllBytes(TrainPipeline.Final(uninterrupted, file)), File.ReadAllBytes(TrainPipeline.Final(resumed, file)));
        var state = CheckpointIO.LoadTrainerState(new Checkpoint(Path.GetDirectoryName(TrainPipeline.Final(resumed, "x"))!, 6));
        Assert.Equal(5, state.Seed);
    }

    [Fact]
    public void Two_micro_batches_of_4_train_like_one_batch_of_8_and_the_size_is_recorded()
    {
        using var temp = new TempFolder();
        string[] sgd = ["stages.train.optimizer=sgd", "stages.train.lr=0.01", "stages.train.ema_decay=0"];

        var whole = TrainPipeline.Run(temp, [.. sgd, "stages.train.batch_size=8"]);
        var accumulated = TrainPipeline.Run(temp, [.. sgd, "stages.train.batch_size=4", "stages.train.grad_accumulation=2"]);

        Assert.Equal(RunStatus.Completed, whole.Status);
        Assert.Equal(RunStatus.Completed, accumulated.Status);
        var a = Weights(TrainPipeline.Final(whole, "model.safetensors"));
        var b = Weights(TrainPipeline.Final(accumulated, "model.safetensors"));
        Assert.All(a, p => Assert.True(p.Value.allclose(b[p.Key], rtol: 1e-4, atol: 1e-6), p.Key));
        Assert.False(File.Exists(TrainPipeline.Final(whole, "ema.safetensors")));

        using var store = TrackingStores.Open(TrainPipeline.Database(temp));
        var run = store.FindRun(whole.RunId)!;
        long parameters = Convert.ToInt64(run.Params.Single(p => p.Key == "model.model.parameters").Value);
        long macs = Convert.ToInt64(run.Params.Single(p => p.Key == "model.model.macs").Value);
        Assert.InRange(macs, 2 * parameters, 1000L * parameters); // every conv weight is used at many positions
        Assert.Equal(
            store.MetricHistory(whole.RunId, "train/loss").Select(p => Math.Round(p.Value, 4)),
            store.MetricHistory(accumulated.RunId, "train/loss").Select(p => Math.Round(p.Value, 4)));
    }

    [Fact]
    public void Init_from_starts_from_saved_weights_and_a_model_of_another_shape_is_refused_naming_the_tensor()
    {
        using var temp = new TempFolder();
        var first = TrainPipeline.Run(temp, []);
        string saved = TrainPipeline.Final(first, "model.safetensors");

        var tuned = TrainPipeline.Run(temp, ["stages.train.steps=1", "stages.train.lr=1e-9", "stages.train.ema_decay=0", $"stages.train.init_from={saved}"]);
        var wider = TrainPipeline.Run(temp, ["components.model.base_channels=16", $"stages.train.init_from={saved}"]);
        // A file that does not exist is refused when the pipeline is bound, before anything trains.
        var missing = Assert.Throws<Diffusion.Core.Pipelines.PipelineValidationException>(() => TrainPipeline.Run(temp, [$"stages.train.init_from={saved}.nope"]));

        Assert.Equal(RunStatus.Completed, tuned.Status);
        var before = Weights(saved);
        var after = Weights(TrainPipeline.Final(tuned, "model.safetensors", step: 1));
        Assert.All(before, p => Assert.True(p.Value.allclose(after[p.Key], rtol: 0, atol: 1e-6), p.Key));

        Assert.Equal(RunStatus.Failed, wider.Status);
        Assert.Contains("tensor 'conv_in.weight' has shape [8, 1, 3, 3] in the checkpoint but [16, 1, 3, 3] in the model", wider.Message);
        Assert.Contains(saved, wider.Message);
        Assert.Contains("init_from: the file", missing.Message);
        Assert.Contains("does not exist", missing.Message);
    }

    [Fact]
    public void Steps_zero_with_init_from_loads_the_weights_unchanged_and_without_init_from_is_refused()
    {
        using var temp = new TempFolder();
        string saved = TrainPipeline.Final(TrainPipeline.Run(temp, []), "ema.safetensors");

        var loaded = TrainPipeline.Run(temp, ["stages.train.steps=0", "stages.train.warmup_steps=0", $"stages.train.init_from={saved}"]);

        Assert.Equal(RunStatus.Completed, loaded.Status);
        var before = Weights(saved);
        var after = Weights(TrainPipeline.Final(loaded, "model.safetensors", step: 0));
        Assert.All(before, p => Assert.True(p.Value.eq(after[p.Key]).all().item<bool>(), p.Key));
        var error = Assert.Throws<Diffusion.Core.Pipelines.PipelineValidationException>(() => TrainPipeline.Run(temp, ["stages.train.steps=0"]));
        Assert.Contains("steps: 0 trains nothing", error.Message);
    }

    [Theory]
    [InlineData("{ plugin: dit, hidden_size: 16, depth: 1, num_heads: 2, patch_size: 2, class_conditional: true }")]
    [InlineData("{ plugin: mlp, hidden_size: 32, depth: 1 }")]
    public void Other_denoisers_train_through_the_pipeline(string model)
    {
        using var temp = new TempFolder();

        var run = TrainPipeline.Run(temp, ["stages.train.cond_dropout=0.2"], model);

        Assert.Equal(RunStatus.Completed, run.Status);
        using var store = TrackingStores.Open(TrainPipeline.Database(temp));
        var details = store.FindRun(run.RunId)!;
        Assert.True(Convert.ToInt64(details.Params.Single(p => p.Key == "model.model.macs").Value) > 0);
        Assert.All(store.MetricHistory(run.RunId, "train/loss"), p => Assert.True(double.IsFinite(p.Value)));
    }

    [Fact]
    public void Export_writes_the_ema_weights_of_the_last_checkpoint_with_metadata()
    {
        using var temp = new TempFolder();
        var run = TrainPipeline.Run(temp, []);
        string output = Path.Combine(temp.Path, "out", "model.safetensors");

        var result = WeightsExport.Export(run.RunFolder, run.RunId, null, ExportedWeights.Auto, output);

        Assert.Equal(("train", 6L, ExportedWeights.Ema), (result.Stage, result.Step, result.Weights));
        var (exported, metadata) = SafeTensors.Read(output);
        var ema = Weights(TrainPipeline.Final(run, "ema.safetensors"));
        Assert.Equal(ema.Keys.Order(), exported.Keys.Order());
        Assert.All(ema, p => Assert.True(p.Value.allclose(exported[p.Key], rtol: 0, atol: 0), p.Key));
        Assert.Equal(("ema", run.RunId, "6", "epsilon"), (metadata["weights"], metadata["run_id"], metadata["step"], metadata["prediction_type"]));

        WeightsExport.Export(run.RunFolder, run.RunId, "train", ExportedWeights.Model, output);
        var model = Weights(TrainPipeline.Final(run, "model.safetensors"));
        Assert.All(model, p => Assert.True(p.Value.allclose(SafeTensors.Read(output).Tensors[p.Key], rtol: 0, atol: 0), p.Key));
        var nothing = Assert.Throws<ExportException>(() => WeightsExport.Export(temp.Path, "x", null, ExportedWeights.Auto, output));
        Assert.Contains("no complete checkpoint", nothing.Message);
    }
}
