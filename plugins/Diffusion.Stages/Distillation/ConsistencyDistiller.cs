namespace Diffusion.Stages.Distillation;

/// <summary>
/// Consistency distillation (Song et al. 2023, algorithm 2): the ODE from noise to data is cut at <c>solver_steps</c>
/// timesteps t_1 > … > t_N (<see cref="ConsistencyFunction.Timesteps"/>: trailing spacing up to σ = 80) and the clean end; for a random adjacent pair the teacher takes one DDIM
/// step from x_{t_n} (the data noised to t_n) to x̂_{t_{n+1}}, and the student's consistency function at x_{t_n} is
/// pulled towards the EMA target network's at x̂_{t_{n+1}} (at the clean end the target is x̂ itself: f is the
/// identity there). f is <see cref="ConsistencyFunction"/>; the loss is the squared L2 distance. The teacher reads its
/// output with <paramref name="teacherSchedule"/>, the student and the target with <paramref name="schedule"/> (same betas;
/// the prediction types may differ); <paramref name="clip"/> &gt; 0 clips the teacher's x̂0 in its step (<see cref="OdeSteps.Ddim"/>).
/// </summary>
internal sealed class ConsistencyDistiller(DenoiserModule teacher, NoiseSchedule teacherSchedule, DenoiserModule student, DenoiserModule target,
    NoiseSchedule schedule, int solverSteps, double targetDecay, ClassifierFreeGuidance? guidance, double clip)
{
    /// <summary>The solver's timesteps, noisiest first; the clean end follows the last.</summary>
    public int[] Grid { get; } = ConsistencyFunction.Timesteps(schedule, solverSteps);

    /// <summary>The EMA target network (θ⁻).</summary>
    public DenoiserModule Target => target;

    /// <summary>The consistency loss of a batch of clean items (the graph reaches the student's parameters only).</summary>
    public Tensor Loss(Tensor x0, Conditioning? conditioning, Generator generator)
    {
        long b = x0.shape[0];
        var index = randint(0, Grid.Length, [b], dtype: ScalarType.Int64, generator: generator);
        var noise = randn(x0.shape, generator: generator).to(x0.device);
        using var grid = tensor(Grid.Select(g => (long)g).Append(-1L).ToArray(), dtype: ScalarType.Int64);
        var tHigh = grid.index_select(0, index).to(x0.device);
        var tLow = grid.index_select(0, index + 1).to(x0.device);
        var xHigh = OdeSteps.Noised(schedule, x0, noise, tHigh);
        Tensor goal;
        using (no_grad())
        {
            var teacherOut = OdeSteps.Output(teacher, teacherSchedule, xHigh, tHigh, conditioning, guidance);
            var xLow = OdeSteps.Ddim(teacherSchedule, xHigh, tHigh, tLow, teacherOut, clip);
            var tSafe = tLow.clamp_min(0);
            var targetOut = OdeSteps.Output(target, schedule, xLow, tSafe, conditioning, null);
            var fTarget = ConsistencyFunction.Apply(schedule, xLow, tSafe, targetOut);
            var clean = (tLow < 0).reshape([b, .. Enumerable.Repeat(1L, (int)x0.dim() - 1)]);
            goal = where(clean, xLow, fTarget).detach();
        }
        var studentOut = OdeSteps.Output(student, schedule, xHigh, tHigh, conditioning, null);
        var f = ConsistencyFunction.Apply(schedule, xHigh, tHigh, studentOut);
        return nn.functional.mse_loss(f, goal);
    }

    /// <summary>θ⁻ ← μ·θ⁻ + (1 − μ)·θ, after each optimizer step.</summary>
    public void UpdateTarget()
    {
        using var noGrad = no_grad();
        var source = student.state_dict();
        foreach (var (name, value) in target.state_dict())
        {
            if (!value.is_floating_point()) { value.copy_(source[name]); continue; }
            value.mul_(targetDecay).add_(source[name], alpha: 1 - targetDecay);
        }
    }
}
