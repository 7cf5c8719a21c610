namespace Diffusion.Modalities.CrossModal.ImageToText;

/// <summary>The metrics of generated captions against the captions of the images they were conditioned on.</summary>
internal static class CaptionMetrics
{
    /// <summary>Share of generated captions equal to their image's caption (spaces normalised).</summary>
    public const string CaptionAccuracy = "caption-accuracy";

    /// <summary>Share of generated captions that name their image's class and no other.</summary>
    public const string ClassAccuracy = "class-accuracy";

    /// <summary>Share of the true caption's positions (its tokens and [EOS]) where the generated row has the same token.</summary>
    public const string TokenAccuracy = "token-accuracy";

    /// <summary>Share of generated captions that are captions the dataset can give (grammatical, whatever the image).</summary>
    public const string ValidCaptions = "valid-captions";

    /// <summary>Mean of the per-attribute accuracies (captioned shapes).</summary>
    public const string AttributeAccuracy = "attribute-accuracy";

    /// <summary>The key of one attribute's accuracy: "colour-accuracy".</summary>
    public static string AccuracyOf(string attribute) => attribute + "-accuracy";

    /// <summary>Share of pairs whose normalised texts are equal.</summary>
    public static double ExactMatch(IReadOnlyList<string> generated, IReadOnlyList<string> truth) =>
        Mean(generated.Select((g, i) => CaptionVocabulary.Normalize(g) == CaptionVocabulary.Normalize(truth[i]) ? 1.0 : 0.0));

    /// <summary>
    /// Share of the true rows' positions that count (everything but [PAD]: the caption's tokens and its [EOS]) where the
    /// generated row holds the same id.
    /// </summary>
    public static double MatchingTokens(IReadOnlyList<long[]> generated, IReadOnlyList<long[]> truth, long pad)
    {
        long counted = 0, equal = 0;
        for (int i = 0; i < generated.Count; i++)
        {
            for (int p = 0; p < truth[i].Length; p++)
            {
                if (truth[i][p] == pad) continue;
                counted++;
                if (p < generated[i].Length && generated[i][p] == truth[i][p]) equal++;
            }
        }
        return counted == 0 ? 0 : (double)equal / counted;
    }

    /// <summary>
    /// Share of captions that name exactly one of <paramref name="phrases"/> (e.g. the class names), and the right one
    /// (<paramref name="truth"/>[i]); a caption naming two classes, or none, is wrong.
    /// </summary>
    public static double NamesTheRightOne(IReadOnlyList<string> generated, IReadOnlyList<int> truth, IReadOnlyList<string> phrases) =>
        Mean(generated.Select((g, i) => PhraseMatcher.Find(g, phrases) is [var found] && found == truth[i] ? 1.0 : 0.0));

    /// <summary>
    /// Per attribute (shape, colour, ...): the share of generated captions whose value of the attribute is the one their
    /// image's caption has. A caption's value is the one phrase of the attribute it holds (none or two: wrong). Items whose
    /// true caption does not name exactly one value are left out of that attribute.
    /// </summary>
    public static Dictionary<string, double> AttributeAccuracies(IReadOnlyList<string> generated, IReadOnlyList<string> truth,
        IReadOnlyList<(string Name, IReadOnlyList<string> Values)> attributes)
    {
        var results = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (name, values) in attributes)
        {
            var scores = new List<double>();
            for (int i = 0; i < generated.Count; i++)
            {
                if (PhraseMatcher.Find(truth[i], values) is not [var expected]) continue;
                scores.Add(PhraseMatcher.Find(generated[i], values) is [var found] && found == expected ? 1.0 : 0.0);
            }
            results[AccuracyOf(name)] = Mean(scores);
        }
        if (results.Count > 0) results[AttributeAccuracy] = results.Values.Average();
        return results;
    }

    private static double Mean(IEnumerable<double> values)
    {
        var list = values as IReadOnlyCollection<double> ?? values.ToList();
        return list.Count == 0 ? 0 : list.Average();
    }
}

/// <summary>Finds which of a set of phrases (one or more words) a text names, word by word.</summary>
internal static class PhraseMatcher
{
    /// <summary>
    /// The indices of the <paramref name="phrases"/> that occur in <paramref name="text"/> as whole words (case-insensitive),
    /// each once, in order of the phrase list. Longer phrases are matched first and their words are used up, so "top left"
    /// does not also count as "top", and "t-shirt" is not "shirt" (words are split on white space only).
    /// </summary>
    public static int[] Find(string text, IReadOnlyList<string> phrases)
    {
        var words = Words(text);
        var used = new bool[words.Length];
        var found = new SortedSet<int>();
        var order = Enumerable.Range(0, phrases.Count).Select(i => (Index: i, Words: Words(phrases[i])))
            .Where(p => p.Words.Length > 0).OrderByDescending(p => p.Words.Length).ThenBy(p => p.Index);
        foreach (var (index, phrase) in order)
        {
            for (int start = 0; start + phrase.Length <= words.Length; start++)
            {
                bool match = true;
                for (int k = 0; k < phrase.Length && match; k++)
                    match = !used[start + k] && words[start + k] == phrase[k];
                if (!match) continue;
                for (int k = 0; k < phrase.Length; k++) used[start + k] = true;
                found.Add(index);
            }
        }
        return [.. found];
    }

    private static string[] Words(string text) =>
        text.ToLowerInvariant().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
}
