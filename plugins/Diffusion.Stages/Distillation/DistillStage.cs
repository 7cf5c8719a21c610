using System.Diagnostics;
using System.Globalization;
using Diffusion.Stages.Checkpoints;
using Diffusion.Stages.Training;
using TorchSharp;

namespace Diffusion.Stages.Distillation;

/// <summary>
/// Distils a trained denoiser (the teacher: an earlier stage's model or init_from) into a student of the same
/// architecture, initialised from the teacher, that samples in a few steps: consistency distillation
/// (<see cref="ConsistencyDistiller"/>; sample with <c>consistency</c>) or progressive distillation
/// (<see cref="ProgressiveDistiller"/>, rounds halving the steps; sample with <c>ddim</c>, <c>timestep_spacing: trailing</c>).
/// A guidance scale distils the teacher's classifier-free guidance into the student. The student replaces the model
/// for later stages and is saved as the stage's checkpoint (<c>checkpoints/STAGE/step-N/model.safetensors</c>, so
/// <c>diffusion export --stage STAGE</c> writes it). Records <c>distill/loss</c> and, for progressive rounds,
/// <c>distill/round_loss</c> and <c>distill/student_steps</c> at step r for round r.
/// </summary>
[Plugin(PluginKind.Stage, "distill", Options = typeof(DistillStageOptions),
    Description = "Distils a trained denoiser into a few-step student (consistency or progressive distillation).")]
public sealed class DistillStage(DistillStageOptions options) : IStage
{
    /// <inheritdoc />
    public void Run(IRunContext context)
    {
        var modality = context.Component<IModality>(options.Data);
        var denoiser = context.Component<IDenoiser>(options.Model);
        if (context.Component<ISampler>(options.Sampler) is ITokenSampler)
            throw new PluginInputException($"the distill stage distils continuous denoisers; sampler '{options.Sampler}' is a token sampler");
        var (teacher, schedule, spec) = Teacher(context, denoiser, modality);
        using var data = modality.Load(DataSplit.Train);
        if (data.Count == 0) throw new PluginInputException($"component '{options.Data}' loaded no training items");
        if (!data.Items.shape[1..].SequenceEqual(spec.ItemShape))
            throw new PluginInputException(
                $"'{options.Data}' provides items of shape [{string.Join(", ", data.Items.shape[1..])}] but the teacher '{options.Model}' was trained on [{string.Join(", ", spec.ItemShape)}]");
        var guidance = Guidance(data, spec);
        Freeze(teacher);

        manual_seed((long)SampleGenerators.Mix((ulong)context.Seed, 0xd157));
        var student = Copy(denoiser, spec, teacher, context);
        var teacherSchedule = schedule;
        schedule = StudentSchedule(schedule, context);
        double clip = options.ClipSample ? options.ClipRange : 0;
        var clock = Stopwatch.StartNew();
        long evaluations = 0; // teacher network evaluations, for the cost in teacher-training terms
        if (options.Method == DistillMethod.Consistency)
        {
            using var target = Copy(denoiser, spec, teacher, context);
            Freeze(target);
            var distiller = new ConsistencyDistiller(teacher, teacherSchedule, student, target, schedule, options.SolverSteps, options.TargetDecay, guidance, clip);
            context.Logger.LogInformation("distill: consistency distillation of '{Model}' over a {N}-step DDIM grid, {Steps} steps (EMA target {Decay}){Guided}",
                options.Model, options.SolverSteps, options.Steps, options.TargetDecay, guidance is null ? "" : $", guidance w = {options.GuidanceScale} distilled in");
            Train(student, data, spec, schedule, context, context.StageName, 0, (x0, c, g) => distiller.Loss(x0, c, g), distiller.UpdateTarget);
            evaluations = (long)options.Steps * options.BatchSize * (guidance is null ? 1 : 2);
        }
        else
        {
            int round = 0;
            for (int steps = options.TeacherSteps / 2; steps >= options.StudentSteps; steps /= 2, round++)
            {
                if (round > 0)
                {
                    // The last round's student is this round's teacher; the new student starts from it.
                    teacher.Dispose();
                    teacher = student;
                    Freeze(teacher);
                    student = Copy(denoiser, spec, teacher, context);
                    teacherSchedule = schedule;
                }
                var distiller = new ProgressiveDistiller(teacher, teacherSchedule, student, schedule, steps, guidance, clip);
                context.Logger.LogInformation("distill: progressive round {Round}: {Teacher} teacher steps -> {Student} student steps ({Steps} optimizer steps)",
                    round + 1, 2 * steps, steps, options.Steps);
                double loss = Train(student, data, spec, schedule, context, $"{context.StageName} {2 * steps}->{steps}", (long)round * options.Steps,
                    (x0, c, g) => distiller.Loss(x0, c, g), null);
                context.Tracker.LogMetric("distill/round_loss", loss, round + 1);
                context.Tracker.LogMetric("distill/student_steps", steps, round + 1);
                evaluations += (long)options.Steps * options.BatchSize * 2 * (guidance is null ? 1 : 2);
            }
        }
        teacher.Dispose();
        double seconds = clock.Elapsed.TotalSeconds;
        context.Tracker.LogMetric("distill/seconds", seconds, 0);
        context.Tracker.LogMetric("distill/teacher_evaluations", evaluations, 0);
        student.eval();
        foreach (var p in student.parameters()) p.requires_grad = false;
        long total = options.Method == DistillMethod.Consistency ? options.Steps : (long)options.Steps * Rounds;
        var checkpoint = Checkpoint.For(context.Artifacts.Root, context.StageName, total);
        CheckpointIO.Save(checkpoint, student, null, null, new TrainerState(total, schedule, spec, context.Seed, false));
        foreach (string file in Directory.EnumerateFiles(checkpoint.Folder))
            context.Artifacts.Record(Path.GetRelativePath(context.Artifacts.Root, file), "checkpoint");
        context.Tracker.SetTag($"{context.StageName}.method", OptionNames.EnumValueName(options.Method));
        context.Tracker.SetTag($"{context.StageName}.student_sampler", options.Method == DistillMethod.Consistency
            ? "consistency"
            : $"ddim (timestep_spacing: trailing) at {options.StudentSteps.ToString(CultureInfo.InvariantCulture)} steps");
        context.State.SetModel(options.Model, new TrainedModel(student, schedule, spec));
    }

    /// <summary>
    /// The student's schedule: the teacher's betas with the prediction type <c>student_prediction</c> asks for. An ε
    /// network's clean estimate (x_t − √(1 − ᾱ)·ε̂)/√ᾱ multiplies its error by 1/√ᾱ (2·10⁴ at a cosine schedule's last
    /// timestep, where the progressive grid starts; 80 where the consistency grid starts), so the student of an ε teacher
    /// predicts v, whose estimate √ᾱ·x_t − √(1 − ᾱ)·v̂ is bounded at every noise level (Salimans and Ho 2022, section 4).
    /// </summary>
    private NoiseSchedule StudentSchedule(NoiseSchedule teacher, IRunContext context)
    {
        bool toV = options.StudentPrediction switch
        {
            StudentPrediction.VPrediction => true,
            StudentPrediction.Auto => teacher.Prediction == PredictionType.Epsilon,
            _ => false,
        };
        if (!toV || teacher.Prediction == PredictionType.VPrediction) return teacher;
        if (teacher.IsFlow)
            throw new PluginInputException(
                $"student_prediction: v_prediction needs a diffusion teacher, but '{options.Model}' is a rectified-flow model (its velocity output is already bounded): set student_prediction: same");
        context.Logger.LogInformation("distill: the student predicts v (the teacher predicts {Prediction}); later stages of this run read it so, and a pipeline that loads its checkpoint with init_from sets prediction_type: v_prediction",
            OptionNames.EnumValueName(teacher.Prediction));
        context.Tracker.SetTag($"{context.StageName}.student_prediction", "v_prediction");
        return NoiseSchedule.FromBetas(teacher.Betas.ToArray(), PredictionType.VPrediction, teacher.Kind);
    }

    /// <summary>Progressive rounds from teacher_steps down to student_steps.</summary>
    private int Rounds => (int)Math.Round(Math.Log2((double)options.TeacherSteps / options.StudentSteps));

    /// <summary>Trains the student; returns the mean loss of the last tenth of the steps.</summary>
    private double Train(DenoiserModule student, ModalityData data, DataSpec spec, NoiseSchedule schedule, IRunContext context, string label, long offset,
        Func<Tensor, Conditioning?, Generator, Tensor> loss, Action? afterStep)
    {
        using var optimizer = optim.Adam(student.parameters(), options.Lr);
        var trainOptions = new TrainStageOptions { BatchSize = options.BatchSize };
        student.train();
        double tail = 0;
        int tailCount = 0;
        using var progress = context.Progress.Start(label, options.Steps);
        using var generator = new Generator(0, CPU);
        var learningRate = new LearningRate(options.Lr, 0, options.LrSchedule, 0, options.Steps);
        for (long step = 0; step < options.Steps; step++)
        {
            foreach (var group in optimizer.ParamGroups) group.LearningRate = learningRate.At(step);
            context.Cancellation.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            long global = offset + step;
            generator.manual_seed((long)SampleGenerators.Mix((ulong)context.Seed ^ 0xd157, (ulong)global));
            var batch = TrainingBatch.Draw(data, spec, schedule, options.BatchSize, trainOptions, generator, context.Device);
            optimizer.zero_grad();
            var value = loss(batch.X0, batch.Conditioning(spec.NumClasses), generator);
            value.backward();
            double v = value.item<float>();
            if (!double.IsFinite(v))
                throw new PluginInputException($"distill: the loss is {v} at step {step + 1}; lower lr (now {options.Lr})");
            if (options.GradClip > 0) DeviceClip.Clip(student.parameters(), options.GradClip);
            optimizer.step();
            afterStep?.Invoke();
            context.Tracker.LogMetric("distill/loss", v, global + 1);
            progress.Report(step + 1, $"loss {v:0.00000}");
            if (step >= options.Steps - Math.Max(1, options.Steps / 10)) { tail += v; tailCount++; }
        }
        student.eval();
        return tail / Math.Max(tailCount, 1);
    }

    /// <summary>The teacher (network, schedule, data spec): an earlier stage's model, or built and loaded from init_from.</summary>
    private (DenoiserModule Network, NoiseSchedule Schedule, DataSpec Spec) Teacher(IRunContext context, IDenoiser denoiser, IModality modality)
    {
        if (options.InitFrom is null)
        {
            var model = StageHelpers.TrainedModel(context, options.Model);
            // A copy: the earlier stage's network stays as it was (a later stage may still compare against it).
            var copy = Copy(denoiser, model.Data, model.Network, context);
            return (copy, model.Schedule, model.Data);
        }
        var spec = modality.Spec;
        var network = denoiser.Build(spec);
        var schedule = context.Component<ISampler>(options.Sampler).CreateSchedule();
        string path = Path.GetFullPath(options.InitFrom);
        string? mismatch;
        try
        {
            mismatch = CheckpointIO.PredictionMismatch(path, CheckpointIO.LoadWeights(path, network), schedule, options.Sampler);
        }
        catch (CheckpointMismatchException e)
        {
            network.Dispose();
            throw new PluginInputException($"init_from: {e.Message}; give the weights of a '{options.Model}' built as in this pipeline", e);
        }
        if (mismatch is not null)
        {
            network.Dispose();
            throw new PluginInputException($"init_from: {mismatch}");
        }
        network.to(context.Device);
        context.Logger.LogInformation("distill: teacher weights from {Path}", path);
        return (network, schedule, spec);
    }

    private ClassifierFreeGuidance? Guidance(ModalityData data, DataSpec spec)
    {
        if (options.GuidanceScale == 0) return null;
        bool conditioned = (data.Labels is not null && spec.NumClasses > 0) || data.ConditionTokens is not null;
        if (!conditioned)
            throw new PluginInputException(
                $"guidance_scale {options.GuidanceScale} distils classifier-free guidance, but '{options.Data}' has no class labels or condition tokens: set guidance_scale: 0");
        return new ClassifierFreeGuidance(options.GuidanceScale, 0, spec.NumClasses);
    }

    /// <summary>A new network of the denoiser's architecture holding <paramref name="source"/>'s weights (and shapes).</summary>
    private static DenoiserModule Copy(IDenoiser denoiser, DataSpec spec, DenoiserModule source, IRunContext context)
    {
        var copy = denoiser.Build(spec);
        var state = source.state_dict();
        NetworkShapes.AdoptShapes(copy, state);
        copy.to(context.Device);
        using (no_grad())
        {
            foreach (var (name, target) in copy.state_dict()) target.copy_(state[name]);
        }
        return copy;
    }

    private static void Freeze(DenoiserModule network)
    {
        network.eval();
        foreach (var p in network.parameters()) p.requires_grad = false;
    }
}
