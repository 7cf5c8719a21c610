namespace Diffusion.Tracking;

/// <summary>A sweep as stored: its definition and state.</summary>
/// <param name="Definition">What the sweep is.</param>
/// <param name="State">Where it stands.</param>
/// <param name="Message">Why it stopped, or null.</param>
public sealed record SweepRecord(SweepDefinition Definition, SweepState State, string? Message);
