namespace Diffusion.Core.Pipelines;

/// <summary>One key of a <see cref="PipelineMap"/>.</summary>
public sealed class PipelineMapEntry
{
    internal PipelineMapEntry(string key, SourceLocation keyLocation, PipelineNode value)
    {
        Key = key;
        KeyLocation = keyLocation;
        Value = value;
    }

    /// <summary>The key.</summary>
    public string Key { get; }

    /// <summary>Where the key was written.</summary>
    public SourceLocation KeyLocation { get; }

    /// <summary>The value.</summary>
    public PipelineNode Value { get; internal set; }
}
