using Diffusion.Abstractions.Compression;
using Diffusion.Abstractions.Denoisers;
using Diffusion.Abstractions.Plugins;
using Diffusion.Abstractions.Runs;
using Microsoft.Extensions.Logging;
using static TorchSharp.torch;

namespace Example.Fp16;

/// <summary>
/// Rounds every weight to half precision and back (in place), which shows what storing the model in fp16 would
/// cost in accuracy while the network keeps computing in its own dtype. Logs the largest change.
/// </summary>
[Plugin(PluginKind.Compression, "fp16-roundtrip", Description = "Rounds every weight to float16 and back, in place.")]
public sealed class Fp16RoundTripPass : ICompressionPass
{
    /// <inheritdoc />
    public DenoiserModule Apply(DenoiserModule model, IRunContext context)
    {
        using var noGrad = no_grad();
        long count = 0;
        double largestChange = 0;
        foreach (var (_, parameter) in model.named_parameters())
        {
            using var scope = NewDisposeScope();
            var rounded = parameter.to_type(ScalarType.Float16).to_type(parameter.dtype);
            largestChange = Math.Max(largestChange, (rounded - parameter).abs().max().item<float>());
            parameter.copy_(rounded);
            count += parameter.numel();
        }
        context.Tracker.LogMetric("compress/fp16_max_change", largestChange, 0);
        context.Logger.LogInformation("fp16-roundtrip: rounded {Count} weights; largest change {Change:g3}", count, largestChange);
        return model;
    }
}
