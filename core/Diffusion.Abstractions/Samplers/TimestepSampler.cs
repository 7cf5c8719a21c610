using static TorchSharp.torch;

namespace Diffusion.Abstractions.Samplers;

/// <summary>
/// The loop a sampler over the training timesteps shares (ddpm, ddim): the timesteps picked by
/// <see cref="TimestepSamplerOptions.TimestepSpacing"/>, one model evaluation a step turned into x̂0 and ε by the schedule,
/// one dispose scope a step (only x outlives it), progress and cancellation through
/// <see cref="ISamplingContext.OnStep"/> after each step. A subclass writes only <see cref="Step"/>. All state lives in
/// locals of <see cref="Sample"/>, so one instance serves concurrent sampling.
/// </summary>
/// <typeparam name="TOptions">The sampler's options.</typeparam>
public abstract class TimestepSampler<TOptions>(TOptions options) : ISampler where TOptions : TimestepSamplerOptions
{
    /// <summary>The sampler's options.</summary>
    protected TOptions Options { get; } = options;

    /// <inheritdoc />
    public NoiseSchedule CreateSchedule() => Options.ToSchedule();

    /// <inheritdoc />
    public Tensor Sample(Tensor noise, ISamplingContext context)
    {
        int[] timesteps = Timesteps(context);
        using var noGrad = no_grad();
        using var run = NewDisposeScope();
        var x = noise.alias();
        for (int i = 0; i < timesteps.Length; i++)
        {
            using var scope = NewDisposeScope();
            var (x0, eps) = Estimate(context, x, timesteps[i]);
            var next = scope.MoveToOuter(Step(new TimestepStep(context, timesteps, i, x, x0, eps)));
            x.Dispose();
            x = next;
            context.OnStep(i + 1, timesteps.Length);
        }
        return run.MoveToOuter(x);
    }

    /// <summary>
    /// One step from x_t to x at <see cref="TimestepStep.Previous"/> (the clean sample on the last step), inside the
    /// step's dispose scope. It returns the new x, a new tensor (not <see cref="TimestepStep.X"/> itself).
    /// </summary>
    protected abstract Tensor Step(TimestepStep step);

    /// <summary>The training timesteps <see cref="Sample"/> visits, noisiest first.</summary>
    protected int[] Timesteps(ISamplingContext context) =>
        SamplingTimesteps.Select(context.Schedule.Timesteps, context.Steps, Options.TimestepSpacing);

    /// <summary>One model evaluation at training timestep <paramref name="t"/>: the estimates of x0 and ε, in the dtype of x.</summary>
    protected static (Tensor X0, Tensor Eps) Estimate(ISamplingContext context, Tensor x, int t)
    {
        var shared = TimestepTensors.Shared(x, t);
        var output = context.Predict(context.Schedule.ModelInput(x, shared), TimestepTensors.Batch(x, t)).to_type(x.dtype);
        return context.Schedule.Split(x, shared, output);
    }
}
