namespace Diffusion.Stages.Distillation;

/// <summary>
/// The pieces both distillation methods share, in the variance-preserving x_t = √ᾱ·x0 + √(1 − ᾱ)·ε of any schedule (a
/// flow model's input is converted by <see cref="NoiseSchedule.ModelInput"/>, its output read by <see cref="NoiseSchedule.Split"/>):
/// a model's (guided) output, and the deterministic DDIM step, the first-order solver of the probability-flow ODE that
/// the teacher takes. A timestep of −1 stands for the clean end of the ODE (ᾱ = 1).
/// </summary>
internal static class OdeSteps
{
    /// <summary>x_t for clean items, noise and per-item timesteps (long or float, [B], none −1).</summary>
    public static Tensor Noised(NoiseSchedule schedule, Tensor x0, Tensor noise, Tensor t)
    {
        var ab = schedule.AlphaBarAt(t, x0);
        return ab.sqrt() * x0 + (1 - ab).sqrt() * noise;
    }

    /// <summary>
    /// The raw output of <paramref name="network"/> at x_t and timesteps <paramref name="t"/> [B]; with
    /// <paramref name="guidance"/> and a condition, the classifier-free guided output (w fixed).
    /// </summary>
    public static Tensor Output(DenoiserModule network, NoiseSchedule schedule, Tensor xt, Tensor t, Conditioning? conditioning, ClassifierFreeGuidance? guidance)
    {
        var input = schedule.ModelInput(xt, t);
        var tf = t.to_type(ScalarType.Float32);
        if (guidance is null || conditioning is null) return network.forward(input, tf, conditioning);
        var conditional = network.forward(input, tf, conditioning);
        var unconditional = network.forward(input, tf, guidance.Unconditional(conditioning, xt.shape[0], xt.device));
        return guidance.Combine(conditional, unconditional);
    }

    /// <summary>ᾱ at per-item timesteps, 1 where the timestep is −1 (the clean end).</summary>
    public static Tensor AlphaBar(NoiseSchedule schedule, Tensor t, Tensor like)
    {
        var ab = schedule.AlphaBarAt(t.clamp_min(0), like);
        var clean = (t < 0).to_type(like.dtype).reshape(ab.shape);
        return ab * (1 - clean) + clean;
    }

    /// <summary>
    /// One deterministic DDIM step from x_t at <paramref name="t"/> to <paramref name="next"/> (−1: the clean estimate)
    /// given the model's raw <paramref name="output"/> there: √ᾱ_next·x̂0 + √(1 − ᾱ_next)·ε̂. With <paramref name="clip"/> &gt; 0,
    /// x̂0 is clipped to [−clip, clip] first and ε̂ recomputed from it (the <c>ddim</c> sampler's <c>clip_sample</c>).
    /// </summary>
    public static Tensor Ddim(NoiseSchedule schedule, Tensor xt, Tensor t, Tensor next, Tensor output, double clip = 0)
    {
        var (x0, eps) = schedule.Split(xt, t, output);
        if (clip > 0)
        {
            x0 = x0.clamp(-clip, clip);
            var abT = AlphaBar(schedule, t, xt);
            eps = (xt - abT.sqrt() * x0) / (1 - abT).sqrt().clamp_min(1e-10);
        }
        var ab = AlphaBar(schedule, next, xt);
        return ab.sqrt() * x0 + (1 - ab).sqrt() * eps;
    }
}
