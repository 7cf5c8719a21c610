using static TorchSharp.torch;

namespace Diffusion.Abstractions.Stages;

/// <summary>
/// The current samples of a run and what they were drawn for, replaced as a whole (<see cref="StageState.Samples"/>), so
/// labels or condition items can never belong to earlier samples. Written by stages that produce samples (sample,
/// postprocess, the restoration stages, infill, ...); read by later stages and by metrics.
/// </summary>
/// <param name="Values">The samples in model space [N, ...] (CPU).</param>
/// <param name="Labels">
/// The class labels they were drawn for (long [N], CPU), or null: metrics such as class accuracy compare with them.
/// </param>
/// <param name="ConditionItems">
/// The held-out test items they were conditioned on (long [N], CPU: sample i was drawn for test item ConditionItems[i]),
/// or null: metrics that compare a sample with its condition's ground truth (such as caption accuracy) read them.
/// </param>
public sealed record GeneratedSamples(Tensor Values, Tensor? Labels = null, Tensor? ConditionItems = null);
