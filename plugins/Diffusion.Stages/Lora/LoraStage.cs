using System.Diagnostics;
using System.Globalization;
using Diffusion.Stages.Checkpoints;
using Diffusion.Stages.Training;
using TorchSharp;

namespace Diffusion.Stages.Lora;

/// <summary>
/// Fine-tunes a trained denoiser with LoRA: low-rank adapters on the targeted layers are trained with the denoising loss
/// while every weight of the base stays frozen (and its files untouched). Writes the adapters alone to
/// <c>lora/STAGE/adapter.safetensors</c> (PEFT key names) and leaves the adapted network for later stages (merged into
/// the weights with <c>merge: true</c>). Records <c>lora/trainable_parameters</c>, <c>lora/base_parameters</c>,
/// <c>lora/parameter_fraction</c>, <c>lora/adapter_bytes</c> and <c>lora/loss</c>.
/// </summary>
[Plugin(PluginKind.Stage, "lora", Options = typeof(LoraStageOptions), Description = "Fine-tunes a trained denoiser with LoRA adapters (base frozen); writes the adapters alone.")]
public sealed class LoraStage(LoraStageOptions options) : IStage
{
    /// <summary>The adapter file of a stage, relative to the run's artifact folder.</summary>
    public static string AdapterPath(string stage) => Path.Combine("lora", stage, "adapter.safetensors");

    /// <inheritdoc />
    public void Run(IRunContext context)
    {
        var (network, schedule, spec) = Base(context);
        var modality = context.Component<IModality>(options.Data);
        if (context.Component<ISampler>(options.Sampler) is ITokenSampler)
            throw new PluginInputException($"the lora stage trains continuous denoisers; sampler '{options.Sampler}' is a token sampler");
        using var all = modality.Load(DataSplit.Train);
        using var subset = options.ClassLabel < 0 ? null : OfClass(all, spec);
        var data = subset ?? all;
        if (!data.Items.shape[1..].SequenceEqual(spec.ItemShape))
            throw new PluginInputException(
                $"'{options.Data}' provides items of shape [{string.Join(", ", data.Items.shape[1..])}] but '{options.Model}' was trained on [{string.Join(", ", spec.ItemShape)}]: adapt to data of the same shape");

        using var heldOut = HeldOut(modality, spec);
        if (heldOut is not null) context.Tracker.LogMetric("lora/heldout_loss", HeldOutLoss(network, schedule, spec, heldOut, context), 0);

        using var init = new Generator(0, CPU);
        init.manual_seed((long)SampleGenerators.Mix((ulong)context.Seed, 0x10a));
        var settings = new LoraSettings(options.Rank, options.EffectiveAlpha, options.Dropout, options.Targets);
        LoraAdapter? adapter = null;
        if (!options.FullFinetune)
        {
            adapter = LoraAdapter.Attach(network, settings, init);
            context.State.Set($"lora.{context.StageName}", adapter); // disposed with the run; its hooks live as long as the network
            LoraAdapter.FreezeBase(network);
        }
        if (adapter is null)
            foreach (var p in network.parameters()) p.requires_grad = true; // an EMA network from the train stage is kept without gradients
        var trainable = adapter?.Parameters().ToList() ?? network.parameters().ToList();
        long trainableCount = trainable.Sum(p => p.numel());
        long baseParameters = network.parameters().Sum(p => p.numel());
        context.Tracker.LogParam("lora.trainable_parameters", trainableCount);
        context.Tracker.LogMetric("lora/trainable_parameters", trainableCount, 0);
        context.Tracker.LogMetric("lora/base_parameters", baseParameters, 0);
        context.Tracker.LogMetric("lora/parameter_fraction", trainableCount / (double)baseParameters, 0);
        if (adapter is null)
            context.Logger.LogInformation("lora: full fine-tune of '{Model}' (baseline): {Trainable:N0} trainable parameters; {Items} items", options.Model, trainableCount, data.Count);
        else
            context.Logger.LogInformation("lora: {Layers} layers of '{Model}' adapted at rank {Rank} (alpha {Alpha}): {Trainable:N0} trainable parameters, {Fraction:P2} of the {Base:N0} frozen ones; {Items} items",
                adapter.Layers.Count, options.Model, options.Rank, options.EffectiveAlpha, trainableCount, trainableCount / (double)baseParameters, baseParameters, data.Count);

        var trainOptions = new TrainStageOptions { CondDropout = options.CondDropout, BatchSize = options.BatchSize };
        using var optimizer = new Training.AdamW(trainable, options.Lr, weightDecay: 0.0); // the train stage's packed update
        network.train();
        adapter?.Train(true);
        var clock = Stopwatch.StartNew();
        using (var progress = context.Progress.Start(context.StageName, options.Steps))
        {
            using var generator = new Generator(0, CPU);
            for (long step = 0; step < options.Steps; step++)
            {
                context.Cancellation.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                generator.manual_seed((long)SampleGenerators.Mix((ulong)context.Seed, 0x10a0000UL + (ulong)step));
                manual_seed((long)SampleGenerators.Mix((ulong)context.Seed ^ 0x10a5eed, (ulong)step)); // adapter dropout
                var batch = TrainingBatch.Draw(data, spec, schedule, options.BatchSize, trainOptions, generator, context.Device);
                var xt = schedule.AddNoise(batch.X0, batch.Noise, batch.T);
                var target = schedule.TrainingTarget(batch.X0, batch.Noise, batch.T);
                var output = network.forward(xt, batch.T.to_type(ScalarType.Float32), batch.Conditioning(spec.NumClasses));
                var loss = nn.functional.mse_loss(output, target);
                optimizer.zero_grad();
                loss.backward();
                double value = loss.item<float>();
                if (!double.IsFinite(value))
                    throw new PluginInputException($"lora: the loss is {value} at step {step + 1}; lower lr (now {options.Lr})");
                if (options.GradClip > 0) DeviceClip.Clip(optimizer.GradientBuffers(), DeviceClip.TotalNorm(optimizer.Gradients()), options.GradClip);
                optimizer.step();
                context.Tracker.LogMetric("lora/loss", value, step + 1);
                progress.Report(step + 1, $"loss {value:0.0000}");
            }
        }
        if (options.Steps > 0) context.Tracker.LogMetric("lora/steps_per_second", options.Steps / Math.Max(clock.Elapsed.TotalSeconds, 1e-9), options.Steps);
        network.eval();
        adapter?.Train(false);
        if (heldOut is not null)
        {
            double after = HeldOutLoss(network, schedule, spec, heldOut, context);
            context.Tracker.LogMetric("lora/heldout_loss", after, Math.Max(options.Steps, 1));
            context.Logger.LogInformation("lora: held-out denoising loss on the target data {After:0.00000}", after);
        }
        if (adapter is null)
        {
            foreach (var p in network.parameters()) p.requires_grad = false;
            context.State.SetModel(options.Model, new TrainedModel(network, schedule, spec));
            return;
        }

        var metadata = new Dictionary<string, string>(CheckpointIO.ModelMetadata(schedule, spec))
        {
            ["format"] = LoraWeights.Format,
            ["base_model"] = options.InitFrom is { } path ? Path.GetFullPath(path) : options.Model,
            ["steps"] = options.Steps.ToString(CultureInfo.InvariantCulture),
        };
        string written = context.Artifacts.Write(AdapterPath(context.StageName), "lora-adapter", stream => adapter.Save(stream, options.Targets, metadata));
        long bytes = new FileInfo(written).Length;
        context.Tracker.LogMetric("lora/adapter_bytes", bytes, 0);
        context.Logger.LogInformation("lora: wrote {Path} ({Bytes:N0} bytes)", written, bytes);
        if (options.Merge)
        {
            adapter.Merge();
            LoraApplyStage.WriteMerged(network, schedule, spec, context);
        }
        context.State.SetModel(options.Model, new TrainedModel(network, schedule, spec));
    }

    /// <summary>The network to adapt, its schedule and data: loaded from init_from, or the model an earlier stage left.</summary>
    private (DenoiserModule Network, NoiseSchedule Schedule, DataSpec Spec) Base(IRunContext context)
    {
        if (options.InitFrom is null)
        {
            var model = StageHelpers.TrainedModel(context, options.Model);
            return (model.Network, model.Schedule, model.Data);
        }
        string full = Path.GetFullPath(options.InitFrom);
        var modality = context.Component<IModality>(options.Data);
        var spec = modality.Spec;
        var network = context.Component<IDenoiser>(options.Model).Build(spec);
        try
        {
            CheckpointIO.LoadWeights(full, network);
        }
        catch (CheckpointMismatchException e)
        {
            network.Dispose();
            throw new PluginInputException($"init_from: {e.Message}; give the weights of a '{options.Model}' built as in this pipeline", e);
        }
        network.to(context.Device);
        context.Logger.LogInformation("lora: base weights from {Path}", full);
        return (network, context.Component<ISampler>(options.Sampler).CreateSchedule(), spec);
    }

    /// <summary>Up to <c>eval_items</c> test-split items (of <c>class_label</c>), or null when off or the data has none.</summary>
    private ModalityData? HeldOut(IModality modality, DataSpec spec)
    {
        if (options.EvalItems == 0) return null;
        var test = modality.Load(DataSplit.Test);
        if (test.Count == 0 || (options.ClassLabel >= 0 && (test.Labels is null || !(test.Labels == options.ClassLabel).any().item<bool>())))
        {
            test.Dispose();
            return null;
        }
        if (options.ClassLabel < 0) return test;
        var own = OfClass(test, spec);
        test.Dispose();
        return own;
    }

    /// <summary>
    /// The mean denoising loss on the held-out items at 8 evenly spaced timesteps with noise fixed by the run seed, so
    /// the score before and after (and of a full fine-tune) compare.
    /// </summary>
    private double HeldOutLoss(DenoiserModule network, NoiseSchedule schedule, DataSpec spec, ModalityData heldOut, IRunContext context)
    {
        const int Levels = 8;
        bool training = network.training;
        network.eval();
        try
        {
            using var noGrad = no_grad();
            using var generator = new Generator(0, CPU);
            generator.manual_seed((long)SampleGenerators.Mix((ulong)context.Seed, 0x10aea1));
            long items = Math.Min(options.EvalItems, heldOut.Count);
            double total = 0;
            for (int level = 0; level < Levels; level++)
            {
                using var scope = NewDisposeScope();
                var x0 = heldOut.Items.narrow(0, 0, items).to(context.Device);
                var noise = randn(x0.shape, generator: generator).to(context.Device);
                long t = (long)Math.Round((level + 0.5) * schedule.Timesteps / Levels);
                var ts = full([items], t, dtype: ScalarType.Int64, device: context.Device);
                var output = network.forward(schedule.AddNoise(x0, noise, ts), ts.to_type(ScalarType.Float32), heldOut.ItemConditioning(0, items, context.Device));
                total += nn.functional.mse_loss(output, schedule.TrainingTarget(x0, noise, ts)).item<float>();
            }
            return total / Levels;
        }
        finally
        {
            network.train(training);
        }
    }

    /// <summary>The items of <c>class_label</c>.</summary>
    private ModalityData OfClass(ModalityData data, DataSpec spec)
    {
        if (data.Labels is null)
            throw new PluginInputException($"class_label {options.ClassLabel}: '{options.Data}' has no class labels; remove class_label to adapt to all its items");
        using var index = (data.Labels == options.ClassLabel).nonzero().flatten();
        if (index.shape[0] == 0)
            throw new PluginInputException(
                $"class_label {options.ClassLabel}: '{options.Data}' has no items of that class (it has {data.ClassNames?.Count ?? spec.NumClasses} classes, 0-based)");
        return new ModalityData(data.Items.index_select(0, index), data.Labels.index_select(0, index), data.ClassNames)
        {
            ConditionTokens = data.ConditionTokens?.index_select(0, index),
            ConditionImages = data.ConditionImages?.index_select(0, index),
            ConditionTexts = data.ConditionTexts is null ? null : index.data<long>().Select(i => data.ConditionTexts[(int)i]).ToList(),
        };
    }
}
