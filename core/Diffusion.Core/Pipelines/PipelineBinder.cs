using Diffusion.Abstractions.Plugins;
using Diffusion.Core.Options;
using Diffusion.Core.Plugins;
using Diffusion.Core.Sweeps;

namespace Diffusion.Core.Pipelines;

/// <summary>
/// Turns a loaded <see cref="PipelineDocument"/> into a typed <see cref="PipelineSpec"/>: checks the top-level
/// keys, resolves each component's <c>plugin</c> and each stage's <c>type</c> in the catalog, and binds and
/// validates their options. Every problem is reported together.
/// </summary>
public static class PipelineBinder
{
    /// <summary>The keys a pipeline file may have at its top level.</summary>
    public static IReadOnlyList<string> TopLevelKeys { get; } =
        ["extends", "name", "description", "seed", "device", "threads", "plugins", "tags", "components", "stages", "sweep"];

    /// <summary>The values <c>device</c> may take.</summary>
    public static IReadOnlyList<string> Devices { get; } = ["auto", "cpu", "cuda"];

    private static readonly string[] ComponentReserved = ["plugin"];
    private static readonly string[] StageReserved = ["name", "type"];

    /// <summary>Binds and validates a loaded pipeline against the plugins of <paramref name="catalog"/>.</summary>
    /// <exception cref="PipelineValidationException">With every error found, sorted by file, line and column.</exception>
    public static PipelineSpec Bind(PipelineDocument document, IPluginCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(catalog);
        var errors = new PipelineErrors();
        foreach (var error in document.OverrideErrors) errors.Add(error.Location, error.Message);
        var root = document.Root;

        foreach (var entry in root.Entries.Where(e => !TopLevelKeys.Contains(e.Key)))
        {
            errors.Add(entry.KeyLocation,
                $"unknown key '{entry.Key}'{Suggestions.DidYouMean(entry.Key, TopLevelKeys)}; valid keys: {string.Join(", ", TopLevelKeys)}");
        }

        string name = Path.GetFileNameWithoutExtension(document.FilePath);
        if (root["name"] is { } nameNode)
        {
            if (nameNode is PipelineScalar { IsNull: false } text && text.Text.Trim().Length > 0)
                name = text.Text;
            else
                errors.Add(nameNode.Location, $"name: expected a string, got {nameNode.Describe()}");
        }

        string? description = null;
        if (root["description"] is { } descriptionNode)
        {
            if (descriptionNode is PipelineScalar text)
                description = text.IsNull ? null : text.Text;
            else
                errors.Add(descriptionNode.Location, $"description: expected a string, got {descriptionNode.Describe()}");
        }

        long seed = 0;
        if (root["seed"] is { } seedNode &&
            (seedNode is not PipelineScalar { IsNull: false } seedText || !OptionValues.TryParseInteger(seedText.Text, out seed)))
        {
            errors.Add(seedNode.Location, $"seed: expected an integer, got {seedNode.Describe()}");
        }

        string device = "auto";
        if (root["device"] is { } deviceNode)
        {
            string? value = (deviceNode as PipelineScalar)?.Text.Trim().ToLowerInvariant();
            if (value is not null && Devices.Contains(value))
                device = value;
            else
                errors.Add(deviceNode.Location, $"device: expected one of {string.Join('|', Devices)}, got {deviceNode.Describe()}" +
                    (deviceNode is PipelineScalar d ? Suggestions.DidYouMean(d.Text, Devices) : ""));
        }

        int? threads = null;
        if (root["threads"] is { } threadsNode)
        {
            string? text = (threadsNode as PipelineScalar)?.Text.Trim();
            if (threadsNode is PipelineScalar { IsNull: true } || text == "auto")
                threads = null;
            else if (text is not null && OptionValues.TryParseInteger(text, out long count) && count is >= 1 and <= 1024)
                threads = (int)count;
            else
                errors.Add(threadsNode.Location, $"threads: expected auto or a whole number from 1 to 1024 (libtorch's threads for this run), got {threadsNode.Describe()}");
        }

        var tags = BindTags(root["tags"], errors);
        var sweep = SweepBinder.Bind(root["sweep"], seed, errors, PluginMetricGoals.Of(catalog));

        var components = ReadComponents(root["components"], catalog, errors);
        var kinds = new Dictionary<string, PluginKind?>();
        foreach (var component in components)
            kinds.TryAdd(component.Name, component.Plugin?.Kind);
        var stages = ReadStages(root["stages"], catalog, errors);
        if (stages.Count == 0 && root["stages"] is null or PipelineScalar { IsNull: true } or PipelineSequence { Items.Count: 0 })
        {
            // A file with no stages would record a COMPLETED run that did nothing.
            var where = root["stages"]?.Location ?? root.Location;
            errors.Add(where, root.Entries.Count == 0
                ? "the pipeline is empty; a pipeline needs components and at least one stage, e.g. 'stages: [{name: train, type: train}]' (see docs/pipelines.md)"
                : "the pipeline has no stages; add at least one stage under 'stages:', e.g. '- {name: train, type: train}' (see docs/pipelines.md)");
        }

        var binder = new OptionsBinder(errors, kinds);
        var parameters = new List<KeyValuePair<string, object>>
        {
            new("name", name),
            new("seed", seed),
            new("device", device),
        };

        var componentSpecs = new List<ComponentSpec>();
        foreach (var component in components)
        {
            if (component.Plugin is null)
                continue;
            string owner = $"component '{component.Name}' ({component.Plugin.Name})";
            string prefix = $"components.{component.Name}.";
            object? options = BindOptions(binder, component.Plugin, component.Map, ComponentReserved, owner, prefix, component.Location);
            componentSpecs.Add(new ComponentSpec(component.Name, component.Plugin, options, component.Location));
            parameters.Add(new(prefix + "plugin", component.Plugin.Name));
            if (options is not null)
                OptionsDescriber.Flatten(options, prefix, parameters);
        }

        var stageSpecs = new List<StageSpec>();
        foreach (var stage in stages)
        {
            if (stage.Type is null || stage.Name is null)
                continue;
            string owner = $"stage '{stage.Name}' ({stage.Type.Name})";
            string prefix = $"stages.{stage.Name}.";
            object? options = BindOptions(binder, stage.Type, stage.Map, StageReserved, owner, prefix, stage.Location);
            stageSpecs.Add(new StageSpec(stage.Name, stage.Type, options, stage.Location));
            parameters.Add(new(prefix + "type", stage.Type.Name));
            if (options is not null)
                OptionsDescriber.Flatten(options, prefix, parameters);
        }

        errors.ThrowIfAny();
        return new PipelineSpec(document.FilePath, document.ToYaml(), name, seed, device, componentSpecs, stageSpecs, parameters)
        {
            Description = description,
            Tags = tags,
            PluginFolders = document.PluginFolders,
            Threads = threads,
            Sweep = sweep,
            Warnings = errors.Warnings,
        };
    }

    private static object? BindOptions(OptionsBinder binder, PluginDescriptor plugin, PipelineMap map,
        IReadOnlyCollection<string> reserved, string owner, string path, SourceLocation location)
    {
        if (plugin.OptionsType is null)
        {
            binder.RejectAll(map, reserved, owner);
            return null;
        }
        return binder.Bind(plugin.OptionsType, map, reserved, owner, path, location);
    }

    private static List<KeyValuePair<string, string>> BindTags(PipelineNode? node, PipelineErrors errors)
    {
        var tags = new List<KeyValuePair<string, string>>();
        switch (node)
        {
            case null or PipelineScalar { IsNull: true }:
                break;
            case PipelineMap map:
                foreach (var entry in map.Entries)
                {
                    if (entry.Value is PipelineScalar value)
                        tags.Add(new(entry.Key, value.IsNull ? "" : value.Text));
                    else
                        errors.Add(entry.Value.Location, $"tags.{entry.Key}: expected a string, got {entry.Value.Describe()}");
                }
                break;
            default:
                errors.Add(node.Location, $"tags: expected a map of names to values, got {node.Describe()}");
                break;
        }
        return tags;
    }

    private sealed record ComponentEntry(string Name, PipelineMap Map, PluginDescriptor? Plugin, SourceLocation Location);

    private static List<ComponentEntry> ReadComponents(PipelineNode? node, IPluginCatalog catalog, PipelineErrors errors)
    {
        var components = new List<ComponentEntry>();
        if (node is null or PipelineScalar { IsNull: true })
            return components;
        if (node is not PipelineMap map)
        {
            errors.Add(node.Location, $"components: expected a map of component names to {{plugin: NAME, ...}}, got {node.Describe()}");
            return components;
        }
        foreach (var entry in map.Entries)
        {
            CheckName(entry.Key, entry.KeyLocation, "component", errors);
            if (entry.Value is not PipelineMap body)
            {
                errors.Add(entry.Value.Location, $"component '{entry.Key}': expected a map with a 'plugin' key, got {entry.Value.Describe()}");
                continue;
            }
            PluginDescriptor? plugin = null;
            if (body.Find("plugin") is not { } pluginEntry)
                errors.Add(entry.KeyLocation, $"component '{entry.Key}' has no 'plugin' key; available {AvailablePlugins(catalog)}");
            else if (pluginEntry.Value is not PipelineScalar { IsNull: false } pluginName)
                errors.Add(pluginEntry.Value.Location, $"component '{entry.Key}': plugin: expected a plugin name, got {pluginEntry.Value.Describe()}");
            else
                plugin = ResolvePlugin(pluginName, catalog, errors);
            components.Add(new ComponentEntry(entry.Key, body, plugin, entry.KeyLocation));
        }
        return components;
    }

    private sealed record StageEntry(string? Name, PipelineMap Map, PluginDescriptor? Type, SourceLocation Location);

    private static List<StageEntry> ReadStages(PipelineNode? node, IPluginCatalog catalog, PipelineErrors errors)
    {
        var stages = new List<StageEntry>();
        if (node is null or PipelineScalar { IsNull: true })
            return stages;
        if (node is not PipelineSequence list)
        {
            errors.Add(node.Location, $"stages: expected a list of {{name: NAME, type: TYPE, ...}}, got {node.Describe()}");
            return stages;
        }
        var seen = new Dictionary<string, SourceLocation>();
        for (int i = 0; i < list.Items.Count; i++)
        {
            var item = list.Items[i];
            if (item is not PipelineMap body)
            {
                errors.Add(item.Location, $"stages[{i}]: expected a map with 'name' and 'type', got {item.Describe()}");
                continue;
            }
            string? name = null;
            switch (body["name"])
            {
                case null:
                    errors.Add(body.Location, $"stages[{i}] has no 'name'; every stage needs a unique name");
                    break;
                case PipelineScalar { IsNull: false } text when text.Text.Trim().Length > 0:
                    if (seen.TryGetValue(text.Text, out var first))
                    {
                        errors.Add(text.Location, $"duplicate stage name '{text.Text}' (first used at line {first.Line}); stage names must be unique");
                    }
                    else
                    {
                        seen[text.Text] = text.Location;
                        if (CheckName(text.Text, text.Location, "stage", errors))
                            name = text.Text;
                    }
                    break;
                case var other:
                    errors.Add(other.Location, $"stages[{i}]: name: expected a string, got {other.Describe()}");
                    break;
            }

            PluginDescriptor? type = null;
            string label = name is null ? $"stages[{i}]" : $"stage '{name}'";
            switch (body["type"])
            {
                case null:
                    errors.Add(body.Location, $"{label} has no 'type'; available stage types: {string.Join(", ", catalog.NamesOf(PluginKind.Stage))}");
                    break;
                case PipelineScalar { IsNull: false } text:
                    type = ResolveStageType(text, catalog, errors);
                    break;
                case var other:
                    errors.Add(other.Location, $"{label}: type: expected a stage type, got {other.Describe()}");
                    break;
            }
            stages.Add(new StageEntry(name, body, type, body.Location));
        }
        return stages;
    }

    /// <summary>Component and stage names become path segments, so they cannot hold '.'.</summary>
    private static bool CheckName(string name, SourceLocation location, string what, PipelineErrors errors)
    {
        if (name.Contains('.') || name.Trim().Length == 0)
        {
            errors.Add(location, $"{what} name '{name}' must be non-empty and cannot contain '.' (names are parts of dotted paths)");
            return false;
        }
        return true;
    }

    private static PluginDescriptor? ResolveStageType(PipelineScalar text, IPluginCatalog catalog, PipelineErrors errors)
    {
        string value = text.Text.Trim();
        if (value.StartsWith("stage/", StringComparison.OrdinalIgnoreCase))
            value = value["stage/".Length..];
        if (catalog.Find(PluginKind.Stage, value) is { } stage)
            return stage;
        var names = catalog.NamesOf(PluginKind.Stage);
        string note = ComponentKinds.Any(k => catalog.Find(k, value) is not null) ? $" ('{value}' is a component plugin: declare it under components)" : "";
        errors.Add(text.Location, $"unknown stage type '{value}'{Suggestions.DidYouMean(value, names)}{note}; available stage types: {string.Join(", ", names)}");
        return null;
    }

    /// <summary>The first wave's name of <see cref="PluginKind.Sampler"/>, still accepted in <c>kind/name</c> with a warning.</summary>
    private const string DeprecatedSamplerKind = "scheduler";

    private static readonly PluginKind[] ComponentKinds = Enum.GetValues<PluginKind>().Where(k => k != PluginKind.Stage).ToArray();

    /// <summary>A component's plugin: a name unique across the component kinds, or <c>kind/name</c>.</summary>
    private static PluginDescriptor? ResolvePlugin(PipelineScalar text, IPluginCatalog catalog, PipelineErrors errors)
    {
        string value = text.Text.Trim();
        int slash = value.IndexOf('/');
        if (slash >= 0)
        {
            string kindName = value[..slash];
            string pluginName = value[(slash + 1)..];
            var kindNames = ComponentKinds.Select(k => k.ToName()).ToList();
            if (kindName.Equals(PluginKind.Stage.ToName(), StringComparison.OrdinalIgnoreCase))
            {
                errors.Add(text.Location, $"'{value}' is a stage type; stages go in the stages: list, components name other plugins");
                return null;
            }
            if (kindName.Equals(DeprecatedSamplerKind, StringComparison.OrdinalIgnoreCase))
            {
                // The first wave called samplers "schedulers": its pipelines keep working, with the new spelling said.
                errors.Warn(text.Location, $"plugin kind '{kindName}' is deprecated; write '{PluginKind.Sampler.ToName()}/{pluginName}'");
                kindName = PluginKind.Sampler.ToName();
            }
            var kind = ComponentKinds.Where(k => k.ToName().Equals(kindName, StringComparison.OrdinalIgnoreCase)).Cast<PluginKind?>().FirstOrDefault();
            if (kind is null)
            {
                errors.Add(text.Location, $"unknown plugin kind '{kindName}'{Suggestions.DidYouMean(kindName, kindNames)}; kinds: {string.Join(", ", kindNames)}");
                return null;
            }
            if (catalog.Find(kind.Value, pluginName) is { } found)
                return found;
            var names = catalog.NamesOf(kind.Value);
            errors.Add(text.Location, $"unknown {kind.Value.ToName()} '{pluginName}'{Suggestions.DidYouMean(pluginName, names)}; available {Plural(kind.Value)}: {(names.Count > 0 ? string.Join(", ", names) : "none")}");
            return null;
        }

        var matches = ComponentKinds.Select(k => catalog.Find(k, value)).OfType<PluginDescriptor>().ToList();
        if (matches.Count == 1)
            return matches[0];
        if (matches.Count > 1)
        {
            var kinds = matches.Select(m => m.Kind.ToName()).ToList();
            errors.Add(text.Location,
                $"plugin name '{value}' is ambiguous: there is a {string.Join(" and a ", kinds)} of that name; write {string.Join(" or ", kinds.Select(k => $"'{k}/{value}'"))}");
            return null;
        }
        var all = ComponentKinds.SelectMany(catalog.NamesOf).Distinct().ToList();
        string note = catalog.Find(PluginKind.Stage, value) is not null ? $" ('{value}' is a stage type: use it as a stage's type)" : "";
        errors.Add(text.Location, $"unknown plugin '{value}'{Suggestions.DidYouMean(value, all)}{note}; available {AvailablePlugins(catalog)}");
        return null;
    }

    /// <summary><c>denoisers: unet2d; samplers: ddim, ddpm</c>: the component plugins by kind.</summary>
    private static string AvailablePlugins(IPluginCatalog catalog)
    {
        var groups = ComponentKinds
            .Select(k => (Kind: k, Names: catalog.NamesOf(k)))
            .Where(g => g.Names.Count > 0)
            .Select(g => $"{Plural(g.Kind)}: {string.Join(", ", g.Names)}")
            .ToList();
        return groups.Count > 0 ? string.Join("; ", groups) : "plugins: none";
    }

    private static string Plural(PluginKind kind) => kind switch
    {
        PluginKind.Sampler => "samplers",
        PluginKind.Denoiser => "denoisers",
        PluginKind.Modality => "modalities",
        PluginKind.Compression => "compression passes",
        PluginKind.PostProcessor => "postprocessors",
        PluginKind.Stage => "stage types",
        _ => kind.ToName(),
    };
}
