namespace Diffusion.Core.Pipelines;

/// <summary>A list of values.</summary>
public sealed class PipelineSequence : PipelineNode
{
    /// <summary>Creates an empty list.</summary>
    public PipelineSequence(SourceLocation location) : base(location)
    {
    }

    /// <summary>The items, in order.</summary>
    public IReadOnlyList<PipelineNode> Items => ItemList;

    internal List<PipelineNode> ItemList { get; } = [];

    /// <summary>The index of the item that is a map whose <c>name</c> is <paramref name="name"/>, or -1.</summary>
    public int IndexOfName(string name) => ItemList.FindIndex(item => NameOf(item) == name);

    /// <summary>The <c>name</c> of an item that is a map with a scalar <c>name</c>, or null.</summary>
    internal static string? NameOf(PipelineNode item) =>
        item is PipelineMap map && map["name"] is PipelineScalar { IsNull: false } name ? name.Text : null;

    /// <inheritdoc />
    public override PipelineNode Clone()
    {
        var copy = new PipelineSequence(Location);
        foreach (var item in ItemList)
            copy.ItemList.Add(item.Clone());
        return copy;
    }

    internal override string Describe() => "a list";
}
