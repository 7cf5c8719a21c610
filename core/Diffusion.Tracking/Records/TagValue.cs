namespace Diffusion.Tracking;

/// <summary>A free-form tag of a run.</summary>
/// <param name="Key">The tag's key.</param>
/// <param name="Value">The tag's value.</param>
public sealed record TagValue(string Key, string Value);
