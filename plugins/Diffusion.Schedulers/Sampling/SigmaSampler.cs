using Diffusion.Abstractions.Schedulers;
using TorchSharp;
using static TorchSharp.torch;

namespace Diffusion.Schedulers.Sampling;

/// <summary>
/// The loop every σ-space sampler shares: the noise levels for the requested steps, the start at the largest σ, one
/// dispose scope a step (only x and the sampler's history outlive it), progress after each step. A sampler supplies the
/// step itself. All state lives in locals of <see cref="Sample"/>, so one instance serves concurrent sampling.
/// </summary>
/// <typeparam name="TOptions">The sampler's options.</typeparam>
public abstract class SigmaSampler<TOptions>(TOptions options) : IScheduler where TOptions : SigmaSamplerOptions
{
    /// <summary>The sampler's options.</summary>
    protected TOptions Options { get; } = options;

    /// <inheritdoc />
    public NoiseSchedule CreateSchedule() => Options.ToSchedule();

    /// <summary>How many past model results a multistep method keeps (none for one-step methods).</summary>
    private protected virtual int HistoryLength => 0;

    /// <inheritdoc />
    public Tensor Sample(Tensor noise, ISamplingContext context)
    {
        var model = new SigmaDenoiser(context);
        double[] sigmas = SigmaSchedules.For(Options, context.Schedule, context.Steps);
        int steps = sigmas.Length - 1;
        using var noGrad = no_grad();
        using var run = NewDisposeScope();
        var history = new History(HistoryLength);
        var x = SigmaDenoiser.Start(noise, sigmas[0]);
        for (int i = 0; i < steps; i++)
        {
            using var scope = NewDisposeScope();
            var next = Step(new SigmaStep(model, context, sigmas, i, history, scope), x);
            x = Carry.Over(scope, next, x);
            context.OnStep(i + 1, steps);
        }
        return run.MoveToOuter(x);
    }

    /// <summary>
    /// One step of x from σ_i to σ_(i+1), inside the step's dispose scope. It returns the new x, a new tensor (use
    /// <c>alias()</c> to return one the history keeps).
    /// </summary>
    private protected abstract Tensor Step(SigmaStep step, Tensor x);
}

/// <summary>Where a σ-space sampler stands in its loop: the model, the noise levels and step i, and its history.</summary>
internal sealed class SigmaStep(SigmaDenoiser model, ISamplingContext context, double[] sigmas, int index, History history, DisposeScope scope)
{
    /// <summary>The model as a denoiser in σ space.</summary>
    public SigmaDenoiser Model => model;

    /// <summary>The host's sampling context (per-sample noise, the schedule).</summary>
    public ISamplingContext Context => context;

    /// <summary>This step's index i.</summary>
    public int Index => index;

    /// <summary>How many steps the loop takes.</summary>
    public int Steps => sigmas.Length - 1;

    /// <summary>σ_i, the level x is at.</summary>
    public double Sigma => sigmas[index];

    /// <summary>σ_(i+1), the level this step goes to (0 on the last step).</summary>
    public double Next => sigmas[index + 1];

    /// <summary>Earlier results, newest first.</summary>
    public History History => history;

    /// <summary>Keeps <paramref name="value"/>, taken at <see cref="Sigma"/>, for later steps.</summary>
    public void Remember(Tensor value) => history.Push(scope, value, Sigma);
}
