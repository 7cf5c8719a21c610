using TorchSharp;
using static TorchSharp.torch;

namespace Diffusion.Abstractions.Samplers;

/// <summary>
/// Where a <see cref="SigmaSampler{TOptions}"/> stands in its loop: x at noise level σ_i, the level it goes to, the model
/// as a denoiser, the results remembered by earlier steps, and a per-run state object for what else a multistep method
/// carries from step to step. Tensors created during the step belong to its dispose scope, unless remembered or kept.
/// </summary>
public sealed class SigmaStep
{
    private readonly Loop _loop;
    private readonly DisposeScope _scope;

    internal SigmaStep(Loop loop, int index, Tensor x, DisposeScope scope)
    {
        _loop = loop;
        _scope = scope;
        Index = index;
        X = x;
    }

    /// <summary>The host's sampling context: the schedule, and <see cref="ISamplingContext.RandnLike"/> for fresh noise.</summary>
    public ISamplingContext Context => _loop.Context;

    /// <summary>This step's index i, from 0.</summary>
    public int Index { get; }

    /// <summary>How many steps the loop takes.</summary>
    public int Steps => _loop.Sigmas.Length - 1;

    /// <summary>σ_i, the noise level <see cref="X"/> is at.</summary>
    public double Sigma => _loop.Sigmas[Index];

    /// <summary>σ_(i+1), the level this step goes to: 0 on the last step, which goes to the clean sample.</summary>
    public double Next => _loop.Sigmas[Index + 1];

    /// <summary>x at <see cref="Sigma"/>, the current sample (x = x_0 + σ·ε).</summary>
    public Tensor X { get; }

    /// <summary>
    /// What earlier steps remembered with <see cref="Remember"/>, newest first, at most
    /// <see cref="SigmaSampler{TOptions}.HistoryLength"/> entries.
    /// </summary>
    public SigmaHistory History => _loop.History;

    /// <summary>
    /// The model's clean estimate D(x; σ) at any noise level (one model evaluation), whatever the model predicts, in the
    /// dtype of <paramref name="x"/>.
    /// </summary>
    public Tensor Denoise(Tensor x, double sigma) => _loop.Model.Denoise(x, sigma);

    /// <summary>(x − D(x; σ)) / σ from the estimate <paramref name="denoised"/>: the derivative dx/dσ of the probability-flow ODE, the estimate of ε.</summary>
    public Tensor Derivative(Tensor x, Tensor denoised, double sigma) => SigmaDenoiser.Derivative(x, denoised, sigma);

    /// <summary>Remembers <paramref name="value"/>, taken at <see cref="Sigma"/>, for later steps (<see cref="History"/>; the oldest beyond its length is disposed).</summary>
    public void Remember(Tensor value) => _loop.History.Push(_scope, value, Sigma);

    /// <summary>
    /// The sampler's own state for this run, created on the first call and the same object at every later step of the same
    /// <see cref="SigmaSampler{TOptions}.Sample"/> call: what a method carries from step to step besides
    /// <see cref="History"/> (UniPC: the point its last predictor started from). Tensors it holds must be kept with
    /// <see cref="Keep"/>.
    /// </summary>
    /// <typeparam name="T">The state's type; every step of a run asks for the same one.</typeparam>
    /// <exception cref="InvalidOperationException">An earlier step of this run asked for another type.</exception>
    public T State<T>() where T : class, new()
    {
        _loop.State ??= new T();
        return _loop.State as T
            ?? throw new InvalidOperationException($"the sampler's state is a {_loop.State.GetType().Name}, not a {typeof(T).Name}: ask for one state type in every step");
    }

    /// <summary>
    /// Moves <paramref name="value"/> out of this step's dispose scope, so it lives until the run ends or a later step
    /// replaces it, and disposes <paramref name="replaced"/> (the value it replaces, or null). Returns
    /// <paramref name="value"/>.
    /// </summary>
    public Tensor Keep(Tensor value, Tensor? replaced)
    {
        var kept = _scope.MoveToOuter(value);
        replaced?.Dispose();
        return kept;
    }

    /// <summary>What every step of one <see cref="SigmaSampler{TOptions}.Sample"/> call shares.</summary>
    internal sealed class Loop(SigmaDenoiser model, ISamplingContext context, double[] sigmas, SigmaHistory history)
    {
        public SigmaDenoiser Model => model;
        public ISamplingContext Context => context;
        public double[] Sigmas => sigmas;
        public SigmaHistory History => history;
        public object? State { get; set; }
    }
}
