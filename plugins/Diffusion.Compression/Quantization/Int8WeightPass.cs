namespace Diffusion.Compression.Quantization;

/// <summary>
/// Weight-only int8: each linear and convolution weight is quantized symmetrically per output channel and stored as
/// int8 plus one float32 scale per channel (<c>weight_int8</c>, <c>weight_scale</c> buffers, written to the
/// compressed checkpoint instead of the float weight); the network computes with the decoded weights q · scale.
/// </summary>
[Plugin(PluginKind.Compression, "int8-weight", Options = typeof(WeightQuantizationOptions),
    Description = "Weight-only int8, symmetric per output channel; stored as int8 + float32 scales, decoded for compute.")]
public sealed class Int8WeightPass(WeightQuantizationOptions options) : ICompressionPass
{
    /// <inheritdoc />
    public DenoiserModule Apply(DenoiserModule model, IRunContext context)
    {
        int count = WeightLayers.QuantizeEach(model, options.Exclude, "int8-weight", "weight" + CompressedWeightLayout.Int4Suffix, layer =>
        {
            var (q, scale, decoded) = WeightQuantizer.Int8PerChannel(layer.Weight);
            WeightLayers.SetBuffer(layer.Module, "weight" + CompressedWeightLayout.Int8Suffix, q, layer.Weight);
            WeightLayers.SetBuffer(layer.Module, "weight" + CompressedWeightLayout.ScaleSuffix, scale, layer.Weight);
            layer.Weight.copy_(decoded);
        });
        context.Logger.LogInformation("int8-weight: quantized {Count} layers", count);
        return model;
    }
}
