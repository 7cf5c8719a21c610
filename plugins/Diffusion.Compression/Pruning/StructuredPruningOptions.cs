namespace Diffusion.Compression.Pruning;

/// <summary>Options of <see cref="StructuredPruningPass"/>.</summary>
public sealed class StructuredPruningOptions : IValidatableObject
{
    /// <summary>Fraction of the hidden channels of each block removed. Default 0.5.</summary>
    [Range(0.0, 0.95), Description("Fraction of each block's hidden channels removed (kept channels round to the GroupNorm group count).")]
    public double Ratio { get; set; } = 0.5;

    /// <summary>How channels are ranked. Default taylor.</summary>
    [Description("Channel ranking: l1 (filter norm) or taylor (|w * grad| of the diffusion loss over timesteps; needs data).")]
    public ChannelImportance Importance { get; set; } = ChannelImportance.Taylor;

    /// <summary>The modality whose training items feed the Taylor importance.</summary>
    [ComponentRef(PluginKind.Modality), Description("Modality component whose training items feed the taylor importance.")]
    public string? Data { get; set; }

    /// <summary>Batches of the diffusion loss accumulated for Taylor importance. Default 8.</summary>
    [Range(1, 10_000), Description("Batches of diffusion loss accumulated for taylor importance.")]
    public int Batches { get; set; } = 8;

    /// <summary>Items per Taylor batch. Default 32.</summary>
    [Range(1, 65536), Description("Items per taylor batch.")]
    public int BatchSize { get; set; } = 32;

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Importance == ChannelImportance.Taylor && Data is null)
            yield return new ValidationResult("importance: taylor needs data: (the modality component whose items give the diffusion loss), or use importance: l1", [nameof(Data)]);
    }
}
