using Diffusion.Core.Pipelines;

namespace Diffusion.Core.Sweeps;

/// <summary>One parameter of a sweep: a dotted path of the pipeline and the values it takes.</summary>
/// <param name="Path">The dotted path, e.g. <c>stages.train.lr</c>.</param>
/// <param name="Distribution">Where its values come from.</param>
/// <param name="Location">Where the path is written in the sweep block.</param>
public sealed record SweepParameter(string Path, SweepDistribution Distribution, SourceLocation Location);
