namespace Diffusion.PostProcessing;

/// <summary>Clamps sample values to [min, max] (model space is [-1, 1] for images).</summary>
[Plugin(PluginKind.PostProcessor, "clamp", Options = typeof(ClampOptions), Description = "Clamps sample values to [min, max].")]
public sealed class ClampPostProcessor(ClampOptions options) : IPostProcessor
{
    /// <inheritdoc />
    public Tensor Process(Tensor samples, IRunContext context) => samples.clamp(options.Min, options.Max);
}
