namespace Diffusion.Modalities.Text.Metrics;

/// <summary>Sample-quality numbers computed on token sequences (each sample's ordinary tokens).</summary>
internal static class TextMetrics
{
    /// <summary>
    /// Entropy (nats) of the unigram distribution of all tokens of all samples: low values mean repetitive text
    /// (mode collapse), natural text sits a little below the corpus's own value. 0 for no tokens.
    /// </summary>
    public static double UnigramEntropy(IEnumerable<IReadOnlyList<int>> samples)
    {
        var counts = new Dictionary<int, long>();
        long total = 0;
        foreach (var sample in samples)
        {
            foreach (int token in sample)
            {
                counts[token] = counts.GetValueOrDefault(token) + 1;
                total++;
            }
        }
        if (total == 0) return 0;
        double entropy = 0;
        foreach (long c in counts.Values)
        {
            double p = (double)c / total;
            entropy -= p * Math.Log(p);
        }
        return entropy;
    }

    /// <summary>Distinct-n: the number of different n-grams over the number of n-grams, pooled over all samples (0 for none).</summary>
    public static double DistinctN(IEnumerable<IReadOnlyList<int>> samples, int n)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        long total = 0;
        foreach (var sample in samples)
        {
            for (int i = 0; i + n <= sample.Count; i++)
            {
                seen.Add(string.Join(",", Enumerable.Range(i, n).Select(k => sample[k])));
                total++;
            }
        }
        return total == 0 ? 0 : (double)seen.Count / total;
    }

    /// <summary>
    /// Edit similarity of two token sequences: 1 − Levenshtein distance / the longer length (1 for identical sequences,
    /// 0 for nothing in common; two empty sequences are identical).
    /// </summary>
    public static double EditSimilarity(IReadOnlyList<int> a, IReadOnlyList<int> b)
    {
        int longer = Math.Max(a.Count, b.Count);
        if (longer == 0) return 1;
        var previous = new int[b.Count + 1];
        var current = new int[b.Count + 1];
        for (int j = 0; j <= b.Count; j++) previous[j] = j;
        for (int i = 1; i <= a.Count; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Count; j++)
            {
                int substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j], current[j - 1]) + 1);
            }
            (previous, current) = (current, previous);
        }
        return 1.0 - (double)previous[b.Count] / longer;
    }

    /// <summary>
    /// For each sample, the edit similarity to its closest entry of <paramref name="training"/> (1: the sample copies a
    /// training entry; values near 1 mean memorisation, low values novel text).
    /// </summary>
    public static double[] NearestMatch(IReadOnlyList<IReadOnlyList<int>> samples, IReadOnlyList<IReadOnlyList<int>> training)
    {
        var result = new double[samples.Count];
        Parallel.For(0, samples.Count, i =>
        {
            double best = 0;
            foreach (var entry in training)
            {
                // The similarity cannot beat 1 − |length difference| / longer length: skip entries that cannot win.
                int longer = Math.Max(samples[i].Count, entry.Count);
                if (longer > 0 && 1.0 - (double)Math.Abs(samples[i].Count - entry.Count) / longer <= best) continue;
                best = Math.Max(best, EditSimilarity(samples[i], entry));
                if (best >= 1) break;
            }
            result[i] = best;
        });
        return result;
    }
}
