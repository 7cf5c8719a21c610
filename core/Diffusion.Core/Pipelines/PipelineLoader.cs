namespace Diffusion.Core.Pipelines;

/// <summary>
/// Loads a pipeline file: reads the YAML with locations, merges <c>extends</c>, applies <c>--set</c> overrides,
/// resolves <c>${...}</c> and makes <c>plugins:</c> folders absolute. Every problem found is reported together
/// in one <see cref="PipelineValidationException"/>.
/// </summary>
/// <remarks>
/// Locations of values given with <c>--set</c> read <c>--set:N:C</c>: N is the 1-based index of the override in
/// the list, C the 1-based column within the argument (so the value of <c>stages.train.steps=abc</c> is at
/// column 19).
/// </remarks>
public static class PipelineLoader
{
    /// <summary>Loads the pipeline file at <paramref name="path"/>.</summary>
    /// <param name="path">The pipeline file.</param>
    /// <param name="overrides"><c>dotted.path=value</c> overrides, applied in order after <c>extends</c>.</param>
    /// <exception cref="PipelineValidationException">With every error found.</exception>
    public static PipelineDocument Load(string path, IReadOnlyList<string>? overrides = null) =>
        LoadCore(path, text: null, overrides ?? []);

    /// <summary>
    /// Loads pipeline text as if it were the file at <paramref name="path"/> (which need not exist; <c>extends</c>
    /// and <c>plugins:</c> are relative to its folder).
    /// </summary>
    /// <exception cref="PipelineValidationException">With every error found.</exception>
    public static PipelineDocument LoadText(string yaml, string path, IReadOnlyList<string>? overrides = null) =>
        LoadCore(path, yaml, overrides ?? []);

    private static PipelineDocument LoadCore(string path, string? text, IReadOnlyList<string> overrides)
    {
        var errors = new PipelineErrors();
        string full = Path.GetFullPath(path);
        string display = DisplayPath(full);
        if (text is null && !File.Exists(full))
        {
            errors.Add(new SourceLocation(display, 1, 1), $"pipeline file not found: {full}");
            errors.ThrowIfAny();
        }

        var root = LoadFile(full, display, text, [full], errors);
        errors.ThrowIfAny();
        root ??= new PipelineMap(new SourceLocation(display, 1, 1));

        // A bad --set path leaves the document as the files wrote it, so binding can still run and report its own
        // errors beside it: the user sees every mistake at once.
        var overrideErrors = new PipelineErrors();
        PipelineOverrides.Apply(root, overrides, overrideErrors);
        PipelineInterpolation.Run(root, errors);
        var folders = ResolvePluginFolders(root, errors);
        foreach (var error in overrideErrors.Sorted()) errors.Add(error.Location, error.Message);
        if (errors.Count > overrideErrors.Count) errors.ThrowIfAny();
        return new PipelineDocument(full, display, root, folders, overrides.ToList(), overrideErrors.Sorted());
    }

    /// <summary>A file with its bases merged under it; null when it could not be read.</summary>
    private static PipelineMap? LoadFile(string full, string display, string? text, List<string> chain, PipelineErrors errors)
    {
        var start = new SourceLocation(display, 1, 1);
        if (text is null)
        {
            try
            {
                text = File.ReadAllText(full);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                errors.Add(start, $"cannot read {full}: {ex.Message}");
                return null;
            }
        }

        var node = PipelineYamlReader.Read(text, display, errors, out bool ok);
        if (!ok)
            return null;
        if (node is null)
            return new PipelineMap(start);
        if (node is not PipelineMap map)
        {
            errors.Add(node.Location, $"a pipeline file is a map of keys (name, components, stages, ...), not {node.Describe()}");
            return null;
        }

        var extends = map.Remove("extends");
        if (extends is null)
            return map;

        PipelineNode? merged = null;
        foreach (var reference in ExtendsValues(extends, errors))
        {
            string baseFull = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(full)!, reference.Text));
            if (chain.Contains(baseFull))
            {
                var cycle = chain.SkipWhile(f => f != baseFull).Append(baseFull).Select(DisplayPath);
                errors.Add(reference.Location, $"extends cycle: {string.Join(" -> ", cycle)}");
                continue;
            }
            if (!File.Exists(baseFull))
            {
                errors.Add(reference.Location, $"extends file not found: {baseFull}");
                continue;
            }
            chain.Add(baseFull);
            var parent = LoadFile(baseFull, DisplayPath(baseFull), null, chain, errors);
            chain.RemoveAt(chain.Count - 1);
            if (parent is not null)
                merged = merged is null ? parent : PipelineMerge.Merge(merged, parent);
        }
        return merged is null ? map : (PipelineMap)PipelineMerge.Merge(merged, map);
    }

    private static IEnumerable<PipelineScalar> ExtendsValues(PipelineMapEntry extends, PipelineErrors errors)
    {
        switch (extends.Value)
        {
            case PipelineScalar { IsNull: true }:
                return [];
            case PipelineScalar scalar:
                return [scalar];
            case PipelineSequence sequence:
                var files = new List<PipelineScalar>();
                foreach (var item in sequence.Items)
                {
                    if (item is PipelineScalar { IsNull: false } file)
                        files.Add(file);
                    else
                        errors.Add(item.Location, $"extends: expected a file name, got {item.Describe()}");
                }
                return files;
            default:
                errors.Add(extends.Value.Location, "extends: expected a file name or a list of file names, got a map");
                return [];
        }
    }

    /// <summary>Makes each <c>plugins:</c> entry absolute, relative to the file it was written in.</summary>
    private static IReadOnlyList<string> ResolvePluginFolders(PipelineMap root, PipelineErrors errors)
    {
        var entry = root.Find("plugins");
        if (entry is null || entry.Value is PipelineScalar { IsNull: true })
            return [];
        List<PipelineNode> items;
        switch (entry.Value)
        {
            case PipelineSequence sequence:
                items = sequence.ItemList;
                break;
            case PipelineScalar scalar:
                // One folder may be written without brackets; it is stored as a list of one.
                var list = new PipelineSequence(scalar.Location);
                list.ItemList.Add(scalar);
                root.Set("plugins", entry.KeyLocation, list);
                items = list.ItemList;
                break;
            default:
                errors.Add(entry.Value.Location, "plugins: expected a list of folders, got a map");
                return [];
        }

        var folders = new List<string>();
        for (int i = 0; i < items.Count; i++)
        {
            if (items[i] is not PipelineScalar { IsNull: false } folder)
            {
                errors.Add(items[i].Location, $"plugins: expected a folder, got {items[i].Describe()}");
                continue;
            }
            string baseDir = folder.Location.File == PipelineOverrides.SourceName
                ? Environment.CurrentDirectory
                : Path.GetDirectoryName(Path.GetFullPath(folder.Location.File))!;
            string absolute = Path.GetFullPath(Path.Combine(baseDir, folder.Text));
            folders.Add(absolute);
            items[i] = new PipelineScalar(absolute, folder.Quoted, folder.Location);
        }
        return folders;
    }

    /// <summary>How a file is named in messages: relative to the current directory when under it, else absolute.</summary>
    internal static string DisplayPath(string full)
    {
        string relative = Path.GetRelativePath(Environment.CurrentDirectory, full);
        return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? full : relative;
    }
}
