using Diffusion.Core.Pipelines;
using Diffusion.Core.Plugins;

namespace Diffusion.Core.Sweeps;

/// <summary>
/// Checks, before any trial runs, that each sweep parameter names a settable value and that its extreme
/// values (the bounds of a range, every value of a choice) bind: a typo in a path or a value out of an
/// option's range is reported at the parameter in the sweep block, as <c>FILE:LINE:COL: error: ...</c>.
/// </summary>
public static class SweepValidation
{
    /// <summary>The problems found (empty when every parameter binds at its extremes).</summary>
    /// <param name="pipelineText">The pipeline file's text.</param>
    /// <param name="pipelinePath">The pipeline file.</param>
    /// <param name="overrides">The sweep's own <c>--set</c> overrides.</param>
    /// <param name="sweep">The bound sweep block.</param>
    /// <param name="catalog">The plugins to bind against.</param>
    public static IReadOnlyList<PipelineError> Check(string pipelineText, string pipelinePath, IReadOnlyList<string> overrides, SweepSpec sweep, IPluginCatalog catalog)
    {
        var problems = new List<PipelineError>();
        foreach (var parameter in sweep.Parameters)
        {
            foreach (var value in Extremes(parameter.Distribution))
            {
                try
                {
                    PipelineBinder.Bind(PipelineLoader.LoadText(pipelineText, pipelinePath, [.. overrides, $"{parameter.Path}={value}"]), catalog);
                }
                catch (PipelineValidationException e)
                {
                    // Only the errors this parameter's override caused: it is the last --set, numbered after the sweep's own.
                    foreach (var error in e.Errors.Where(x => x.Location.File == PipelineOverrides.SourceName && x.Location.Line == overrides.Count + 1))
                    {
                        var problem = new PipelineError(parameter.Location, $"sweep.parameters.{parameter.Path} = {value}: {error.Message}");
                        if (!problems.Contains(problem))
                            problems.Add(problem);
                    }
                }
            }
        }
        return problems;
    }

    private static IEnumerable<string> Extremes(SweepDistribution distribution) => distribution switch
    {
        UniformDistribution u => [TrialPoint.Real(u.Low), TrialPoint.Real(u.High)],
        LogUniformDistribution l => [TrialPoint.Real(l.Low), TrialPoint.Real(l.High)],
        IntUniformDistribution i => [TrialPoint.Integer(i.Low), TrialPoint.Integer(i.High)],
        ChoiceDistribution c => c.Values,
        _ => [],
    };
}
