using Diffusion.Abstractions.Denoisers;
using Diffusion.Abstractions.Runs;
using static TorchSharp.torch;

namespace Diffusion.Abstractions.Samplers;

/// <summary>
/// The sampling context every stage gives a sampler for one batch: the trained model (its network, the schedule it was
/// trained with and its data), the batch's own generators, and optionally its conditioning with classifier-free guidance,
/// progress, cancellation and statistics. Every model output is checked to be finite, so a diverging sampler or NaN
/// weights fail at the step where they first appear. A stage that samples from a cut of the schedule (SDEdit) passes
/// the model with that schedule (<c>model with { Schedule = cut }</c>).
/// </summary>
/// <param name="model">The trained model; <see cref="Schedule"/> and <see cref="Data"/> are its own.</param>
/// <param name="steps">The number of denoising steps the stage asks for.</param>
/// <param name="generators">The batch's generators: row i of <see cref="RandnLike"/> comes from sample i's own.</param>
public sealed class SamplingContext(TrainedModel model, int steps, SampleGenerators generators) : ISamplingContext
{
    private readonly TrainedModel _model = model ?? throw new ArgumentNullException(nameof(model));
    private readonly SampleGenerators _generators = generators ?? throw new ArgumentNullException(nameof(generators));
    private int _completedSteps;

    /// <inheritdoc />
    public NoiseSchedule Schedule => _model.Schedule;

    /// <inheritdoc />
    public int Steps { get; } = steps;

    /// <inheritdoc />
    public DataSpec Data => _model.Data;

    /// <summary>The batch's conditioning passed to every network call; null samples unconditionally.</summary>
    public Conditioning? Conditioning { get; init; }

    /// <summary>Classifier-free guidance applied to every prediction; null (or no <see cref="Conditioning"/>) turns it off.</summary>
    public ClassifierFreeGuidance? Guidance { get; init; }

    /// <summary>The progress task that <see cref="OnStep"/> reports to, or null for none.</summary>
    public IProgressTask? Progress { get; init; }

    /// <summary>
    /// Units of <see cref="Progress"/> done before this batch: step s is reported as <c>ProgressOffset + s</c>, so a stage
    /// keeps one progress task over all its batches.
    /// </summary>
    public long ProgressOffset { get; init; }

    /// <summary>Cancels the run: <see cref="OnStep"/> throws once it is cancelled.</summary>
    public CancellationToken Cancellation { get; init; }

    /// <summary>Where <see cref="Report"/> sums the sampler's statistics by key, or null to ignore them.</summary>
    public IDictionary<string, double>? Statistics { get; init; }

    /// <summary>
    /// The floating-point type of the model's network when it differs from the sampler's (a bfloat16 or float16 copy for
    /// mixed-precision sampling): <see cref="Predict"/> casts a floating-point input to it and the output back to the
    /// input's type, so the sampler's state and arithmetic stay in their own precision. Null (default) passes x as it is.
    /// </summary>
    public ScalarType? NetworkType { get; init; }

    /// <summary>How many times the sampler called <see cref="Predict"/> (network evaluations, whatever the batch size).</summary>
    public int Evaluations { get; private set; }

    /// <inheritdoc />
    public Tensor Predict(Tensor x, Tensor t)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(t);
        Evaluations++;
        if (t.dim() == 0) t = t.expand(x.shape[0]);
        t = t.to(x.device).to_type(ScalarType.Float32);
        if (Guidance is null || Conditioning is null) return Finite(Forward(x, t, Conditioning), x, t);
        using var scope = NewDisposeScope();
        var conditional = Forward(x, t, Conditioning);
        var unconditional = Forward(x, t, Guidance.Unconditional(Conditioning, x.shape[0], x.device));
        return scope.MoveToOuter(Finite(Guidance.Combine(conditional, unconditional), x, t));
    }

    /// <summary>One network call; with <see cref="NetworkType"/>, in that type, the output cast back to x's.</summary>
    private Tensor Forward(Tensor x, Tensor t, Conditioning? conditioning)
    {
        if (NetworkType is not { } type || !x.is_floating_point() || x.dtype == type) return _model.Network.forward(x, t, conditioning);
        using var scope = NewDisposeScope();
        var output = _model.Network.forward(x.to_type(type), t, conditioning);
        return scope.MoveToOuter(output.is_floating_point() ? output.to_type(x.dtype) : output);
    }

    /// <summary>The model's output, or a clear failure at the sampling step where it first stops being finite.</summary>
    private Tensor Finite(Tensor output, Tensor x, Tensor t)
    {
        if (!output.is_floating_point() || output.isfinite().all().item<bool>()) return output;
        string input = x.isfinite().all().item<bool>() ? "from a finite input" : "from a non-finite input (the sampler's previous update)";
        throw new PluginInputException(
            $"the model's output became non-finite at sampling step {_completedSteps + 1} of {Steps} (t = {t[0].item<float>():0.###}) {input}: " +
            "the trained weights may hold NaN (see the train stage's loss) or the sampler diverged; run 'diffusion doctor' to check this machine's CPU kernels");
    }

    /// <inheritdoc />
    public Tensor RandnLike(Tensor like)
    {
        ArgumentNullException.ThrowIfNull(like);
        return _generators.Randn(like.shape[1..], like.device, like.dtype);
    }

    /// <inheritdoc />
    public void Report(string key, double value)
    {
        if (Statistics is not null) Statistics[key] = Statistics.TryGetValue(key, out double sum) ? sum + value : value;
    }

    /// <inheritdoc />
    public void OnStep(int step, int total)
    {
        _completedSteps = step;
        Cancellation.ThrowIfCancellationRequested();
        Progress?.Report(ProgressOffset + step);
    }
}
