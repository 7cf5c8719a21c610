using Diffusion.Abstractions.Checkpoints;
using Diffusion.Abstractions.Runs;
using Diffusion.Core.Export;
using Diffusion.Core.Pipelines;
using Diffusion.Core.Plugins;
using Diffusion.Core.Runs;
using Diffusion.Stages.Tests.Training;
using Diffusion.Tracking;
using Microsoft.Extensions.Logging.Abstractions;

namespace Diffusion.Stages.Tests.Distillation;

/// <summary>The distill stage through the host: a tiny teacher trained, distilled both ways, the student sampled by its own sampler.</summary>
public class DistillPipelineTests
{
    private static RunResult Run(TempFolder folder, string stages, params string[] overrides)
    {
        string path = folder.File("distill.yaml", $$"""
            name: distill-tiny
            seed: 5
            device: cpu
            components:
              data: { plugin: image, dataset: shapes, image_size: 8, count: 64 }
              model: {{TrainPipeline.UNet}}
              noise: { plugin: ddpm, timesteps: 64 }
              cm: { plugin: consistency, timesteps: 64 }
              ddim: { plugin: ddim, timesteps: 64, timestep_spacing: trailing }
            stages:
              - { name: train, type: train, model: model, data: data, sampler: noise, steps: 4, batch_size: 8, lr: 0.001, checkpoint_every: 4 }
            {{stages}}
            """);
        var document = PipelineLoader.Load(path, overrides);
        var spec = PipelineBinder.Bind(document, PluginDiscovery.Discover(PluginSource.Defaults(document.PluginFolders)));
        return new PipelineRunner(NullLogger.Instance, new SilentProgress()).Run(
            new RunRequest(spec, TrainPipeline.Database(folder), Path.GetDirectoryName(TrainPipeline.Database(folder))!, null), CancellationToken.None);
    }

    private static Dictionary<string, double> Metrics(TempFolder folder, RunResult run)
    {
        using var store = TrackingStores.Open(TrainPipeline.Database(folder));
        return store.FindRun(run.RunId)!.Metrics.ToDictionary(m => m.Key, m => m.Last);
    }

    [Fact]
    public void A_guided_consistency_student_samples_in_two_steps_and_exports_as_a_checkpoint()
    {
        using var temp = new TempFolder();
        var run = Run(temp, """
              - { name: distill, type: distill, model: model, data: data, sampler: noise, method: consistency, solver_steps: 8, steps: 3, batch_size: 4, guidance_scale: 2 }
              - { name: sample, type: sample, model: model, sampler: cm, count: 4, batch_size: 4, steps: 2 }
            """, "components.model.class_conditional=true", "stages.train.cond_dropout=0.2");
        Assert.True(run.Status == RunStatus.Completed, run.Message);
        var metrics = Metrics(temp, run);
        Assert.True(double.IsFinite(metrics["distill/loss"]));
        Assert.Equal(3 * 4 * 2, metrics["distill/teacher_evaluations"]); // guided: two teacher passes per item
        using var samples = SafeTensors.Read(Path.Combine(run.RunFolder, "sample.safetensors")).Tensors["samples"];
        Assert.Equal([4L, 1, 8, 8], samples.shape);
        Assert.True(samples.isfinite().all().item<bool>());
        Assert.True(samples.abs().max().item<float>() <= 1.0f, "the consistency sampler clips to [-1, 1]");

        string exported = Path.Combine(temp.Path, "student.safetensors");
        var result = WeightsExport.Export(run.RunFolder, run.RunId, "distill", ExportedWeights.Auto, exported);
        Assert.Equal(3, result.Step);
        var trained = SafeTensors.Read(TrainPipeline.Final(run, "model.safetensors", 4)).Tensors;
        var student = SafeTensors.Read(exported).Tensors;
        Assert.Equal(trained.Keys.Order(), student.Keys.Order());
        Assert.Contains(trained, p => !p.Value.eq(student[p.Key]).all().item<bool>()); // the student moved away from its teacher
    }

    [Fact]
    public void Progressive_rounds_halve_the_steps_down_to_the_student_that_ddim_samples()
    {
        using var temp = new TempFolder();
        var run = Run(temp, """
              - { name: distill, type: distill, model: model, data: data, sampler: noise, method: progressive, teacher_steps: 8, student_steps: 2, steps: 2, batch_size: 4 }
              - { name: sample, type: sample, model: model, sampler: ddim, count: 4, batch_size: 4, steps: 2 }
            """);
        Assert.True(run.Status == RunStatus.Completed, run.Message);
        using (var store = TrackingStores.Open(TrainPipeline.Database(temp)))
        {
            var rounds = store.MetricHistory(run.RunId, "distill/student_steps").Select(p => (p.Step, p.Value)).ToArray();
            Assert.Equal([(1L, 4.0), (2L, 2.0)], rounds); // 8 -> 4, then 4 -> 2
            Assert.Equal(2, store.MetricHistory(run.RunId, "distill/round_loss").Count);
        }
        string student = Path.Combine(run.RunFolder, "checkpoints", "distill", "step-00000004", "model.safetensors");
        Assert.True(File.Exists(student), "2 rounds x 2 steps");
        using var samples = SafeTensors.Read(Path.Combine(run.RunFolder, "sample.safetensors")).Tensors["samples"];
        Assert.True(samples.isfinite().all().item<bool>());

        // The ε teacher's student predicts v (student_prediction: auto) and says so; loading it into a pipeline that
        // reads ε is an error naming the fix, and with the fix its samples are the ones the distilling run drew.
        Assert.Equal("v_prediction", SafeTensors.Read(student).Metadata["prediction_type"]);
        using var again = new TempFolder();
        string[] load = ["stages.train.steps=0", $"stages.train.init_from={student}"];
        const string sample = "  - { name: sample, type: sample, model: model, sampler: ddim, count: 4, batch_size: 4, steps: 2 }";
        var wrong = Run(again, sample, load);
        Assert.Equal(RunStatus.Failed, wrong.Status);
        Assert.Contains("predicts v_prediction, but sampler 'noise' reads its output as epsilon: set prediction_type: v_prediction", wrong.Message);
        var right = Run(again, sample, [.. load, "components.noise.prediction_type=v_prediction", "components.ddim.prediction_type=v_prediction"]);
        Assert.True(right.Status == RunStatus.Completed, right.Message);
        using var reloaded = SafeTensors.Read(Path.Combine(right.RunFolder, "sample.safetensors")).Tensors["samples"];
        Assert.True(reloaded.allclose(samples, 1e-5, 1e-6), "the reloaded student samples as it did in its own run");
    }

    [Fact]
    public void Teacher_steps_that_are_not_the_student_steps_times_a_power_of_two_are_a_pipeline_error()
    {
        using var temp = new TempFolder();
        var error = Assert.Throws<PipelineValidationException>(() => Run(temp, """
              - { name: distill, type: distill, model: model, data: data, sampler: noise, method: progressive, teacher_steps: 12, student_steps: 4 }
            """));
        Assert.Contains("power of two", error.Message);
    }
}
