namespace Diffusion.Core.Pipelines;

/// <summary>
/// Bounds on what a pipeline file may make the reader do, so a hostile or broken file (a YAML alias bomb, an
/// interpolation that doubles at every level, a thousand nested brackets) is refused within a second with a
/// located error instead of exhausting memory or the stack. Real pipelines are a few hundred values.
/// </summary>
internal static class PipelineLimits
{
    /// <summary>The largest pipeline file read, in bytes.</summary>
    public const int MaxFileBytes = 1 << 20;

    /// <summary>The deepest nesting of maps and lists.</summary>
    public const int MaxDepth = 64;

    /// <summary>How many aliases (<c>*name</c>) one file may use.</summary>
    public const int MaxAliases = 1_000;

    /// <summary>How many values (maps, lists, scalars) a file may hold once aliases and references are expanded.</summary>
    public const int MaxValues = 100_000;

    /// <summary>The longest text a value may reach by interpolation, in characters.</summary>
    public const int MaxTextLength = 1 << 20;

    /// <summary>The number of values in <paramref name="node"/>, counting stops past <paramref name="cap"/>.</summary>
    public static int CountValues(PipelineNode node, int cap = MaxValues + 1)
    {
        int count = 0;
        var stack = new Stack<PipelineNode>();
        stack.Push(node);
        while (stack.Count > 0 && count <= cap)
        {
            var current = stack.Pop();
            count++;
            switch (current)
            {
                case PipelineMap map:
                    foreach (var entry in map.Entries)
                        stack.Push(entry.Value);
                    break;
                case PipelineSequence sequence:
                    foreach (var item in sequence.Items)
                        stack.Push(item);
                    break;
            }
        }
        return count;
    }
}
