namespace Diffusion.Abstractions.Options;

/// <summary>What an <see cref="ExistingPathAttribute"/> option must name.</summary>
public enum PathKind
{
    /// <summary>A file.</summary>
    File,

    /// <summary>A folder.</summary>
    Folder,

    /// <summary>A file or a folder.</summary>
    FileOrFolder,
}
