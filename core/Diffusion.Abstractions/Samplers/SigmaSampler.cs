using static TorchSharp.torch;

namespace Diffusion.Abstractions.Samplers;

/// <summary>
/// The loop every σ-space sampler shares (euler, heun, dpm-solver, lms, deis, unipc, a third party's): the noise levels
/// picked by <see cref="SigmaSamplerOptions.SigmaSchedule"/>, the start at the largest σ, one dispose scope a step (only x,
/// the history and what a step keeps outlive it), progress and cancellation through <see cref="ISamplingContext.OnStep"/>
/// after each step. The model is seen as a denoiser D(x; σ) with x = x_0 + σ·ε (Karras et al. 2022), whatever it predicts.
/// A subclass writes only <see cref="Step"/>. All state lives in locals of <see cref="Sample"/> (and in the
/// <see cref="SigmaStep.State{T}"/> object of each call), so one instance serves concurrent sampling.
/// </summary>
/// <typeparam name="TOptions">The sampler's options.</typeparam>
public abstract class SigmaSampler<TOptions>(TOptions options) : ISampler where TOptions : SigmaSamplerOptions
{
    /// <summary>The sampler's options.</summary>
    protected TOptions Options { get; } = options;

    /// <inheritdoc />
    public NoiseSchedule CreateSchedule() => Options.ToSchedule();

    /// <summary>
    /// How many results a multistep method remembers with <see cref="SigmaStep.Remember"/> (the newest are kept in
    /// <see cref="SigmaStep.History"/>); 0, the default, for one-step methods.
    /// </summary>
    protected virtual int HistoryLength => 0;

    /// <inheritdoc />
    public Tensor Sample(Tensor noise, ISamplingContext context)
    {
        var model = new SigmaDenoiser(context);
        double[] sigmas = SigmaSchedules.For(Options, context.Schedule, context.Steps);
        int steps = sigmas.Length - 1;
        using var noGrad = no_grad();
        using var run = NewDisposeScope();
        var loop = new SigmaStep.Loop(model, context, sigmas, new SigmaHistory(HistoryLength));
        var x = SigmaDenoiser.Start(noise, sigmas[0]);
        for (int i = 0; i < steps; i++)
        {
            using var scope = NewDisposeScope();
            var next = scope.MoveToOuter(Step(new SigmaStep(loop, i, x, scope)));
            x.Dispose();
            x = next;
            context.OnStep(i + 1, steps);
        }
        return run.MoveToOuter(x);
    }

    /// <summary>
    /// One step of x from σ_i (<see cref="SigmaStep.Sigma"/>) to σ_(i+1) (<see cref="SigmaStep.Next"/>; 0 on the last step,
    /// where the clean estimate is expected), inside the step's dispose scope. It returns the new x, a new tensor (not
    /// <see cref="SigmaStep.X"/> itself; <c>alias()</c> returns one that the history or a kept value also holds).
    /// </summary>
    protected abstract Tensor Step(SigmaStep step);
}
