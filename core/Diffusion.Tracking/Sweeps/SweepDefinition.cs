namespace Diffusion.Tracking;

/// <summary>What a sweep is: its parent run, the pipeline and settings every trial starts from.</summary>
/// <param name="Id">The sweep's id: the id of its parent run.</param>
/// <param name="PipelinePath">The pipeline file.</param>
/// <param name="PipelineText">The file's text when the sweep started (trials load this text, not the file).</param>
/// <param name="Overrides">The <c>--set</c> overrides given to the sweep, applied before each trial's own.</param>
/// <param name="Method">grid, random or tpe.</param>
/// <param name="Objective">The metric whose last value scores a trial.</param>
/// <param name="Maximize">True when larger objective values are better.</param>
/// <param name="Budget">How many trials the sweep runs in all.</param>
/// <param name="FailFast">Whether the first failed trial stops the sweep.</param>
/// <param name="StaleAfter">A claim whose heartbeat is older than this is given back to the queue.</param>
public sealed record SweepDefinition(
    string Id,
    string PipelinePath,
    string PipelineText,
    IReadOnlyList<string> Overrides,
    string Method,
    string Objective,
    bool Maximize,
    int Budget,
    bool FailFast,
    TimeSpan StaleAfter);
