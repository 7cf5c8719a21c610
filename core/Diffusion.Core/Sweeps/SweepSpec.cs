using Diffusion.Core.Pipelines;

namespace Diffusion.Core.Sweeps;

/// <summary>
/// A pipeline's <c>sweep:</c> block: a hyperparameter search whose trials are runs of the pipeline with
/// the parameters (dotted paths) set as <c>--set</c> overrides.
/// </summary>
/// <param name="Method">grid, random or tpe.</param>
/// <param name="Objective">The metric whose last value scores a trial.</param>
/// <param name="Maximize">True when larger objective values are better.</param>
/// <param name="Trials">How many trials to run (for grid, at most the number of combinations).</param>
/// <param name="Seed">Seeds the sampling: the same seed gives the same points.</param>
/// <param name="Parameters">What to vary, in file order.</param>
/// <param name="Pruner">The median pruner, or null for none.</param>
/// <param name="Tpe">TPE's settings (used by method tpe).</param>
/// <param name="Location">Where the block is written.</param>
public sealed record SweepSpec(
    SweepMethod Method,
    string Objective,
    bool Maximize,
    int Trials,
    long Seed,
    IReadOnlyList<SweepParameter> Parameters,
    MedianPrunerSpec? Pruner,
    TpeSettings Tpe,
    SourceLocation Location);
