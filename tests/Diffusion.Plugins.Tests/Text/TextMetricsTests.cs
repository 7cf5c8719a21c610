using Diffusion.Modalities.Text.Metrics;

namespace Diffusion.Plugins.Tests.Text;

public class TextMetricsTests
{
    private static IReadOnlyList<int> Chars(string s) => s.Select(c => (int)c).ToList();

    [Fact]
    public void Unigram_entropy_matches_hand_computed_values()
    {
        Assert.Equal(0, TextMetrics.UnigramEntropy([Chars("aaaa")]), 12);
        Assert.Equal(Math.Log(2), TextMetrics.UnigramEntropy([Chars("ab"), Chars("ba")]), 12);
        // "aab": p = 2/3, 1/3
        Assert.Equal(-(2.0 / 3 * Math.Log(2.0 / 3) + 1.0 / 3 * Math.Log(1.0 / 3)), TextMetrics.UnigramEntropy([Chars("aab")]), 12);
        Assert.Equal(0, TextMetrics.UnigramEntropy([]));
    }

    [Fact]
    public void Distinct_n_counts_different_ngrams_over_all_ngrams()
    {
        string[] samples = ["abab", "abc"];
        var tokens = samples.Select(Chars).ToList();

        // unigrams: a b a b a b c -> {a, b, c} = 3 of 7; bigrams: ab ba ab ab bc -> {ab, ba, bc} = 3 of 5
        Assert.Equal(3.0 / 7, TextMetrics.DistinctN(tokens, 1), 12);
        Assert.Equal(3.0 / 5, TextMetrics.DistinctN(tokens, 2), 12);
        Assert.Equal(0, TextMetrics.DistinctN([Chars("a")], 2));
    }

    [Fact]
    public void Edit_similarity_and_nearest_training_match()
    {
        Assert.Equal(1, TextMetrics.EditSimilarity(Chars("kitten"), Chars("kitten")));
        Assert.Equal(1 - 3.0 / 7, TextMetrics.EditSimilarity(Chars("kitten"), Chars("sitting")), 12); // distance 3
        Assert.Equal(0, TextMetrics.EditSimilarity(Chars("abc"), Chars("")));

        var nearest = TextMetrics.NearestMatch([Chars("kitten"), Chars("xyz")], [Chars("sitting"), Chars("kitten"), Chars("xya")]);
        Assert.Equal(2, nearest.Length);
        Assert.Equal(1.0, nearest[0], 12);
        Assert.Equal(2.0 / 3, nearest[1], 12);
    }
}
