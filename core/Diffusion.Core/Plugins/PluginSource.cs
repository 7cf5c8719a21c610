namespace Diffusion.Core.Plugins;

/// <summary>A folder to look for plugins in, and why it is searched.</summary>
/// <param name="Folder">Absolute path of the folder.</param>
/// <param name="Origin">"first-party", "pipeline" or "DIFFUSION_PLUGIN_PATH".</param>
public sealed record PluginSource(string Folder, string Origin)
{
    /// <summary>The environment variable listing extra plugin folders (separated by ':' on Unix, ';' on Windows).</summary>
    public const string EnvironmentVariable = "DIFFUSION_PLUGIN_PATH";

    /// <summary>
    /// The default sources: the <c>plugins/</c> folder beside the host, then the folders in
    /// <see cref="EnvironmentVariable"/>, then the folders a pipeline names.
    /// </summary>
    public static IReadOnlyList<PluginSource> Defaults(IEnumerable<string>? pipelineFolders = null)
    {
        var sources = new List<PluginSource> { new(Path.Combine(AppContext.BaseDirectory, "plugins"), "first-party") };
        string? env = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(env))
        {
            foreach (string folder in env.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                sources.Add(new PluginSource(Path.GetFullPath(folder), EnvironmentVariable));
        }
        foreach (string folder in pipelineFolders ?? [])
            sources.Add(new PluginSource(Path.GetFullPath(folder), "pipeline"));
        return sources;
    }
}
