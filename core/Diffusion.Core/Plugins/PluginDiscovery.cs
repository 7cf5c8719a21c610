using System.Reflection;
using Diffusion.Abstractions.Plugins;

namespace Diffusion.Core.Plugins;

/// <summary>
/// Finds plugin assemblies in folders, loads each in its own <see cref="PluginLoadContext"/>, and builds the
/// catalog from the classes marked <see cref="PluginAttribute"/>. A broken plugin never stops discovery: it
/// becomes a <see cref="PluginProblem"/> naming its file and the cause, and the others keep working.
/// </summary>
public static class PluginDiscovery
{
    private static readonly object Gate = new();
    private static readonly Dictionary<string, Assembly> LoadedByPath = new(StringComparer.Ordinal);

    /// <summary>Builds a catalog from every plugin assembly in <paramref name="sources"/> (the host itself has none).</summary>
    public static PluginCatalog Discover(IEnumerable<PluginSource> sources)
    {
        var problems = new List<PluginProblem>();
        var found = new List<PluginDescriptor>();

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var source in sources)
        {
            if (!Directory.Exists(source.Folder))
            {
                if (source.Origin != "first-party")
                    problems.Add(new PluginProblem(source.Folder, $"plugin folder does not exist (listed by {source.Origin})"));
                continue;
            }
            foreach (string file in FindPluginAssemblies(source.Folder))
            {
                if (!seen.Add(Path.GetFullPath(file))) continue;
                var assembly = Load(file, problems);
                if (assembly is not null) found.AddRange(Describe(assembly, file, problems));
            }
        }

        var unique = new List<PluginDescriptor>();
        foreach (var group in found.GroupBy(d => (d.Kind, d.Name)))
        {
            var list = group.ToList();
            if (list.Count == 1) { unique.Add(list[0]); continue; }
            string where = string.Join(" and ", list.Select(d => $"{d.Assembly} ({d.Source})"));
            problems.Add(new PluginProblem(list[1].Source,
                $"two plugins are named {group.Key.Kind.ToName()} '{group.Key.Name}': {where}; the first one is used. Rename one of them."));
            unique.Add(list[0]);
        }
        return new PluginCatalog(unique, problems);
    }

    /// <summary>
    /// A plugin's main assembly is a .dll with a .deps.json beside it (what a project with
    /// EnableDynamicLoading builds), in the folder itself or one level below.
    /// </summary>
    private static IEnumerable<string> FindPluginAssemblies(string folder)
    {
        var folders = new[] { folder }.Concat(Directory.EnumerateDirectories(folder).Order(StringComparer.Ordinal));
        foreach (string dir in folders)
        {
            foreach (string deps in Directory.EnumerateFiles(dir, "*.deps.json").Order(StringComparer.Ordinal))
            {
                string dll = deps[..^".deps.json".Length] + ".dll";
                if (File.Exists(dll)) yield return dll;
            }
        }
    }

    private static Assembly? Load(string file, List<PluginProblem> problems)
    {
        string full = Path.GetFullPath(file);
        lock (Gate)
        {
            if (LoadedByPath.TryGetValue(full, out var loaded)) return loaded;
            try
            {
                string? unusable = CheckFiles(full);
                if (unusable is not null)
                {
                    problems.Add(new PluginProblem(full, unusable));
                    return null;
                }
                var context = new PluginLoadContext(full);
                var assembly = context.LoadFromAssemblyPath(full);
                string? incompatibility = CheckContractVersion(assembly);
                if (incompatibility is not null)
                {
                    problems.Add(new PluginProblem(full, incompatibility));
                    return null;
                }
                LoadedByPath[full] = assembly;
                return assembly;
            }
            catch (Exception e) when (e is BadImageFormatException or FileLoadException or FileNotFoundException)
            {
                problems.Add(new PluginProblem(full, $"cannot load the assembly: {e.Message}"));
                return null;
            }
        }
    }

    /// <summary>
    /// Checks what the native dependency resolver would otherwise choke on (it aborts the process on a malformed
    /// .deps.json): the file must be a managed assembly and its .deps.json valid JSON with a "targets" object.
    /// </summary>
    private static string? CheckFiles(string dll)
    {
        try
        {
            AssemblyName.GetAssemblyName(dll);
        }
        catch (BadImageFormatException)
        {
            return "cannot load the assembly: it is not a .NET assembly";
        }
        string deps = dll[..^".dll".Length] + ".deps.json";
        try
        {
            using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(deps));
            if (json.RootElement.ValueKind != System.Text.Json.JsonValueKind.Object ||
                !json.RootElement.TryGetProperty("targets", out var targets) || targets.ValueKind != System.Text.Json.JsonValueKind.Object)
                return $"cannot load the assembly: {Path.GetFileName(deps)} has no \"targets\" section; rebuild the plugin with EnableDynamicLoading";
            string? missing = MissingDependency(dll, targets);
            if (missing is not null) return missing;
        }
        catch (System.Text.Json.JsonException e)
        {
            return $"cannot load the assembly: {Path.GetFileName(deps)} is not valid JSON ({e.Message})";
        }
        return null;
    }

    /// <summary>
    /// The first assembly the plugin's .deps.json lists as a run-time dependency that is not beside it (the shared
    /// assemblies come from the host and are not needed). Without this check the plugin would load and then fail
    /// later, when a type or method that needs the dependency is first used.
    /// </summary>
    private static string? MissingDependency(string dll, System.Text.Json.JsonElement targets)
    {
        string folder = Path.GetDirectoryName(dll)!;
        foreach (var target in targets.EnumerateObject())
        {
            if (target.Value.ValueKind != System.Text.Json.JsonValueKind.Object) continue;
            foreach (var library in target.Value.EnumerateObject())
            {
                if (library.Value.ValueKind != System.Text.Json.JsonValueKind.Object ||
                    !library.Value.TryGetProperty("runtime", out var runtime) || runtime.ValueKind != System.Text.Json.JsonValueKind.Object)
                    continue;
                foreach (var asset in runtime.EnumerateObject())
                {
                    string file = Path.GetFileName(asset.Name);
                    if (!file.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)) continue;
                    if (PluginLoadContext.IsShared(new AssemblyName(Path.GetFileNameWithoutExtension(file)))) continue;
                    if (!File.Exists(Path.Combine(folder, file)))
                        return $"a dependency is missing: {file} (from {library.Name}, listed in {Path.GetFileNameWithoutExtension(dll)}.deps.json) " +
                               $"is not in {folder}; copy the plugin's whole build output, not just {Path.GetFileName(dll)}";
                }
            }
        }
        return null;
    }

    private static string? CheckContractVersion(Assembly assembly)
    {
        var host = typeof(PluginAttribute).Assembly.GetName().Version;
        var wanted = assembly.GetReferencedAssemblies().FirstOrDefault(a => a.Name == "Diffusion.Abstractions")?.Version;
        if (host is null || wanted is null || wanted.Major == host.Major) return null;
        return $"built against Diffusion.Abstractions {wanted.Major}.x but this host provides {host.Major}.x; rebuild the plugin against version {host.Major}";
    }

    private static IEnumerable<PluginDescriptor> Describe(Assembly assembly, string source, List<PluginProblem> problems)
    {
        Type[] types;
        try
        {
            types = assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException e)
        {
            string cause = e.LoaderExceptions.FirstOrDefault(x => x is not null)?.Message ?? e.Message;
            problems.Add(new PluginProblem(source, $"a dependency is missing or incompatible: {cause}"));
            types = e.Types.Where(t => t is not null).ToArray()!;
        }

        string version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
                         ?? assembly.GetName().Version?.ToString() ?? "0.0.0";
        foreach (var type in types)
        {
            PluginAttribute? attribute;
            try
            {
                attribute = type.GetCustomAttribute<PluginAttribute>();
            }
            catch (Exception e) when (e is FileNotFoundException or FileLoadException or TypeLoadException)
            {
                problems.Add(new PluginProblem(source, $"{type.FullName}: {e.Message}"));
                continue;
            }
            if (attribute is null) continue;
            string? error = Check(type, attribute);
            if (error is not null)
            {
                problems.Add(new PluginProblem(source, $"{type.FullName} ({attribute.Kind.ToName()} '{attribute.Name}'): {error}"));
                continue;
            }
            yield return new PluginDescriptor(attribute.Kind, attribute.Name, type, attribute.Options,
                assembly.GetName().Name ?? type.Assembly.FullName ?? "?", version, source, attribute.Description);
        }
    }

    private static string? Check(Type type, PluginAttribute attribute)
    {
        if (type.IsAbstract || !type.IsClass) return "a plugin must be a concrete class";
        var contract = attribute.Kind.ContractType();
        if (!contract.IsAssignableFrom(type)) return $"a {attribute.Kind.ToName()} plugin must implement {contract.FullName}";
        if (string.IsNullOrWhiteSpace(attribute.Name) || attribute.Name.Any(c => char.IsWhiteSpace(c) || c == '/' || char.IsUpper(c)))
            return "the plugin name must be lower-case with no spaces or '/'";
        if (attribute.Options is { } options && options.GetConstructor(Type.EmptyTypes) is null)
            return $"its options type {options.Name} needs a public parameterless constructor";
        return null;
    }
}
