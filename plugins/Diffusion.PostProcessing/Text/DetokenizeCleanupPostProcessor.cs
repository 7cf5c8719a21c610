using System.Text;
using System.Text.RegularExpressions;

namespace Diffusion.PostProcessing.Text;

/// <summary>
/// Undoes the spacing that token-by-token decoding leaves: runs of whitespace become one space (newlines kept), no
/// space before <c>, . ; : ! ? % ) ] }</c> or inside brackets and paired double quotes, contractions rejoined
/// (<c>do n't</c> → <c>don't</c>, <c>it 's</c> → <c>it's</c>), and one space after <c>, ; : ! ?</c> before a letter.
/// </summary>
[Plugin(PluginKind.PostProcessor, "detokenize-cleanup", Description = "Text: fixes whitespace and punctuation spacing left by detokenization.")]
public sealed partial class DetokenizeCleanupPostProcessor : IPostProcessor, ITextPostProcessor
{
    /// <inheritdoc />
    public Tensor Process(Tensor samples, IRunContext context) =>
        throw new PluginInputException("detokenize-cleanup works on decoded text (strings), not on tensors: use it with a text modality that decodes its samples, or on strings through ITextPostProcessor");

    /// <inheritdoc />
    public string Process(string text)
    {
        var lines = text.Replace("\r\n", "\n").Split('\n').Select(CleanLine);
        return string.Join("\n", lines).Trim('\n');
    }

    private static string CleanLine(string line)
    {
        string s = Spaces().Replace(line, " ").Trim();
        s = SpaceBeforeClosing().Replace(s, "$1");
        s = SpaceAfterOpening().Replace(s, "$1");
        s = Contraction().Replace(s, "$1");
        s = NegativeContraction().Replace(s, "n't");
        s = Quotes(s);
        s = MissingSpaceAfter().Replace(s, "$1 $2");
        return s;
    }

    /// <summary>Removes the space just inside each pair of double quotes.</summary>
    private static string Quotes(string s)
    {
        var result = new StringBuilder(s.Length);
        bool open = false;
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            if (c != '"') { result.Append(c); continue; }
            if (!open)
            {
                result.Append(c);
                if (i + 1 < s.Length && s[i + 1] == ' ' && s.IndexOf('"', i + 1) > 0) i++;
            }
            else
            {
                if (result.Length > 0 && result[^1] == ' ') result.Length--;
                result.Append(c);
            }
            open = !open;
        }
        return result.ToString();
    }

    [GeneratedRegex(@"[ \t\f\v]+")] private static partial Regex Spaces();
    [GeneratedRegex(@" ([,.;:!?%)\]}])")] private static partial Regex SpaceBeforeClosing();
    [GeneratedRegex(@"([(\[{]) ")] private static partial Regex SpaceAfterOpening();
    [GeneratedRegex(@" ('(?:s|re|ve|ll|d|m)\b)", RegexOptions.IgnoreCase)] private static partial Regex Contraction();
    [GeneratedRegex(@" n't\b")] private static partial Regex NegativeContraction();
    [GeneratedRegex(@"([,;:!?])(\p{L})")] private static partial Regex MissingSpaceAfter();
}
