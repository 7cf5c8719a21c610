using System.Reflection;
using Diffusion.Abstractions.Plugins;
using Diffusion.Abstractions.PostProcessing;
using Diffusion.Abstractions.Runs;
using Microsoft.Extensions.Logging;
using Newtonsoft.Json;
using static TorchSharp.torch;

namespace Example.Quantize;

/// <summary>
/// Clamps samples to [-1, 1] and rounds them to <c>levels</c> evenly spaced values (posterization). Logs what it did
/// as JSON written with Newtonsoft.Json 13.0.3.
/// </summary>
[Plugin(PluginKind.PostProcessor, "quantize-levels", Options = typeof(QuantizeLevelsOptions), Description = "Rounds samples to N evenly spaced levels in [-1, 1].")]
public sealed class QuantizeLevelsPostProcessor(QuantizeLevelsOptions options) : IPostProcessor
{
    /// <inheritdoc />
    public Tensor Process(Tensor samples, IRunContext context)
    {
        using var scope = NewDisposeScope();
        double steps = options.Levels - 1;
        var quantized = ((samples.clamp(-1, 1) + 1) / 2 * steps).round() / steps * 2 - 1;
        string report = JsonConvert.SerializeObject(new { levels = options.Levels, distinct = quantized.unique().Item1.shape[0] });
        context.Logger.LogInformation("quantize-levels: {Report} (Newtonsoft.Json {Version})", report, LibraryVersion);
        return scope.MoveToOuter(quantized);
    }

    /// <summary>The Newtonsoft.Json this plugin loaded (its own copy, whatever other plugins use).</summary>
    public static string LibraryVersion =>
        typeof(JsonConvert).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "?";
}
