using Diffusion.Modalities.CrossModal.Captions;
using Diffusion.Modalities.CrossModal.ImageToText;

namespace Diffusion.Plugins.Tests.ImageToText;

/// <summary>Caption, class, token and attribute accuracy on hand-made captions whose scores are known.</summary>
public class CaptionMetricsTests
{
    private static readonly string[] Classes = ["t-shirt", "shirt", "ankle boot", "bag"];

    [Fact]
    public void Exact_match_ignores_spacing_only()
    {
        string[] truth = ["ankle boot", "bag", "shirt", "t-shirt"];
        string[] generated = [" ankle  boot", "bag", "t-shirt", "a t-shirt"];

        Assert.Equal(0.5, CaptionMetrics.ExactMatch(generated, truth));
    }

    [Fact]
    public void Class_accuracy_needs_the_right_class_and_no_other()
    {
        int[] truth = [1, 0, 2, 3, 3, 2];
        // shirt (right), t-shirt (right, not also "shirt"), "ankle" alone (no class), two classes, right, right in other words
        string[] generated = ["shirt", "t-shirt", "ankle", "bag shirt", "bag", "an ankle boot it is"];

        Assert.Equal(4 / 6.0, CaptionMetrics.NamesTheRightOne(generated, truth, Classes), 12);
    }

    [Fact]
    public void Token_accuracy_counts_the_true_caption_and_its_end_but_not_padding()
    {
        // pad 0, eos 1: the first truth has 3 counted positions (2 tokens + EOS), the second 2.
        long[][] truth = [[5, 6, 1, 0], [7, 1, 0, 0]];
        long[][] generated = [[5, 9, 1, 4], [7, 1, 3, 3]];

        Assert.Equal(4 / 5.0, CaptionMetrics.MatchingTokens(generated, truth, pad: 0), 12);
    }

    [Fact]
    public void Attribute_accuracy_reads_each_attribute_from_the_words()
    {
        var attributes = CaptionedShapes.Attributes.Select(a => (a.Name, a.Values)).ToList();
        string[] truth =
        [
            "a large red circle at the top left",
            "a small blue square in the center",
            "a small green triangle at the bottom right",
            "a large yellow circle at the top right",
        ];
        string[] generated =
        [
            "a large red circle at the top left",         // all right
            "a small blue circle in the center",          // shape wrong
            "a large green triangle at the top right",    // size and position wrong
            "a large yellow red circle at the top right", // two colours: colour wrong
        ];

        var scores = CaptionMetrics.AttributeAccuracies(generated, truth, attributes);

        Assert.Equal(0.75, scores["shape-accuracy"]);
        Assert.Equal(0.75, scores["colour-accuracy"]);
        Assert.Equal(0.75, scores["size-accuracy"]);
        Assert.Equal(0.75, scores["position-accuracy"]);
        Assert.Equal(0.75, scores["attribute-accuracy"]);
        Assert.Equal(0.25, CaptionMetrics.ExactMatch(generated, truth));
    }

    [Fact]
    public void Longer_phrases_use_up_their_words()
    {
        Assert.Equal([0], PhraseMatcher.Find("at the top left", ["top left", "top", "left"]));
        Assert.Equal([1, 2], PhraseMatcher.Find("top or left", ["top left", "top", "left"]));
        Assert.Empty(PhraseMatcher.Find("", ["top"]));
    }
}
