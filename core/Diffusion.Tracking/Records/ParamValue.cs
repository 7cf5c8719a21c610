namespace Diffusion.Tracking;

/// <summary>A param as stored.</summary>
/// <param name="Key">The param's key.</param>
/// <param name="Value">The value: a <see cref="long"/>, <see cref="double"/>, <see cref="bool"/> or <see cref="string"/>.</param>
/// <param name="Type">The stored type: <c>int</c>, <c>float</c>, <c>bool</c> or <c>string</c>.</param>
public sealed record ParamValue(string Key, object Value, string Type);
