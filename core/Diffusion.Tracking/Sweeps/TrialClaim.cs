namespace Diffusion.Tracking;

/// <summary>What a worker got when it asked for work.</summary>
/// <param name="Trial">The trial it now holds, or null.</param>
/// <param name="Outcome">Why there was no trial, when there was none.</param>
public sealed record TrialClaim(TrialRecord? Trial, ClaimOutcome Outcome);
