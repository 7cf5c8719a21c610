namespace Diffusion.Core.Plugins;

/// <summary>A plugin assembly or class that could not be used; the host goes on without it.</summary>
/// <param name="Source">The file (or folder) at fault.</param>
/// <param name="Message">What went wrong and, where possible, how to fix it.</param>
public sealed record PluginProblem(string Source, string Message)
{
    /// <inheritdoc />
    public override string ToString() => $"{Source}: {Message}";
}
