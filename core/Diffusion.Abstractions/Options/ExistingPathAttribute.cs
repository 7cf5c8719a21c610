using System.ComponentModel.DataAnnotations;

namespace Diffusion.Abstractions.Options;

/// <summary>
/// Marks a string option that names a file or folder, relative to the working directory: binding (so
/// <c>diffusion validate</c> as well as <c>run</c>) checks that it exists and is of the right kind, and the error
/// points at the value in the pipeline file. An unset (null) option is not checked.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class ExistingPathAttribute(PathKind kind) : ValidationAttribute
{
    /// <summary>What the option must name.</summary>
    public PathKind Kind { get; } = kind;

    /// <inheritdoc />
    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext)
    {
        if (value is not string path)
            return ValidationResult.Success;
        if (string.IsNullOrWhiteSpace(path))
            return new ValidationResult($"the path is empty; name a {Noun} (relative to the working directory) or leave the key out");
        string full;
        try
        {
            full = Path.GetFullPath(path);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return new ValidationResult($"'{path}' is not a valid path: {e.Message}");
        }
        bool isFile = File.Exists(full), isFolder = Directory.Exists(full);
        string shown = path == full ? $"'{path}'" : $"'{path}' ({full})";
        return (Kind, isFile, isFolder) switch
        {
            (PathKind.File, true, _) or (PathKind.Folder, _, true) or (PathKind.FileOrFolder, true, _) or (PathKind.FileOrFolder, _, true) => ValidationResult.Success,
            (PathKind.File, false, true) => new ValidationResult($"{shown} is a folder; name a file"),
            (PathKind.Folder, true, false) => new ValidationResult($"{shown} is a file; name the folder that holds the data"),
            _ => new ValidationResult($"the {Noun} {shown} does not exist (relative to the working directory, {Environment.CurrentDirectory})"),
        };
    }

    private string Noun => Kind switch
    {
        PathKind.File => "file",
        PathKind.Folder => "folder",
        _ => "file or folder",
    };
}
