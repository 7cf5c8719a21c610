namespace Diffusion.Modalities.Text;

/// <summary>The text-samples artifact: entries separated by lines holding only <c>%</c>, like a fortune file, so it can be read back as a corpus.</summary>
public static class TextSamples
{
    /// <summary>The artifact kind of written text samples (the CLI's <c>runs show</c> prints the first few).</summary>
    public const string ArtifactKind = "text-samples";

    /// <summary>The file text for <paramref name="texts"/>.</summary>
    public static string Format(IEnumerable<string> texts) => string.Join("\n%\n", texts.Select(t => t.Replace("\n%\n", "\n% \n", StringComparison.Ordinal))) + "\n";
}
