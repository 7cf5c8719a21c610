using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Diffusion.Abstractions.Options;
using Diffusion.Abstractions.Stages;

namespace Diffusion.Modalities.Text.Infill;

/// <summary>
/// Options of the <c>infill</c> stage: the templates to complete, and (as the <c>sample</c> stage has them) the rows'
/// conditions with the classifier-free guidance towards them.
/// </summary>
public sealed class InfillStageOptions : GuidedSamplingOptions, IValidatableObject
{
    /// <summary>The trained denoiser component.</summary>
    [Required, ComponentRef(PluginKind.Denoiser), Description("Trained denoiser component (trained on token data).")]
    public string Model { get; set; } = "";

    /// <summary>The token sampler used as the sampler.</summary>
    [Required, ComponentRef(PluginKind.Sampler), OptionAlias("scheduler"), Description("Token sampler used as the sampler (mdlm or d3pm-uniform).")]
    public string Sampler { get; set; } = "";

    /// <summary>The text modality (text, image-caption) that tokenizes the templates, writes the completions and gives the held-out items for <c>conditions: test</c>.</summary>
    [Required, ComponentRef(PluginKind.Modality), Description("Text modality component (text, image-caption): tokenizes the templates, writes the completions, gives conditions: test its items.")]
    public string Data { get; set; } = "";

    /// <summary>
    /// Templates: kept text with holes, <c>{N}</c> for N tokens and <c>{*}</c> to fill the rest. Written <c>prompts</c>
    /// before <c>prompts</c> became the condition prompts every sampling stage has; that spelling still works, with a warning.
    /// </summary>
    [Required, MinLength(1), OptionAlias("prompts")]
    [Description("Templates to complete: fixed text with holes, {N} = N tokens, {*} = the rest of the sequence (formerly prompts).")]
    public string[] Templates { get; set; } = [];

    /// <summary>Completions per template. Default 4.</summary>
    [Range(1, 100_000), Description("Completions per template.")]
    public int Count { get; set; } = 4;

    /// <summary>Sampling steps. Default 50.</summary>
    [Range(1, 100_000), Description("Sampling steps.")]
    public int Steps { get; set; } = 50;

    /// <summary>Rows per batch; does not change any completion. Default 64.</summary>
    [Range(1, 65536), Description("Rows per batch (does not change the completions).")]
    public int BatchSize { get; set; } = 64;

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) => ValidateConditions(Data);
}
