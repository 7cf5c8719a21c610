using Diffusion.Abstractions.Runs;

namespace Diffusion.Abstractions.Stages;

/// <summary>
/// A step of a pipeline (train, sample, evaluate, ...). A stage's options are the keys of its entry in
/// <c>stages:</c> besides <c>name</c> and <c>type</c>; options that name components carry
/// <see cref="Options.ComponentRefAttribute"/>. Stages pass results to later stages through
/// <see cref="IRunContext.State"/>.
/// </summary>
public interface IStage
{
    /// <summary>Runs the stage. Throw <see cref="OperationCanceledException"/> when the run is cancelled.</summary>
    void Run(IRunContext context);
}

/// <summary>Well-known keys of <see cref="IRunContext.State"/> shared between stages.</summary>
public static class StateKeys
{
    /// <summary>The current samples (a <c>Tensor</c> in model space), written by sample and postprocess stages.</summary>
    public const string Samples = "samples";

    /// <summary>
    /// The class labels the current samples were drawn for (a long <c>Tensor</c> [N], CPU), written by a sample stage
    /// that draws class-conditional samples and removed by one that does not; metrics such as class accuracy read it.
    /// </summary>
    public const string SampleLabels = "sample-labels";

    /// <summary>
    /// The held-out items the current samples were conditioned on (a long <c>Tensor</c> [N], CPU: sample i was drawn for
    /// test item SampleConditionItems[i]), written by a sample stage with <c>conditions: test</c> and removed by one
    /// without; metrics that compare a sample with its condition's ground truth (such as caption accuracy) read it.
    /// </summary>
    public const string SampleConditionItems = "sample-condition-items";

    /// <summary>Prefix of a trained model: <c>model:NAME</c> holds a <see cref="Denoisers.TrainedModel"/> for component NAME.</summary>
    public const string ModelPrefix = "model:";
}
