using static TorchSharp.torch;

namespace Diffusion.Abstractions.Samplers;

/// <summary>
/// Where a <see cref="FlowSampler{TOptions}"/> stands in its loop: x at flow time t_i, the time it goes to, and the model as
/// a velocity field. Tensors created during the step belong to its dispose scope.
/// </summary>
public sealed class FlowStep
{
    private readonly FlowVelocity _model;
    private readonly double[] _times;

    internal FlowStep(FlowVelocity model, ISamplingContext context, double[] times, int index, Tensor x)
    {
        _model = model;
        _times = times;
        Context = context;
        Index = index;
        X = x;
    }

    /// <summary>The host's sampling context.</summary>
    public ISamplingContext Context { get; }

    /// <summary>This step's index i, from 0.</summary>
    public int Index { get; }

    /// <summary>How many steps the loop takes.</summary>
    public int Steps => _times.Length - 1;

    /// <summary>t_i, the flow time <see cref="X"/> is at (1 is pure noise, 0 the data).</summary>
    public double Time => _times[Index];

    /// <summary>t_(i+1), the time this step goes to: 0 on the last step.</summary>
    public double Next => _times[Index + 1];

    /// <summary>The step size t_(i+1) − t_i (negative: time runs from 1 to 0).</summary>
    public double Size => Next - Time;

    /// <summary>x at <see cref="Time"/>, x = (1 − t)·x0 + t·ε.</summary>
    public Tensor X { get; }

    /// <summary>The model's velocity v(x, t) = dx/dt, the estimate of ε − x0 (one model evaluation), in the dtype of <paramref name="x"/>.</summary>
    public Tensor Velocity(Tensor x, double t) => _model.Velocity(x, t);
}
