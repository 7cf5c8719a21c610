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

/// <summary>A map whose keys keep the order they were written in.</summary>
public sealed class PipelineMap : PipelineNode
{
    private readonly List<PipelineMapEntry> _entries = [];

    /// <summary>Creates an empty map.</summary>
    public PipelineMap(SourceLocation location) : base(location)
    {
    }

    /// <summary>The keys and values, in order.</summary>
    public IReadOnlyList<PipelineMapEntry> Entries => _entries;

    /// <summary>The keys, in order.</summary>
    public IEnumerable<string> Keys => _entries.Select(e => e.Key);

    /// <summary>The value of a key, or null when the key is absent.</summary>
    public PipelineNode? this[string key] => Find(key)?.Value;

    /// <summary>The entry of a key, or null when the key is absent.</summary>
    public PipelineMapEntry? Find(string key)
    {
        foreach (var entry in _entries)
        {
            if (entry.Key == key)
                return entry;
        }
        return null;
    }

    /// <summary>Sets a key: replaces its value when present (keeping its place), appends it otherwise.</summary>
    internal void Set(string key, SourceLocation keyLocation, PipelineNode value)
    {
        int index = _entries.FindIndex(e => e.Key == key);
        var entry = new PipelineMapEntry(key, keyLocation, value);
        if (index >= 0)
            _entries[index] = entry;
        else
            _entries.Add(entry);
    }

    /// <summary>Removes a key; returns its entry or null.</summary>
    internal PipelineMapEntry? Remove(string key)
    {
        int index = _entries.FindIndex(e => e.Key == key);
        if (index < 0)
            return null;
        var entry = _entries[index];
        _entries.RemoveAt(index);
        return entry;
    }

    /// <inheritdoc />
    public override PipelineNode Clone()
    {
        var copy = new PipelineMap(Location);
        foreach (var entry in _entries)
            copy._entries.Add(new PipelineMapEntry(entry.Key, entry.KeyLocation, entry.Value.Clone()));
        return copy;
    }

    internal override string Describe() => "a map";
}

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
