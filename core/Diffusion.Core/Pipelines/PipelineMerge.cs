namespace Diffusion.Core.Pipelines;

/// <summary>
/// The <c>extends</c> merge: maps merge key by key (the child wins), lists replace, except two non-empty
/// lists whose items are all maps with a <c>name</c> (like <c>stages</c>), which merge item by item by name
/// (same name: the item maps merge; new names are appended in the child's order).
/// </summary>
internal static class PipelineMerge
{
    /// <summary>The merge of <paramref name="child"/> over <paramref name="parent"/>; neither is changed.</summary>
    public static PipelineNode Merge(PipelineNode parent, PipelineNode child)
    {
        if (parent is PipelineMap parentMap && child is PipelineMap childMap)
        {
            var result = (PipelineMap)parentMap.Clone();
            result.Location = childMap.Location;
            foreach (var entry in childMap.Entries)
            {
                var merged = result[entry.Key] is { } existing ? Merge(existing, entry.Value) : entry.Value.Clone();
                result.Set(entry.Key, entry.KeyLocation, merged);
            }
            return result;
        }
        if (parent is PipelineSequence parentList && child is PipelineSequence childList &&
            IsNamedList(parentList) && IsNamedList(childList))
        {
            var result = (PipelineSequence)parentList.Clone();
            result.Location = childList.Location;
            foreach (var item in childList.Items)
            {
                int index = result.IndexOfName(PipelineSequence.NameOf(item)!);
                if (index >= 0)
                    result.ItemList[index] = Merge(result.ItemList[index], item);
                else
                    result.ItemList.Add(item.Clone());
            }
            return result;
        }
        return child.Clone();
    }

    private static bool IsNamedList(PipelineSequence list) =>
        list.Items.Count > 0 && list.Items.All(item => PipelineSequence.NameOf(item) is not null);
}
