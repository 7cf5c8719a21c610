using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Diffusion.Abstractions.Options;
using Diffusion.Abstractions.Plugins;

namespace Example.Analytic;

/// <summary>Options of <see cref="BuildModelStage"/>: the same component keys as a train stage.</summary>
public sealed class BuildModelOptions
{
    /// <summary>The denoiser component to build.</summary>
    [Required, ComponentRef(PluginKind.Denoiser), Description("Denoiser component to build (not trained).")]
    public string Model { get; set; } = "";

    /// <summary>The modality whose data shape the model is built for.</summary>
    [Required, ComponentRef(PluginKind.Modality), Description("Modality component whose data shape the model is built for.")]
    public string Data { get; set; } = "";

    /// <summary>The sampler whose noise schedule the model is said to follow (what samplers then use).</summary>
    [Required, ComponentRef(PluginKind.Sampler), Description("Sampler component whose noise schedule the model follows.")]
    public string Sampler { get; set; } = "";
}
