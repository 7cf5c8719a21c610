namespace Diffusion.Compression.Quantization;

/// <summary>
/// Stores every floating-point parameter not already encoded in half precision (a <c>NAME_fp16</c> or
/// <c>NAME_bf16</c> buffer beside it, <see cref="CompressedWeightLayout"/>). The network keeps computing in float32 with the rounded values, since
/// TorchSharp's CPU kernels lack half support for several ops; the result equals half storage upcast for compute.
/// </summary>
internal static class HalfPrecision
{
    public static DenoiserModule Apply(DenoiserModule model, IRunContext context, ScalarType dtype, string suffix, string pass)
    {
        int count = 0;
        using var noGrad = no_grad();
        foreach (var (_, module) in model.named_modules())
        {
            var buffers = module.named_buffers(recurse: false).Select(b => b.name).ToHashSet(StringComparer.Ordinal);
            foreach (var (name, parameter) in module.named_parameters(recurse: false).ToList())
            {
                if (!parameter.is_floating_point() || CompressedWeightLayout.EncodedSuffixes.Any(suffix => buffers.Contains(name + suffix)))
                    continue;
                using var scope = NewDisposeScope();
                var half = parameter.detach().to_type(dtype);
                WeightLayers.SetBuffer(module, name + suffix, half, parameter);
                parameter.copy_(half.to_type(parameter.dtype));
                count++;
            }
        }
        context.Logger.LogInformation("{Pass}: {Count} parameters stored in {Type}", pass, count, dtype);
        return model;
    }
}

/// <summary>Stores parameters as float16 (IEEE half); computes in float32 with the rounded values.</summary>
[Plugin(PluginKind.Compression, "fp16", Description = "Stores parameters as float16 (computes in float32 with the rounded values).")]
public sealed class Fp16Pass : ICompressionPass
{
    /// <inheritdoc />
    public DenoiserModule Apply(DenoiserModule model, IRunContext context) => HalfPrecision.Apply(model, context, ScalarType.Float16, CompressedWeightLayout.Fp16Suffix, "fp16");
}
