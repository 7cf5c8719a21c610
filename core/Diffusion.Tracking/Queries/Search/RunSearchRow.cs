namespace Diffusion.Tracking;

/// <summary>One run of a search.</summary>
/// <param name="Run">The run.</param>
/// <param name="Values">
/// One value per column: a <see cref="long"/>, <see cref="double"/>, <see cref="bool"/>, <see cref="string"/> or
/// <see cref="DateTimeOffset"/>, or null when the run has no such key.
/// </param>
public sealed record RunSearchRow(RunSummary Run, IReadOnlyList<object?> Values);
