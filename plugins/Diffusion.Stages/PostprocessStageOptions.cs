namespace Diffusion.Stages;

/// <summary>Options of the <c>postprocess</c> stage.</summary>
public sealed class PostprocessStageOptions
{
    /// <summary>Post-processor components applied in order.</summary>
    [Required, MinLength(1), ComponentRef(PluginKind.PostProcessor), Description("Post-processor components, applied in order.")]
    public string[] Processors { get; set; } = [];

    /// <summary>The modality that writes the processed samples; none writes nothing.</summary>
    [ComponentRef(PluginKind.Modality), Description("Modality component that writes the processed samples (optional).")]
    public string? Data { get; set; }
}
