using System.Text.RegularExpressions;

namespace Diffusion.Modalities.CrossModal.Captions;

/// <summary>
/// Prompts made from class names and templates such as "a photo of a {name}": the name is lower-cased and cut to its
/// first alternative ("T-shirt/top" becomes "t-shirt", "Ankle_boot" becomes "ankle boot"), and the article before it
/// agrees ("a photo of an ankle boot"). Item i of a split gets a template chosen by a fixed hash of (split, i), so the
/// same item always gets the same prompt, and templates are not tied to any order of the items.
/// </summary>
internal static partial class ClassPrompts
{
    /// <summary>The placeholder a template must hold.</summary>
    public const string Placeholder = "{name}";

    /// <summary>The default templates.</summary>
    public static readonly IReadOnlyList<string> DefaultTemplates =
        ["a photo of a {name}", "a {name}", "a picture of a {name}", "an image of a {name}", "a photo of the {name}"];

    /// <summary>The name of a class as prompts say it.</summary>
    public static string PromptName(string className)
    {
        string name = className.Split('/')[0].Replace('_', ' ').Trim().ToLowerInvariant();
        return Spaces().Replace(name, " ");
    }

    /// <summary>The prompt for <paramref name="className"/> under <paramref name="template"/>.</summary>
    public static string Format(string template, string className)
    {
        string name = PromptName(className);
        bool vowel = name.Length > 0 && "aeiou".Contains(name[0], StringComparison.Ordinal);
        string text = template;
        if (vowel) text = text.Replace("a " + Placeholder, "an " + Placeholder, StringComparison.Ordinal);
        else text = text.Replace("an " + Placeholder, "a " + Placeholder, StringComparison.Ordinal);
        // "a {name}" at the very start too ("A {name}" is left to the user's spelling).
        return text.Replace(Placeholder, name, StringComparison.Ordinal);
    }

    /// <summary>Which of <paramref name="templateCount"/> templates item <paramref name="item"/> of a split gets.</summary>
    public static int TemplateOf(int item, bool test, int templateCount)
    {
        // SplitMix64 finaliser of (split, item): stable across runs and platforms.
        ulong z = ((ulong)item << 1 | (test ? 1UL : 0UL)) + 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return (int)(z % (ulong)templateCount);
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();
}
