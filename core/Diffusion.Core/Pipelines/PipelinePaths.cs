using System.Globalization;

namespace Diffusion.Core.Pipelines;

/// <summary>
/// Dotted paths into a pipeline tree: <c>components.model.base_channels</c>, <c>stages.train.steps</c>
/// (list items that are maps with a <c>name</c> are addressed by name) or <c>stages.0.steps</c> (by index).
/// </summary>
internal static class PipelinePaths
{
    /// <summary>Splits a path; null when a segment is empty.</summary>
    public static string[]? Split(string path)
    {
        var segments = path.Split('.');
        return segments.Any(s => s.Length == 0) ? null : segments;
    }

    /// <summary>Walks <paramref name="count"/> segments from <paramref name="root"/>; on failure says why.</summary>
    public static PipelineNode? Walk(PipelineNode root, IReadOnlyList<string> segments, int count, out string? error)
    {
        var node = root;
        for (int i = 0; i < count; i++)
        {
            string walked = string.Join('.', segments.Take(i));
            var child = Child(node, segments[i], walked, out error);
            if (child is null)
                return null;
            node = child;
        }
        error = null;
        return node;
    }

    /// <summary>The child of a map (by key) or a list (by name, then index), or null with the reason.</summary>
    public static PipelineNode? Child(PipelineNode node, string segment, string walked, out string? error)
    {
        error = null;
        string where = walked.Length == 0 ? "the top level" : $"'{walked}'";
        switch (node)
        {
            case PipelineMap map:
                if (map[segment] is { } value)
                    return value;
                error = $"no key '{segment}' in {where}{Suggestions.DidYouMean(segment, map.Keys)}";
                return null;
            case PipelineSequence sequence:
                int index = IndexOf(sequence, segment, out bool isIndex);
                if (index >= 0)
                    return sequence.Items[index];
                if (isIndex)
                {
                    error = $"index {segment} is out of range: {where} has {sequence.Items.Count} item(s)";
                    return null;
                }
                var names = sequence.Items.Select(PipelineSequence.NameOf).OfType<string>().ToList();
                error = $"no item named '{segment}' in {where}{Suggestions.DidYouMean(segment, names)}" +
                        (names.Count > 0 ? $"; names: {string.Join(", ", names)}" : "");
                return null;
            default:
                error = $"{where} is a value ({node.Describe()}), it has no '{segment}'";
                return null;
        }
    }

    /// <summary>The index of a list item by name, else by number; -1 when neither.</summary>
    public static int IndexOf(PipelineSequence sequence, string segment, out bool isIndex)
    {
        isIndex = false;
        int byName = sequence.IndexOfName(segment);
        if (byName >= 0)
            return byName;
        if (int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out int index))
        {
            isIndex = true;
            return index < sequence.Items.Count ? index : -1;
        }
        return -1;
    }

    /// <summary>The dotted path of every node of a tree (list items by name when they have one).</summary>
    public static Dictionary<PipelineNode, string> PathsOf(PipelineMap root)
    {
        var paths = new Dictionary<PipelineNode, string>(ReferenceEqualityComparer.Instance);
        void Visit(PipelineNode node, string path)
        {
            paths[node] = path;
            string prefix = path.Length == 0 ? "" : path + ".";
            switch (node)
            {
                case PipelineMap map:
                    foreach (var entry in map.Entries)
                        Visit(entry.Value, prefix + entry.Key);
                    break;
                case PipelineSequence sequence:
                    for (int i = 0; i < sequence.Items.Count; i++)
                    {
                        var item = sequence.Items[i];
                        Visit(item, prefix + (PipelineSequence.NameOf(item) ?? i.ToString(CultureInfo.InvariantCulture)));
                    }
                    break;
            }
        }
        Visit(root, "");
        return paths;
    }
}
