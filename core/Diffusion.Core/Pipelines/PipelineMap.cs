namespace Diffusion.Core.Pipelines;

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
