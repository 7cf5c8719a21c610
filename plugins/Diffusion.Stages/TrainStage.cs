using System.Diagnostics;
using Diffusion.Stages.Checkpoints;
using Diffusion.Stages.Training;
using TorchSharp;

namespace Diffusion.Stages;

/// <summary>
/// Trains a denoiser on a modality's data with a sampler's noise schedule. Each step runs in its own dispose
/// scope; the batch, timesteps, noise and condition drops of step k come from generators seeded by (run seed, k), so a
/// run resumed from a checkpoint continues exactly as an uninterrupted one would. Records the parameter count and the
/// MACs of one forward pass on one item as params <c>model.NAME.parameters</c> and <c>model.NAME.macs</c>.
/// </summary>
[Plugin(PluginKind.Stage, "train", Options = typeof(TrainStageOptions), Description = "Trains a denoiser (checkpoints every N steps; resumable).")]
public sealed class TrainStage(TrainStageOptions options) : IStage
{
    /// <summary>The low-precision copy the steps run on under <c>precision: bf16|fp16</c>; null for fp32.</summary>
    private MixedPrecision? precision;

    /// <inheritdoc />
    public void Run(IRunContext context)
    {
        var modality = context.Component<IModality>(options.Data);
        var denoiser = context.Component<IDenoiser>(options.Model);
        var sampler = context.Component<ISampler>(options.Sampler);

        using var data = modality.Load(DataSplit.Train);
        if (data.Count == 0) throw new PluginInputException($"component '{options.Data}' loaded no training items");
        var schedule = sampler.CreateSchedule();
        var spec = modality.Spec;
        CheckLowResolution(spec);
        var tokens = TokenObjective(sampler, spec);

        manual_seed((long)SampleGenerators.Mix((ulong)context.Seed, 0x1417));
        var network = denoiser.Build(spec);
        network.to(context.Device);
        if (options.InitFrom is { } initFrom) LoadInitialWeights(initFrom, network, schedule, context);
        bool reshaped = options.InitFromPrevious && StartFromPrevious(network, context);

        long start = 0;
        TrainerState? resumed = null;
        if (context.ResumeCheckpoint is { } folder)
        {
            // Weights first (a pruned network's layers are resized here), then the optimizer over the final parameters.
            var checkpoint = new Checkpoint(folder, 0);
            CheckpointIO.LoadWeights(checkpoint.ModelPath, network);
            resumed = CheckpointIO.LoadTrainerState(checkpoint);
            reshaped |= resumed.ShapesFromWeights;
        }
        using var parallel = new DataParallel(context.Communicator);
        parallel.BroadcastFromRankZero(network); // every rank starts from rank 0's weights (init, init_from or resume)
        RecordSize(network, data, schedule, context);
        if (parallel.Size > 1) RecordDistribution(parallel, context);
        WarnAboutUnusedOptions(data, spec, context);
        bool masked = network.named_buffers().Any(b => b.name.EndsWith(CompressedWeightLayout.MaskSuffix, StringComparison.Ordinal));
        using var mixed = precision = MixedPrecision.ForTraining(options.Precision, network, () => denoiser.Build(spec), context.Device, options.LossScale, resumed, context.Logger);

        using var optimizer = Optimizers.Create(options.Optimizer, network.parameters(), options.Lr, options.WeightDecay);
        if (resumed is not null)
        {
            string resumeFolder = context.ResumeCheckpoint!;
            ((TorchSharp.Modules.OptimizerHelper)optimizer).load_state_dict(new Checkpoint(resumeFolder, 0).OptimizerPath);
            start = resumed.Step;
            if (resumed.Seed is { } seed && seed != context.Seed)
                context.Logger.LogWarning("{Folder} was trained with seed {Old}, this run has seed {New}: the continuation will not match an uninterrupted run",
                    resumeFolder, seed, context.Seed);
            context.Logger.LogInformation("resuming '{Stage}' from step {Step} ({Folder})", context.StageName, start, resumeFolder);
        }
        using var average = options.EmaDecay > 0 ? CreateAverage(denoiser, spec, network, context) : null;
        if (average is not null) parallel.BroadcastFromRankZero(average.Network);
        var learningRate = LearningRate.From(options);

        network.train();
        var clock = Stopwatch.StartNew();
        using (var progress = context.Progress.Start(context.StageName, options.Steps, start))
        {
            using var generator = new Generator(0, CPU);
            var guard = new NonFiniteGuard(context.Tracker, context.Logger, options.Lr);
            using var losses = new LossAccumulator(options.LogEvery, context.Device);
            for (long step = start; step < options.Steps; step++)
            {
                context.Cancellation.ThrowIfCancellationRequested();
                bool last = step + 1 == options.Steps;
                using (NewDisposeScope())
                {
                    // The step's loss stays on the device: it is summed there and read once per log_every steps.
                    var loss = TrainStep(network, optimizer, learningRate.At(step), data, spec, schedule, tokens, generator, context, step, guard, parallel);
                    if (loss is not null)
                    {
                        if (masked) CompressedWeightLayout.ApplyMasks(network);
                        average?.Update(step, (optimizer as AdamW)?.Packed);
                        losses.Add(loss);
                    }
                }
                if (losses.MeanAt(step + 1, last) is { } mean)
                {
                    context.Tracker.LogMetric("train/loss", mean, step + 1);
                    progress.Report(step + 1, $"loss {mean:0.0000}");
                }
                else progress.Report(step + 1); // the display keeps the last logged loss
                if (last || (options.CheckpointEvery > 0 && (step + 1) % options.CheckpointEvery == 0))
                    SaveCheckpoint(context, network, average, optimizer, Scaled(new TrainerState(step + 1, schedule, spec, context.Seed, reshaped)), parallel);
            }
        }
        if (options.Steps == 0) // only loads weights (init_from): the run still gets its model as a checkpoint, for export and later stages
            SaveCheckpoint(context, network, average, optimizer, new TrainerState(0, schedule, spec, context.Seed, reshaped), parallel);
        if (options.Steps > start)
        {
            double seconds = Math.Max(clock.Elapsed.TotalSeconds, 1e-9);
            context.Tracker.LogMetric("train/steps_per_second", (options.Steps - start) / seconds, options.Steps);
            if (parallel.Size > 1)
            {
                context.Tracker.LogMetric("train/examples_per_second", (options.Steps - start) * (double)GlobalBatch(parallel) / seconds, options.Steps);
                context.Tracker.LogMetric("train/allreduce_fraction", parallel.CommunicationSeconds / seconds, options.Steps);
            }
        }

        network.eval();
        if (average is not null) network.Dispose();
        context.State.SetModel(options.Model, new TrainedModel(average?.Network ?? network, schedule, spec));
        context.State.SetCondition(options.Model, options.LowResScale > 0 ? LowResolutionCondition.Describe(options.LowResScale, options.LowResUpsample) : null);
    }

    /// <summary>
    /// A folder where every rank of a data-parallel run also writes its own copy of each checkpoint (RANK/…): for checking
    /// that the ranks hold the same state.
    /// </summary>
    public const string RankStateVariable = "DIFFUSION_RANK_STATE_DIR";

    /// <summary>Items per optimizer step over all ranks.</summary>
    private long GlobalBatch(DataParallel parallel) => (long)options.BatchSize * options.GradAccumulation * parallel.Size;

    private void RecordDistribution(DataParallel parallel, IRunContext context)
    {
        context.Tracker.LogParam($"{context.StageName}.global_batch", GlobalBatch(parallel));
        context.Logger.LogInformation("data-parallel over {Ranks} ranks: {PerRank} items per rank, global batch {Global}",
            parallel.Size, options.BatchSize * options.GradAccumulation, GlobalBatch(parallel));
    }

    /// <summary><paramref name="conditioning"/> with the low-resolution copy of <paramref name="x0"/> concatenated, when <c>low_res_scale</c> is on.</summary>
    private Conditioning? Condition(Tensor x0, Conditioning? conditioning) =>
        options.LowResScale > 0
            ? (conditioning ?? new Conditioning()) with { Concat = LowResolutionCondition.Of(x0, options.LowResScale, options.LowResUpsample) }
            : conditioning;

    private void CheckLowResolution(DataSpec spec)
    {
        if (options.LowResScale == 0) return;
        if (spec.Kind != "image" || spec.ItemShape.Length != 3)
            throw new PluginInputException($"low_res_scale conditions on a smaller copy of each image, but component '{options.Data}' provides {spec.Kind} data: use an image modality or set low_res_scale: 0");
        if (spec.ItemShape[1] % options.LowResScale != 0 || spec.ItemShape[2] % options.LowResScale != 0)
            throw new PluginInputException(
                $"low_res_scale {options.LowResScale} must divide the image size ({spec.ItemShape[1]}x{spec.ItemShape[2]}): change image_size or low_res_scale");
    }

    /// <summary>
    /// One optimizer step over <c>grad_accumulation</c> micro-batches; returns the mean loss, a one-element tensor on the
    /// device in the caller's dispose scope. A non-finite loss or gradient skips the step (weights, optimizer state and
    /// average untouched) and returns null. The only host read is the guard's one finiteness check.
    /// </summary>
    private Tensor? TrainStep(DenoiserModule network, optim.Optimizer optimizer, double lr, ModalityData data, DataSpec spec,
        NoiseSchedule schedule, ITokenSampler? tokens, Generator generator, IRunContext context, long step, NonFiniteGuard guard, DataParallel parallel)
    {
        using var scope = NewDisposeScope();
        generator.manual_seed((long)SampleGenerators.Mix((ulong)context.Seed, (ulong)step));
        ulong global = SampleGenerators.Mix((ulong)context.Seed ^ 0x5eed, (ulong)step);
        manual_seed((long)(parallel.Size == 1 ? global : SampleGenerators.Mix(global, (ulong)parallel.Rank))); // dropout and other global draws: per rank

        // Every rank draws the step's whole global batch (items, timesteps, noise) from the (seed, step) stream and keeps
        // its own contiguous slice, so example j of a step is the same whichever rank trains on it (docs/distributed.md).
        int micro = options.GradAccumulation;
        int perRank = options.BatchSize * micro;
        var batch = TrainingBatch.Draw(data, spec, schedule, perRank * parallel.Size, options, generator, context.Device);
        if (parallel.Size > 1)
        {
            batch = batch.Slice((long)parallel.Rank * perRank, perRank);
            // A token objective draws its masking from the generator as it goes: each rank continues on a stream of its own.
            if (tokens is not null) generator.manual_seed((long)SampleGenerators.Mix(SampleGenerators.Mix((ulong)context.Seed, (ulong)step), 1 + (ulong)parallel.Rank));
        }
        foreach (var group in optimizer.ParamGroups) group.LearningRate = lr;
        optimizer.zero_grad();
        precision?.LoadWeights();
        Tensor? total = null;
        for (int m = 0; m < micro; m++)
        {
            var part = batch.Slice((long)m * options.BatchSize, options.BatchSize);
            var conditioning = part.Conditioning(spec.NumClasses);
            Tensor loss;
            if (tokens is not null)
            {
                loss = tokens.Loss(part.X0, spec, (xt, t) => Forward(network, xt, t, conditioning), generator).mean();
            }
            else
            {
                var xt = schedule.AddNoise(part.X0, part.Noise, part.T);
                var target = schedule.TrainingTarget(part.X0, part.Noise, part.T);
                var output = Forward(network, xt, part.T.to_type(ScalarType.Float32), Condition(part.X0, conditioning));
                loss = LossWeights.Loss(output, target, LossWeights.For(options.LossWeighting, options.SnrGamma, schedule, part.T));
            }
            Backward(micro == 1 ? loss : loss / micro);
            total = total is null ? loss.detach() : total + loss.detach();
        }
        var meanLoss = parallel.AverageGradients(network.parameters(), micro == 1 ? total! : total! / micro);
        var packed = optimizer as AdamW; // its gradients live in one buffer after the first step
        var gradients = packed?.Gradients() ?? DeviceClip.Gradients(network.parameters());
        var norm = DeviceClip.TotalNorm(gradients);
        var finite = guard.Read(meanLoss, norm); // the step's one host read
        if (precision?.Overflowed(step + 1, finite, context.Tracker, context.Logger) == true)
        {
            optimizer.zero_grad(); // an fp16 overflow: skipped, the loss scale halved (not a NaN for the guard)
            return null;
        }
        if (!guard.Accept(step + 1, finite, meanLoss, norm))
        {
            optimizer.zero_grad();
            return null;
        }
        if (options.GradClip > 0) DeviceClip.Clip(packed?.GradientBuffers() ?? gradients, norm, options.GradClip);
        optimizer.step();
        return scope.MoveToOuter(meanLoss);
    }

    /// <summary>The trainer state with the fp16 loss scale, which a resumed run continues from.</summary>
    private TrainerState Scaled(TrainerState state) => precision?.WithScale(state) ?? state;

    /// <summary>The network's output, from its low-precision copy (output in float32) under mixed precision.</summary>
    private Tensor Forward(DenoiserModule network, Tensor x, Tensor t, Conditioning? conditioning) =>
        precision is null ? network.forward(x, t, conditioning) : precision.Forward(x, t, conditioning);

    /// <summary>The backward pass; under mixed precision into the low-precision copy, its gradients added to the master's.</summary>
    private void Backward(Tensor loss)
    {
        if (precision is null) loss.backward();
        else precision.Backward(loss);
    }

    /// <summary>
    /// The token sampler whose own objective (a NELBO) replaces the mean squared error on token data, or null for
    /// continuous data; a sampler that does not match the data is a pipeline mistake.
    /// </summary>
    private ITokenSampler? TokenObjective(ISampler sampler, DataSpec spec)
    {
        bool discrete = spec.VocabSize > 0 && spec.ItemShape.Length == 1;
        if (sampler is ITokenSampler tokens)
        {
            if (!discrete)
                throw new PluginInputException(
                    $"sampler '{options.Sampler}' models token data, but '{options.Data}' provides {spec.Kind} data [{string.Join(", ", spec.ItemShape)}]; use a continuous sampler such as ddpm");
            if (options.LossWeighting != LossWeighting.Uniform || options.NoiseOffset > 0)
                throw new PluginInputException(
                    $"sampler '{options.Sampler}' trains on its own NELBO; loss_weighting and noise_offset apply to continuous data only: remove them");
            return tokens;
        }
        if (discrete)
            throw new PluginInputException(
                $"'{options.Data}' provides token data (vocabulary {spec.VocabSize}), which needs a token sampler such as mdlm or d3pm-uniform; sampler '{options.Sampler}' is for continuous data");
        return null;
    }

    /// <summary>
    /// Copies the network an earlier stage left for this component (a compress stage's pruned or masked network) into
    /// <paramref name="network"/>, resizing its layers to match; true when any layer's shape changed.
    /// </summary>
    private bool StartFromPrevious(DenoiserModule network, IRunContext context)
    {
        var previous = StageHelpers.TrainedModel(context, options.Model).Network;
        var state = previous.state_dict();
        var changed = NetworkShapes.AdoptShapes(network, state);
        var own = network.state_dict();
        using (no_grad())
        {
            foreach (var (name, target) in own)
            {
                if (!state.TryGetValue(name, out var source) || !source.shape.SequenceEqual(target.shape))
                    throw new PluginInputException($"init_from_previous: the network an earlier stage left for '{options.Model}' has no tensor '{name}' of shape [{string.Join(", ", target.shape)}]; it must come from the same denoiser component");
                target.copy_(source);
            }
        }
        context.Logger.LogInformation("'{Stage}' starts from the network an earlier stage left for '{Model}'{Resized}", context.StageName, options.Model,
            changed.Count > 0 ? $" ({changed.Count} tensors resized: a pruned architecture)" : "");
        return changed.Count > 0;
    }

    private void LoadInitialWeights(string path, DenoiserModule network, NoiseSchedule schedule, IRunContext context)
    {
        string full = Path.GetFullPath(path);
        if (!File.Exists(full))
            throw new PluginInputException($"init_from: {full} does not exist; give a safetensors weights file (a checkpoint's model.safetensors or a 'diffusion export' file)");
        var stored = CheckpointIO.LoadWeights(full, network);
        if (CheckpointIO.PredictionMismatch(full, stored, schedule, options.Sampler) is { } mismatch)
        {
            // Training on converts the model to the new parameterization (worth a warning); using it as it is reads its output wrongly.
            if (options.Steps == 0) throw new PluginInputException($"init_from: {mismatch}");
            context.Logger.LogWarning("init_from: {Mismatch} (or train on: the {Steps} steps re-learn the output as the sampler reads it)", mismatch, options.Steps);
        }
        context.Logger.LogInformation("'{Stage}' starts from the weights in {Path}", context.StageName, full);
    }

    /// <summary>Logs the parameter count and the MACs of a forward pass on one item (a training item at the middle timestep).</summary>
    private void RecordSize(DenoiserModule network, ModalityData data, NoiseSchedule schedule, IRunContext context)
    {
        long parameters = network.parameters().Sum(p => p.numel());
        long macs;
        using (NewDisposeScope())
        {
            var x = data.Items.narrow(0, 0, 1).to(context.Device);
            var t = full([1], schedule.Timesteps / 2, dtype: ScalarType.Float32, device: context.Device);
            try
            {
                macs = MacCounter.Count(network, x, t, Condition(x, data.ItemConditioning(0, 1, context.Device)));
            }
            catch (ArgumentException e) when (options.LowResScale > 0)
            {
                throw new PluginInputException(
                    $"low_res_scale feeds {x.shape[1]} extra input channel(s) (the upsampled low-resolution image) to '{options.Model}', which does not take them: " +
                    $"set extra_in_channels: {x.shape[1]} on it ({e.Message})", e);
            }
        }
        context.Tracker.LogParam($"model.{options.Model}.parameters", parameters);
        context.Tracker.LogParam($"model.{options.Model}.macs", macs);
        context.Logger.LogInformation("training '{Model}' ({Parameters:N0} parameters, {Macs:N0} MACs per item) on {Count} items for {Steps} steps on {Device}",
            options.Model, parameters, macs, data.Count, options.Steps, context.Device.type.ToString().ToLowerInvariant());
    }

    private void WarnAboutUnusedOptions(ModalityData data, DataSpec spec, IRunContext context)
    {
        bool conditioned = (data.Labels is not null && spec.NumClasses > 0) || data.ConditionTokens is not null || data.ConditionImages is not null;
        if (options.CondDropout > 0 && !conditioned)
            context.Logger.LogWarning("cond_dropout is {P}, but '{Data}' has no class labels, condition tokens or condition images: there is no condition to drop",
                options.CondDropout, options.Data);
        if (options.LrSchedule == LrSchedule.Constant && options.MinLr > 0)
            context.Logger.LogWarning("min_lr is only used by lr_schedule: cosine");
    }

    /// <summary>The weight average, restored from the checkpoint being resumed when it has one.</summary>
    private WeightAverage CreateAverage(IDenoiser denoiser, DataSpec spec, DenoiserModule network, IRunContext context)
    {
        var copy = denoiser.Build(spec);
        copy.to(context.Device);
        NetworkShapes.AdoptShapes(copy, network.state_dict()); // a pruned network's average has its shapes and masks
        var average = new WeightAverage(network, copy, options.EmaDecay);
        if (context.ResumeCheckpoint is { } folder)
        {
            var checkpoint = new Checkpoint(folder, 0);
            if (File.Exists(checkpoint.EmaPath)) CheckpointIO.LoadWeights(checkpoint.EmaPath, average.Network);
            else context.Logger.LogWarning("{Folder} has no EMA weights; the average restarts from the resumed weights", folder);
        }
        return average;
    }

    private static void SaveCheckpoint(IRunContext context, DenoiserModule network, WeightAverage? average, optim.Optimizer optimizer, TrainerState state,
        DataParallel parallel)
    {
        if (parallel.Size > 1)
        {
            // Every rank holds the same state (a test compares them); rank 0 alone writes it.
            string digest = parallel.CheckSameState(network, average?.Network, optimizer, state.Step);
            if (Environment.GetEnvironmentVariable(RankStateVariable) is { Length: > 0 } dump)
                CheckpointIO.Save(Checkpoint.For(Path.Combine(Path.GetFullPath(dump), $"rank-{parallel.Rank}"), context.StageName, state.Step),
                    network, average?.Network, optimizer, state);
            if (parallel.Rank != 0) return;
            context.Tracker.SetTag($"{context.StageName}.state_sha256", digest);
        }
        var checkpoint = Checkpoint.For(context.Artifacts.Root, context.StageName, state.Step);
        CheckpointIO.Save(checkpoint, network, average?.Network, optimizer, state);
        foreach (string file in Directory.EnumerateFiles(checkpoint.Folder))
            context.Artifacts.Record(Path.GetRelativePath(context.Artifacts.Root, file), "checkpoint");
    }
}
