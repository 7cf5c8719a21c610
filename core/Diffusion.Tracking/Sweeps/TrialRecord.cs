namespace Diffusion.Tracking;

/// <summary>One trial of a sweep.</summary>
/// <param name="Number">The trial's number (0, 1, ...), its order in the sweep.</param>
/// <param name="Point">The trial's parameter values, as the sampler wrote them (JSON).</param>
/// <param name="State">Where it stands.</param>
/// <param name="Worker">The worker holding or last holding it (<c>host:pid:tag</c>), or null.</param>
/// <param name="Heartbeat">The holder's last sign of life.</param>
/// <param name="Attempts">How many times it was claimed.</param>
/// <param name="RunId">The run of its latest attempt, or null before one started.</param>
/// <param name="Value">Its objective value once completed.</param>
/// <param name="Message">Why it failed or was pruned or re-queued.</param>
public sealed record TrialRecord(
    int Number,
    string Point,
    TrialState State,
    string? Worker,
    DateTimeOffset? Heartbeat,
    int Attempts,
    string? RunId,
    double? Value,
    string? Message);
