namespace Diffusion.Core.Pipelines;

/// <summary>"Did you mean" by edit distance (optimal string alignment: Levenshtein plus swaps of neighbours).</summary>
internal static class Suggestions
{
    /// <summary>The candidate closest to <paramref name="input"/>, or null when none is close enough.</summary>
    public static string? Closest(string input, IEnumerable<string> candidates)
    {
        string? best = null;
        int bestDistance = int.MaxValue;
        int cutoff = Cutoff(input);
        foreach (var candidate in candidates)
        {
            if (candidate == input)
                continue;
            int distance = Distance(input.ToLowerInvariant(), candidate.ToLowerInvariant());
            if (distance <= cutoff && distance < bestDistance && distance < Math.Max(input.Length, candidate.Length))
            {
                best = candidate;
                bestDistance = distance;
            }
        }
        return best;
    }

    /// <summary><c> (did you mean 'x'?)</c>, or empty when nothing is close.</summary>
    public static string DidYouMean(string input, IEnumerable<string> candidates) =>
        Closest(input, candidates) is { } match ? $" (did you mean '{match}'?)" : "";

    /// <summary>How many edits still count as a typo: 1 for short words, up to 3 for long ones.</summary>
    private static int Cutoff(string input) => input.Length switch
    {
        <= 3 => 1,
        <= 6 => 2,
        _ => 3,
    };

    internal static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++)
            d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++)
            d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                int value = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                    value = Math.Min(value, d[i - 2, j - 2] + 1);
                d[i, j] = value;
            }
        }
        return d[a.Length, b.Length];
    }
}
