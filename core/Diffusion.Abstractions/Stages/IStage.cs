using Diffusion.Abstractions.Runs;

namespace Diffusion.Abstractions.Stages;

/// <summary>
/// A step of a pipeline (train, sample, evaluate, ...). A stage's options are the keys of its entry in
/// <c>stages:</c> besides <c>name</c> and <c>type</c>; options that name components carry
/// <see cref="Options.ComponentRefAttribute"/>. Stages pass results (trained models, samples, values of their own) to
/// later stages through <see cref="IRunContext.State"/>.
/// </summary>
public interface IStage
{
    /// <summary>Runs the stage. Throw <see cref="OperationCanceledException"/> when the run is cancelled.</summary>
    void Run(IRunContext context);
}
