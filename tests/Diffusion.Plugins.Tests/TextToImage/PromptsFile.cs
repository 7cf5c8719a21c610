namespace Diffusion.Plugins.Tests.TextToImage;

/// <summary>Reads a prompts artifact (text-samples format: entries separated by lines holding only %).</summary>
internal static class PromptsFile
{
    public static string[] Read(string path) =>
        File.ReadAllText(path).TrimEnd('\n').Split("\n%\n");
}
