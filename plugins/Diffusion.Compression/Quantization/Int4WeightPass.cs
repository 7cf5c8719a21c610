namespace Diffusion.Compression.Quantization;

/// <summary>
/// Weight-only int4: symmetric, one float32 scale per group of <c>group_size</c> input weights of each output channel,
/// packed two values per byte (<c>weight_int4</c>, <c>weight_scale</c>, <c>weight_shape</c> buffers); the network
/// computes with the decoded weights.
/// </summary>
[Plugin(PluginKind.Compression, "int4-weight", Options = typeof(Int4WeightOptions),
    Description = "Weight-only int4 per group of input weights, packed two per byte; decoded for compute.")]
public sealed class Int4WeightPass(Int4WeightOptions options) : ICompressionPass
{
    /// <inheritdoc />
    public DenoiserModule Apply(DenoiserModule model, IRunContext context)
    {
        int count = WeightLayers.QuantizeEach(model, options.Exclude, "int4-weight", "weight" + CompressedWeightLayout.Int8Suffix, layer =>
        {
            var (packed, scale, shape, decoded) = WeightQuantizer.Int4PerGroup(layer.Weight, options.GroupSize);
            WeightLayers.SetBuffer(layer.Module, "weight" + CompressedWeightLayout.Int4Suffix, packed, layer.Weight);
            WeightLayers.SetBuffer(layer.Module, "weight" + CompressedWeightLayout.ScaleSuffix, scale, layer.Weight);
            WeightLayers.SetBuffer(layer.Module, "weight" + CompressedWeightLayout.ShapeSuffix, shape, layer.Weight);
            layer.Weight.copy_(decoded);
        });
        context.Logger.LogInformation("int4-weight: quantized {Count} layers (groups of {Group})", count, options.GroupSize);
        return model;
    }
}
