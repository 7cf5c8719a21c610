namespace Diffusion.Stages.Checkpoints;

/// <summary>What a trainer needs back from a checkpoint besides the weights and optimizer.</summary>
/// <param name="Step">Training steps completed.</param>
/// <param name="Schedule">The noise schedule trained with.</param>
/// <param name="Data">The data spec the network was built for.</param>
/// <param name="Seed">
/// The run seed: the whole random state of training. Step k reseeds its generators from (seed, k), so the seed and
/// the step restore every random draw that follows; null in checkpoints written before it was recorded.
/// </param>
/// <param name="ShapesFromWeights">
/// The network's layer shapes differ from what the denoiser's options build (it was structurally pruned): the weights
/// files are marked so that loading resizes the layers.
/// </param>
/// <param name="LossScale">
/// The dynamic loss scale of <c>precision: fp16</c> training after <paramref name="Step"/> steps (null otherwise), so a
/// resumed fp16 run scales its losses as the uninterrupted one would.
/// </param>
/// <param name="LossScaleGoodSteps">Steps in a row without overflow at <paramref name="LossScale"/> (the scale doubles at 2000).</param>
public sealed record TrainerState(long Step, NoiseSchedule Schedule, DataSpec Data, long? Seed = null, bool ShapesFromWeights = false,
    double? LossScale = null, int LossScaleGoodSteps = 0);
