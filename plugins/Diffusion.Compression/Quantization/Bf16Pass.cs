namespace Diffusion.Compression.Quantization;

/// <summary>Stores parameters as bfloat16; computes in float32 with the rounded values.</summary>
[Plugin(PluginKind.Compression, "bf16", Description = "Stores parameters as bfloat16 (computes in float32 with the rounded values).")]
public sealed class Bf16Pass : ICompressionPass
{
    /// <inheritdoc />
    public DenoiserModule Apply(DenoiserModule model, IRunContext context) => HalfPrecision.Apply(model, context, ScalarType.BFloat16, CompressedWeightLayout.Bf16Suffix, "bf16");
}
