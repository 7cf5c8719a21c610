namespace Diffusion.Core.Pipelines;

/// <summary>A scalar as written: its text and whether it was quoted.</summary>
public sealed class PipelineScalar : PipelineNode
{
    /// <summary>Creates a scalar.</summary>
    /// <param name="text">The value's text, without quotes or escapes.</param>
    /// <param name="quoted">True when written quoted, as a block scalar or with <c>!!str</c>: always a string.</param>
    /// <param name="location">Where it was written.</param>
    public PipelineScalar(string text, bool quoted, SourceLocation location) : base(location)
    {
        Text = text;
        Quoted = quoted;
    }

    /// <summary>The value's text, without quotes or escapes.</summary>
    public string Text { get; }

    /// <summary>True when written quoted, as a block scalar or with <c>!!str</c>: always a string, never null.</summary>
    public bool Quoted { get; }

    /// <summary>True for an unquoted empty value, <c>~</c> or <c>null</c>.</summary>
    public bool IsNull => !Quoted && IsNullText(Text);

    /// <inheritdoc />
    public override PipelineNode Clone() => new PipelineScalar(Text, Quoted, Location);

    /// <inheritdoc />
    public override string ToString() => Text;

    internal override string Describe() => IsNull ? "null" : $"'{Text}'";

    internal static bool IsNullText(string text) => text is "" or "~" or "null" or "Null" or "NULL";
}
