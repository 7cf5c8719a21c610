using static TorchSharp.torch;

namespace Diffusion.Abstractions.Samplers;

/// <summary>
/// What one step of a <see cref="TimestepSampler{TOptions}"/> works from: x at training timestep t, the model's
/// estimates there, and ᾱ at t and at the timestep the step goes to. All tensors belong to the step's dispose scope.
/// </summary>
public sealed class TimestepStep
{
    internal TimestepStep(ISamplingContext context, int[] timesteps, int index, Tensor x, Tensor x0, Tensor eps)
    {
        Context = context;
        Index = index;
        Steps = timesteps.Length;
        T = timesteps[index];
        Previous = IsLast ? -1 : timesteps[index + 1];
        AlphaBar = context.Schedule.AlphasCumprod[T];
        AlphaBarPrevious = IsLast ? 1.0 : context.Schedule.AlphasCumprod[Previous];
        X = x;
        X0 = x0;
        Eps = eps;
    }

    /// <summary>The host's sampling context: the schedule, and <see cref="ISamplingContext.RandnLike"/> for fresh noise.</summary>
    public ISamplingContext Context { get; }

    /// <summary>This step's index i, from 0.</summary>
    public int Index { get; }

    /// <summary>How many steps the loop takes.</summary>
    public int Steps { get; }

    /// <summary>Whether this is the last step, the one onto the clean sample (ᾱ_prev = 1).</summary>
    public bool IsLast => Index == Steps - 1;

    /// <summary>The training timestep t that <see cref="X"/> is at.</summary>
    public int T { get; }

    /// <summary>The training timestep this step goes to; −1 on the last step, which goes to the clean sample.</summary>
    public int Previous { get; }

    /// <summary>ᾱ_t.</summary>
    public double AlphaBar { get; }

    /// <summary>ᾱ at <see cref="Previous"/>; 1 on the last step.</summary>
    public double AlphaBarPrevious { get; }

    /// <summary>x_t, the current sample.</summary>
    public Tensor X { get; }

    /// <summary>The model's estimate of the clean sample x̂0, whatever the model predicts (in the dtype of x).</summary>
    public Tensor X0 { get; }

    /// <summary>The model's estimate of the noise ε, whatever the model predicts (in the dtype of x).</summary>
    public Tensor Eps { get; }
}
