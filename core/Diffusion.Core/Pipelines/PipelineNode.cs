namespace Diffusion.Core.Pipelines;

/// <summary>
/// A value of a pipeline file: a <see cref="PipelineMap"/>, a <see cref="PipelineSequence"/> or a
/// <see cref="PipelineScalar"/>, each with the place it was written.
/// </summary>
public abstract class PipelineNode
{
    private protected PipelineNode(SourceLocation location) => Location = location;

    /// <summary>Where the value starts (for values given with <c>--set</c>, see <see cref="PipelineLoader"/>).</summary>
    public SourceLocation Location { get; internal set; }

    /// <summary>A deep copy.</summary>
    public abstract PipelineNode Clone();

    /// <summary>A deep copy whose top node has another location (the nodes inside keep theirs).</summary>
    internal PipelineNode CloneAt(SourceLocation location)
    {
        var copy = Clone();
        copy.Location = location;
        return copy;
    }

    /// <summary>How the value reads in a message: <c>'text'</c>, <c>a map</c> or <c>a list</c>.</summary>
    internal abstract string Describe();
}
