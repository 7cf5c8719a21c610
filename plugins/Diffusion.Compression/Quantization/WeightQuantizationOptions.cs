namespace Diffusion.Compression.Quantization;

/// <summary>Options shared by the weight quantization passes.</summary>
public class WeightQuantizationOptions
{
    /// <summary>Layers whose name contains any of these strings stay in float32 (e.g. <c>conv_in</c>, <c>conv_out</c>).</summary>
    [Description("Layers whose name contains any of these strings are left in float32 (e.g. [conv_in, conv_out]).")]
    public string[] Exclude { get; set; } = [];
}
