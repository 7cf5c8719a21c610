using Diffusion.Stages.Training;

namespace Diffusion.Stages.Distillation;

/// <summary>Options of the <c>distill</c> stage.</summary>
public sealed class DistillStageOptions : IValidatableObject
{
    /// <summary>The denoiser component: the teacher is its trained model (or init_from); the student replaces it for later stages.</summary>
    [Required, ComponentRef(PluginKind.Denoiser), Description("Denoiser component: its trained model (or init_from) is the teacher; the student replaces it for later stages.")]
    public string Model { get; set; } = "";

    /// <summary>The training data (the noised points the ODE steps start from).</summary>
    [Required, ComponentRef(PluginKind.Modality), Description("Modality component with the training data.")]
    public string Data { get; set; } = "";

    /// <summary>The sampler whose schedule a teacher loaded with init_from was trained on.</summary>
    [Required, ComponentRef(PluginKind.Sampler), Description("Sampler component whose schedule a teacher from init_from was trained with.")]
    public string Sampler { get; set; } = "";

    /// <summary>Teacher weights (a checkpoint's ema/model.safetensors or a 'diffusion export' file) instead of an earlier stage's model.</summary>
    [ExistingPath(PathKind.File), Description("Teacher weights (safetensors) instead of the model an earlier stage trained.")]
    public string? InitFrom { get; set; }

    /// <summary>consistency or progressive.</summary>
    [Description("consistency (sample with the consistency sampler) or progressive (sample with ddim, timestep_spacing: trailing).")]
    public DistillMethod Method { get; set; } = DistillMethod.Consistency;

    /// <summary>Optimizer steps: in all for consistency distillation, per round for progressive.</summary>
    [Range(1, 100_000_000), Description("Optimizer steps (consistency: in all; progressive: per round).")]
    public int Steps { get; set; } = 1000;

    /// <summary>Items per step.</summary>
    [Range(1, 65536), Description("Items per step.")]
    public int BatchSize { get; set; } = 32;

    /// <summary>Learning rate (Adam).</summary>
    [Range(0.0, 10.0), Description("Learning rate (Adam) of the student.")]
    public double Lr { get; set; } = 1e-4;

    /// <summary>
    /// The learning rate over each progressive round (over all steps for consistency distillation): constant, or a half
    /// cosine from <c>lr</c> down to 0 at the round's last step, so each round ends with small steps.
    /// </summary>
    [Description("Learning rate over each progressive round (consistency: over all steps): constant, or cosine down to 0 at the round's end.")]
    public LrSchedule LrSchedule { get; set; } = LrSchedule.Cosine;

    /// <summary>Gradient norm clip (0 = off).</summary>
    [Range(0.0, 1e6), Description("Clip the student's gradient norm to this (0 = off).")]
    public double GradClip { get; set; } = 1.0;

    /// <summary>Consistency: timesteps of the teacher's ODE solver (DDIM, trailing spacing) between noise and data.</summary>
    [Range(2, 100_000), Description("Consistency: timesteps N of the teacher's DDIM solver grid.")]
    public int SolverSteps { get; set; } = 50;

    /// <summary>Consistency: EMA decay μ of the target network (the paper's CD uses 0.95 with a fixed N).</summary>
    [Range(0.0, 0.99999), Description("Consistency: EMA decay of the target network.")]
    public double TargetDecay { get; set; } = 0.95;

    /// <summary>Progressive: the teacher's DDIM steps the first round starts from (a power of two times student_steps).</summary>
    [Range(2, 100_000), Description("Progressive: DDIM steps of the teacher in the first round.")]
    public int TeacherSteps { get; set; } = 64;

    /// <summary>Progressive: the student's steps after the last round.</summary>
    [Range(1, 100_000), Description("Progressive: DDIM steps of the final student (rounds halve teacher_steps down to it).")]
    public int StudentSteps { get; set; } = 4;

    /// <summary>
    /// What the student predicts: <c>auto</c> (v for an ε teacher, whose x̂0 would otherwise multiply the network's error
    /// by up to 1/√ᾱ at the noisiest timestep; the teacher's type otherwise), <c>same</c> (the teacher's) or
    /// <c>v_prediction</c>. A v student is saved with <c>prediction_type: v_prediction</c>; a pipeline that loads it with
    /// init_from sets that on its sampler components.
    /// </summary>
    [Description("What the student predicts: auto (v for an epsilon teacher, the teacher's type otherwise), same, or v_prediction.")]
    public StudentPrediction StudentPrediction { get; set; } = StudentPrediction.Auto;

    /// <summary>
    /// Clip the teacher's x̂0 to [−clip_range, clip_range] at each of its DDIM steps (and recompute ε̂ from it), as the
    /// <c>ddim</c> sampler does by default: the student learns the path that sampler takes. Default true, for images in
    /// [−1, 1]; false for data not bounded by clip_range.
    /// </summary>
    [Description("Clip the teacher's x0 estimate to [-clip_range, clip_range] in its DDIM steps, as the ddim sampler does (default true; false for data not bounded by clip_range).")]
    public bool ClipSample { get; set; } = true;

    /// <summary>Bound used when <see cref="ClipSample"/> is set. Default 1.0 (images in [−1, 1]).</summary>
    [Range(1e-6, 1e6), Description("Bound of clip_sample (default 1.0: images in [-1, 1]).")]
    public double ClipRange { get; set; } = 1.0;

    /// <summary>
    /// Classifier-free guidance scale w distilled into the student (fixed w): the teacher's guided output is the target,
    /// so the student samples guided without an unconditional pass. 0: no guidance. Needs a class- or text-conditional
    /// teacher trained with cond_dropout.
    /// </summary>
    [Range(0.0, 100.0), Description("Guidance scale w of the teacher distilled into the student (fixed w; 0 = none).")]
    public double GuidanceScale { get; set; }

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Method == DistillMethod.Progressive)
        {
            int ratio = StudentSteps > 0 ? TeacherSteps / StudentSteps : 0;
            if (StudentSteps >= TeacherSteps || TeacherSteps % StudentSteps != 0 || (ratio & (ratio - 1)) != 0)
                yield return new ValidationResult(
                    $"teacher_steps ({TeacherSteps}) must be student_steps ({StudentSteps}) times a power of two, each round halving the steps: e.g. teacher_steps: 64, student_steps: 4",
                    [nameof(TeacherSteps)]);
        }
    }
}
