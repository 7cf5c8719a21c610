namespace Diffusion.Samplers.Consistency;

/// <summary>
/// Multistep consistency sampling (Song et al. 2023, algorithm 1) for a model trained by the <c>distill</c> stage with
/// <c>method: consistency</c>: x̂0 = f(x, t_1) from the noise; then for each later timestep t_i the estimate is noised
/// again to t_i with fresh noise and mapped back, x̂0 = f(√ᾱ·x̂0 + √(1 − ᾱ)·z, t_i). The timesteps run up to σ = 80
/// (<see cref="ConsistencyFunction.MaxTimestep"/>); the noise is taken as x_t there (its signal √ᾱ ≤ 0.0125). One network evaluation per step;
/// 1 step is the one-shot sample. f is <see cref="ConsistencyFunction"/>. On a model not trained as a consistency
/// model it still runs, but the samples are poor: use ddim or another solver for those.
/// </summary>
[Plugin(PluginKind.Sampler, "consistency", Options = typeof(ConsistencyOptions),
    Description = "Multistep consistency sampling for consistency-distilled models (1-8 steps; 1 evaluation per step).")]
public sealed class ConsistencySampler(ConsistencyOptions options) : ISampler
{
    private readonly ConsistencyOptions _options = options;

    /// <inheritdoc />
    public NoiseSchedule CreateSchedule() => _options.ToSchedule();

    /// <inheritdoc />
    public Tensor Sample(Tensor noise, ISamplingContext context)
    {
        var schedule = context.Schedule;
        int[] timesteps = _options.TimestepSpacing == TimestepSpacing.Trailing
            ? ConsistencyFunction.Timesteps(schedule, context.Steps) // the grid the distill stage trains on
            : SamplingTimesteps.Select(ConsistencyFunction.MaxTimestep(schedule) + 1, context.Steps, _options.TimestepSpacing);
        using var noGrad = no_grad();
        using var run = NewDisposeScope();
        // The loop starts from the noise as x_t at the first timestep (√(1 − ᾱ) ≈ 1 there), as ddim does and as the stage trains.
        var x = noise.alias();
        Tensor? estimate = null;
        for (int i = 0; i < timesteps.Length; i++)
        {
            using var scope = NewDisposeScope();
            int t = timesteps[i];
            if (i > 0)
            {
                double ab = schedule.AlphasCumprod[t];
                x = estimate! * Math.Sqrt(ab) + context.RandnLike(estimate!) * Math.Sqrt(1 - ab);
            }
            var shared = TimestepTensors.Shared(x, t);
            var output = context.Predict(schedule.ModelInput(x, shared), TimestepTensors.Batch(x, t)).to_type(x.dtype);
            var next = ConsistencyFunction.Apply(schedule, x, shared, output);
            if (_options.ClipSample) next = next.clamp(-_options.ClipRange, _options.ClipRange);
            estimate = scope.MoveToOuter(next);
            context.OnStep(i + 1, timesteps.Length);
        }
        return run.MoveToOuter(estimate!);
    }
}
