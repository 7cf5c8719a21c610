using Diffusion.Tracking;

namespace Diffusion.Core.Runs;

/// <summary>How a run ended.</summary>
/// <param name="RunId">The run's id.</param>
/// <param name="RunFolder">The run's artifact folder.</param>
/// <param name="Status">Completed, failed or killed.</param>
/// <param name="Message">Why it failed or was killed.</param>
public sealed record RunResult(string RunId, string RunFolder, RunStatus Status, string? Message);
