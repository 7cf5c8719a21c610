using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Diffusion.Abstractions.Options;
using Diffusion.Abstractions.Plugins;

namespace Diffusion.Modalities.Text.Infill;

/// <summary>Options of the <c>infill</c> stage.</summary>
public sealed class InfillStageOptions
{
    /// <summary>The trained denoiser component.</summary>
    [Required, ComponentRef(PluginKind.Denoiser), Description("Trained denoiser component (trained on token data).")]
    public string Model { get; set; } = "";

    /// <summary>The token scheduler used as the sampler.</summary>
    [Required, ComponentRef(PluginKind.Scheduler), Description("Token scheduler used as the sampler (mdlm or d3pm-uniform).")]
    public string Scheduler { get; set; } = "";

    /// <summary>The text modality that tokenizes the prompts and writes the completions.</summary>
    [Required, ComponentRef(PluginKind.Modality), Description("Text modality component: tokenizes prompts, writes completions.")]
    public string Data { get; set; } = "";

    /// <summary>Prompts: kept text with holes, <c>{N}</c> for N tokens and <c>{*}</c> to fill the rest.</summary>
    [Required, MinLength(1), Description("Prompts: fixed text with holes, {N} = N tokens, {*} = the rest of the sequence.")]
    public string[] Prompts { get; set; } = [];

    /// <summary>Completions per prompt. Default 4.</summary>
    [Range(1, 100_000), Description("Completions per prompt.")]
    public int Count { get; set; } = 4;

    /// <summary>Sampling steps. Default 50.</summary>
    [Range(1, 100_000), Description("Sampling steps.")]
    public int Steps { get; set; } = 50;

    /// <summary>Rows per batch; does not change any completion. Default 64.</summary>
    [Range(1, 65536), Description("Rows per batch (does not change the completions).")]
    public int BatchSize { get; set; } = 64;
}
