namespace Diffusion.Stages.Distillation;

/// <summary>
/// One round of progressive distillation (Salimans and Ho 2022, algorithm 2): a student that samples with N
/// deterministic DDIM steps learns what the teacher does in 2N. The teacher's grid is the trailing spacing of 2N steps
/// u_0 > … > u_{2N−1} (then the clean end); the student's N-step trailing grid is every other point of it, so a
/// student step from u_{2i} to u_{2i+2} replaces the teacher's two steps through u_{2i+1}. The target is the x̂0 that
/// makes one DDIM step land where the teacher's two did; the loss on x̂0 is weighted by max(SNR, 1) ("truncated SNR").
/// The teacher reads its output with <paramref name="teacherSchedule"/> and the student with <paramref name="schedule"/>
/// (the same betas; the prediction types may differ: an ε teacher's student predicts v, see <see cref="DistillStageOptions.StudentPrediction"/>).
/// With <paramref name="clip"/> &gt; 0 the teacher's x̂0 is clipped to [−clip, clip] at each step and ε̂ recomputed from it,
/// as the <c>ddim</c> sampler does with <c>clip_sample</c>, so the student learns the path that sampler takes.
/// </summary>
internal sealed class ProgressiveDistiller(DenoiserModule teacher, NoiseSchedule teacherSchedule, DenoiserModule student, NoiseSchedule schedule, int studentSteps,
    ClassifierFreeGuidance? guidance, double clip)
{
    /// <summary>The teacher's grid (2N timesteps, noisiest first).</summary>
    public int[] TeacherGrid { get; } = SamplingTimesteps.Select(schedule.Timesteps, 2 * studentSteps, TimestepSpacing.Trailing);

    /// <summary>The student's grid (N timesteps): what <c>ddim</c> with <c>timestep_spacing: trailing</c> visits in N steps.</summary>
    public int[] StudentGrid { get; } = SamplingTimesteps.Select(schedule.Timesteps, studentSteps, TimestepSpacing.Trailing);

    /// <summary>The distillation loss of a batch of clean items.</summary>
    public Tensor Loss(Tensor x0, Conditioning? conditioning, Generator generator)
    {
        long b = x0.shape[0];
        var index = randint(0, StudentGrid.Length, [b], dtype: ScalarType.Int64, generator: generator);
        var noise = randn(x0.shape, generator: generator).to(x0.device);
        using var grid = tensor(TeacherGrid.Select(g => (long)g).Append(-1L).ToArray(), dtype: ScalarType.Int64);
        var t = grid.index_select(0, 2 * index).to(x0.device);
        var mid = grid.index_select(0, 2 * index + 1).to(x0.device);
        var next = grid.index_select(0, 2 * index + 2).to(x0.device);
        var xt = OdeSteps.Noised(schedule, x0, noise, t);
        Tensor goal;
        using (no_grad())
        {
            var xMid = OdeSteps.Ddim(teacherSchedule, xt, t, mid, OdeSteps.Output(teacher, teacherSchedule, xt, t, conditioning, guidance), clip);
            var xNext = OdeSteps.Ddim(teacherSchedule, xMid, mid, next, OdeSteps.Output(teacher, teacherSchedule, xMid, mid, conditioning, guidance), clip);
            goal = TargetX0(xt, t, next, xNext);
        }
        var x0Student = schedule.Split(xt, t, OdeSteps.Output(student, schedule, xt, t, conditioning, null)).X0;
        var ab = schedule.AlphaBarAt(t, x0);
        var weight = (ab / (1 - ab).clamp_min(1e-12)).clamp_min(1.0);
        return (weight * (x0Student - goal).square()).mean();
    }

    /// <summary>The x̂0 whose DDIM step from (x_t, t) lands on x_next at <paramref name="next"/>: (x_next − (σ_n/σ_t)·x_t) / (α_n − (σ_n/σ_t)·α_t).</summary>
    private Tensor TargetX0(Tensor xt, Tensor t, Tensor next, Tensor xNext)
    {
        var abT = schedule.AlphaBarAt(t, xt);
        var abN = OdeSteps.AlphaBar(schedule, next, xt);
        var ratio = (1 - abN).sqrt() / (1 - abT).sqrt();
        return (xNext - ratio * xt) / (abN.sqrt() - ratio * abT.sqrt());
    }
}
