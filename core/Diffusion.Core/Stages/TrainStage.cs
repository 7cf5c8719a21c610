using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Diagnostics;
using Diffusion.Abstractions.Denoisers;
using Diffusion.Abstractions.Modalities;
using Diffusion.Abstractions.Options;
using Diffusion.Abstractions.Plugins;
using Diffusion.Abstractions.Runs;
using Diffusion.Abstractions.Schedulers;
using Diffusion.Abstractions.Stages;
using Diffusion.Core.Checkpoints;
using Microsoft.Extensions.Logging;
using TorchSharp;
using static TorchSharp.torch;

namespace Diffusion.Core.Stages;

/// <summary>Optimizers the train stage offers.</summary>
public enum OptimizerKind
{
    /// <summary>Adam with decoupled weight decay.</summary>
    [OptionName("adamw")]
    AdamW,
    /// <summary>Adam.</summary>
    Adam,
    /// <summary>Stochastic gradient descent with momentum 0.9.</summary>
    Sgd,
}

/// <summary>Options of the <c>train</c> stage.</summary>
public sealed class TrainStageOptions
{
    /// <summary>The denoiser component to train.</summary>
    [Required, ComponentRef(PluginKind.Denoiser), Description("Denoiser component to train.")]
    public string Model { get; set; } = "";

    /// <summary>The modality component that provides the training data.</summary>
    [Required, ComponentRef(PluginKind.Modality), Description("Modality component providing the training data.")]
    public string Data { get; set; } = "";

    /// <summary>The scheduler component whose noise schedule is trained on.</summary>
    [Required, ComponentRef(PluginKind.Scheduler), Description("Scheduler component whose noise schedule is trained on.")]
    public string Scheduler { get; set; } = "";

    /// <summary>Optimizer steps.</summary>
    [Range(1, int.MaxValue), Description("Optimizer steps.")]
    public int Steps { get; set; } = 1000;

    /// <summary>Items per step.</summary>
    [Range(1, 65536), Description("Items per step.")]
    public int BatchSize { get; set; } = 64;

    /// <summary>Peak learning rate.</summary>
    [Range(1e-9, 10.0), Description("Peak learning rate.")]
    public double Lr { get; set; } = 2e-4;

    /// <summary>Optimizer.</summary>
    [Description("Optimizer: adamw, adam or sgd.")]
    public OptimizerKind Optimizer { get; set; } = OptimizerKind.AdamW;

    /// <summary>Weight decay.</summary>
    [Range(0.0, 1.0), Description("Weight decay.")]
    public double WeightDecay { get; set; }

    /// <summary>Largest global gradient norm; 0 turns clipping off.</summary>
    [Range(0.0, 1e6), Description("Largest global gradient norm; 0 turns clipping off.")]
    public double GradClip { get; set; } = 1.0;

    /// <summary>Steps of linear learning-rate warm-up from 0.</summary>
    [Range(0, int.MaxValue), Description("Steps of linear learning-rate warm-up.")]
    public int WarmupSteps { get; set; }

    /// <summary>Decay of the exponential moving average of the weights used for sampling; 0 turns it off.</summary>
    [Range(0.0, 0.99999), Description("EMA decay of the weights used for sampling (e.g. 0.999); 0: off, sample with the last weights.")]
    public double EmaDecay { get; set; }

    /// <summary>Save a checkpoint every N steps (and always at the end); 0 saves only at the end.</summary>
    [Range(0, int.MaxValue), Description("Checkpoint every N steps (and at the end); 0: only at the end.")]
    public int CheckpointEvery { get; set; } = 500;
}

/// <summary>
/// Trains a denoiser on a modality's data with a scheduler's noise schedule. Each step runs in its own dispose
/// scope; the batch, timesteps and noise of step k come from generators seeded by (run seed, k), so a run resumed
/// from a checkpoint continues exactly as an uninterrupted one would.
/// </summary>
[Plugin(PluginKind.Stage, "train", Options = typeof(TrainStageOptions), Description = "Trains a denoiser (checkpoints every N steps; resumable).")]
public sealed class TrainStage(TrainStageOptions options) : IStage
{
    /// <inheritdoc />
    public void Run(IRunContext context)
    {
        var modality = context.Component<IModality>(options.Data);
        var denoiser = context.Component<IDenoiser>(options.Model);
        var scheduler = context.Component<IScheduler>(options.Scheduler);

        using var data = modality.Load(DataSplit.Train);
        if (data.Count == 0) throw new PluginInputException($"component '{options.Data}' loaded no training items");
        var schedule = scheduler.CreateSchedule();

        manual_seed((long)SampleGenerators.Mix((ulong)context.Seed, 0x1417));
        var network = denoiser.Build(modality.Spec);
        network.to(context.Device);
        long parameters = network.parameters().Sum(p => p.numel());
        context.Tracker.LogParam($"model.{options.Model}.parameters", parameters);
        context.Logger.LogInformation("training '{Model}' ({Parameters:N0} parameters) on {Count} items for {Steps} steps on {Device}",
            options.Model, parameters, data.Count, options.Steps, context.Device.type.ToString().ToLowerInvariant());

        using var optimizer = CreateOptimizer(network);
        long start = 0;
        if (context.ResumeCheckpoint is { } folder)
        {
            var checkpoint = new Checkpoint(folder, 0);
            CheckpointIO.LoadWeights(checkpoint.ModelPath, network);
            ((TorchSharp.Modules.OptimizerHelper)optimizer).load_state_dict(checkpoint.OptimizerPath);
            start = CheckpointIO.LoadTrainerState(checkpoint).Step;
            context.Logger.LogInformation("resuming '{Stage}' from step {Step} ({Folder})", context.StageName, start, folder);
        }
        var average = options.EmaDecay > 0 ? CreateAverage(denoiser, modality.Spec, network, context) : null;

        network.train();
        var clock = Stopwatch.StartNew();
        using (var progress = context.Progress.Start(context.StageName, options.Steps, start))
        {
            using var generator = new Generator(0, CPU);
            for (long step = start; step < options.Steps; step++)
            {
                context.Cancellation.ThrowIfCancellationRequested();
                double loss = TrainStep(network, optimizer, data, schedule, generator, context, step);
                average?.Update(step);
                context.Tracker.LogMetric("train/loss", loss, step + 1);
                progress.Report(step + 1, $"loss {loss:0.0000}");
                bool last = step + 1 == options.Steps;
                if (last || (options.CheckpointEvery > 0 && (step + 1) % options.CheckpointEvery == 0))
                    SaveCheckpoint(context, network, average, optimizer, schedule, modality.Spec, step + 1);
            }
        }
        if (options.Steps > start)
            context.Tracker.LogMetric("train/steps_per_second", (options.Steps - start) / Math.Max(clock.Elapsed.TotalSeconds, 1e-9), options.Steps);

        network.eval();
        if (average is not null) network.Dispose();
        context.State[StateKeys.ModelPrefix + options.Model] = new TrainedModel(average?.Network ?? network, schedule, modality.Spec);
    }

    private double TrainStep(DenoiserModule network, optim.Optimizer optimizer, ModalityData data, NoiseSchedule schedule,
        Generator generator, IRunContext context, long step)
    {
        using var scope = NewDisposeScope();
        generator.manual_seed((long)SampleGenerators.Mix((ulong)context.Seed, (ulong)step));
        manual_seed((long)SampleGenerators.Mix((ulong)context.Seed ^ 0x5eed, (ulong)step)); // dropout and other global draws

        var index = randint(0, data.Count, [options.BatchSize], dtype: ScalarType.Int64, generator: generator);
        var x0 = data.Items.index_select(0, index).to(context.Device);
        var t = randint(0, schedule.Timesteps, [options.BatchSize], dtype: ScalarType.Int64, generator: generator).to(context.Device);
        var noise = randn(x0.shape, generator: generator).to(context.Device);
        var labels = data.Labels?.index_select(0, index).to(context.Device);

        var xt = schedule.AddNoise(x0, noise, t);
        var target = schedule.TrainingTarget(x0, noise, t);
        var output = network.forward(xt, t.to_type(ScalarType.Float32), labels is null ? null : new Conditioning(ClassLabels: labels));
        var loss = nn.functional.mse_loss(output, target);

        foreach (var group in optimizer.ParamGroups) group.LearningRate = LearningRate(step);
        optimizer.zero_grad();
        loss.backward();
        if (options.GradClip > 0) nn.utils.clip_grad_norm_(network.parameters(), options.GradClip);
        optimizer.step();
        return loss.item<float>();
    }

    private double LearningRate(long step) =>
        options.WarmupSteps > 0 && step < options.WarmupSteps ? options.Lr * (step + 1) / options.WarmupSteps : options.Lr;

    private optim.Optimizer CreateOptimizer(DenoiserModule network) => options.Optimizer switch
    {
        OptimizerKind.Adam => optim.Adam(network.parameters(), options.Lr, weight_decay: options.WeightDecay),
        OptimizerKind.Sgd => optim.SGD(network.parameters(), options.Lr, momentum: 0.9, weight_decay: options.WeightDecay),
        _ => optim.AdamW(network.parameters(), options.Lr, weight_decay: options.WeightDecay),
    };

    /// <summary>The weight average, restored from the checkpoint being resumed when it has one.</summary>
    private WeightAverage CreateAverage(IDenoiser denoiser, DataSpec spec, DenoiserModule network, IRunContext context)
    {
        var copy = denoiser.Build(spec);
        copy.to(context.Device);
        var average = new WeightAverage(network, copy, options.EmaDecay);
        if (context.ResumeCheckpoint is { } folder)
        {
            var checkpoint = new Checkpoint(folder, 0);
            if (File.Exists(checkpoint.EmaPath)) CheckpointIO.LoadWeights(checkpoint.EmaPath, average.Network);
            else context.Logger.LogWarning("{Folder} has no EMA weights; the average restarts from the resumed weights", folder);
        }
        return average;
    }

    private static void SaveCheckpoint(IRunContext context, DenoiserModule network, WeightAverage? average, optim.Optimizer optimizer,
        NoiseSchedule schedule, DataSpec spec, long step)
    {
        var checkpoint = Checkpoint.For(context.Artifacts.Root, context.StageName, step);
        CheckpointIO.Save(checkpoint, network, average?.Network, optimizer, new TrainerState(step, schedule, spec));
        foreach (string file in Directory.EnumerateFiles(checkpoint.Folder))
            context.Artifacts.Record(Path.GetRelativePath(context.Artifacts.Root, file), "checkpoint");
    }
}
