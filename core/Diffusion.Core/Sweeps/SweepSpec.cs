using System.Globalization;
using Diffusion.Core.Pipelines;

namespace Diffusion.Core.Sweeps;

/// <summary>How a sweep picks its trials' points.</summary>
public enum SweepMethod
{
    /// <summary>Every combination of the listed values, in order (the first parameter varies slowest).</summary>
    Grid,

    /// <summary>Independent draws from each parameter's distribution.</summary>
    Random,

    /// <summary>Random draws first, then a Tree-structured Parzen Estimator fitted to the finished trials.</summary>
    Tpe,
}

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

/// <summary>One parameter of a sweep: a dotted path of the pipeline and the values it takes.</summary>
/// <param name="Path">The dotted path, e.g. <c>stages.train.lr</c>.</param>
/// <param name="Distribution">Where its values come from.</param>
/// <param name="Location">Where the path is written in the sweep block.</param>
public sealed record SweepParameter(string Path, SweepDistribution Distribution, SourceLocation Location);

/// <summary>The values a sweep parameter takes.</summary>
public abstract record SweepDistribution
{
    /// <summary>How the distribution is written in a sweep block, e.g. <c>log_uniform(0.0001, 0.01)</c>.</summary>
    public abstract string Describe();

    private protected static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}

/// <summary>A real number drawn uniformly from [Low, High].</summary>
public sealed record UniformDistribution(double Low, double High) : SweepDistribution
{
    /// <inheritdoc />
    public override string Describe() => $"uniform({Number(Low)}, {Number(High)})";
}

/// <summary>A positive real number whose logarithm is uniform over [log Low, log High]: each decade is as likely.</summary>
public sealed record LogUniformDistribution(double Low, double High) : SweepDistribution
{
    /// <inheritdoc />
    public override string Describe() => $"log_uniform({Number(Low)}, {Number(High)})";
}

/// <summary>An integer drawn uniformly from Low to High, both included.</summary>
public sealed record IntUniformDistribution(long Low, long High) : SweepDistribution
{
    /// <inheritdoc />
    public override string Describe() => $"int_uniform({Low}, {High})";
}

/// <summary>One of a list of values, each written as the <c>--set</c> value text it is applied with.</summary>
public sealed record ChoiceDistribution(IReadOnlyList<string> Values) : SweepDistribution
{
    /// <inheritdoc />
    public override string Describe() => $"choice({string.Join(", ", Values)})";
}

/// <summary>
/// The median pruner: once a trial reaches <paramref name="WarmupSteps"/> and <paramref name="StartupTrials"/>
/// trials have completed, the trial stops when its best value of <paramref name="Metric"/> so far is worse than
/// the median of the completed trials' values at the same step.
/// </summary>
/// <param name="Metric">The intermediate metric (by default the objective).</param>
/// <param name="Maximize">True when larger values of the metric are better.</param>
/// <param name="WarmupSteps">No trial is pruned before this step.</param>
/// <param name="StartupTrials">No trial is pruned until this many trials have completed.</param>
public sealed record MedianPrunerSpec(string Metric, bool Maximize, long WarmupSteps, int StartupTrials);

/// <summary>Settings of the Tree-structured Parzen Estimator.</summary>
/// <param name="StartupTrials">Trials drawn at random before TPE takes over.</param>
/// <param name="Gamma">The share of finished trials counted as good (0..1).</param>
/// <param name="Candidates">Points drawn from the good density per proposal; the one most likely good rather than bad wins.</param>
public sealed record TpeSettings(int StartupTrials = 5, double Gamma = 0.25, int Candidates = 24);
