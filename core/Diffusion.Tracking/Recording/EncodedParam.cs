namespace Diffusion.Tracking;

/// <summary>A param ready for the params table.</summary>
/// <param name="Text">The value as text; the authority when reading back.</param>
/// <param name="Number">The value as a number for numeric comparison (ints, floats, bools), else null. NaN is null.</param>
/// <param name="Type"><c>int</c>, <c>float</c>, <c>bool</c> or <c>string</c>.</param>
internal readonly record struct EncodedParam(string Text, double? Number, string Type);
