using Diffusion.Modalities.Text.Infill;
using Diffusion.Modalities.Text.Tokenizers;

namespace Diffusion.Plugins.Tests.Text;

public class InfillTemplateTests
{
    private const int Mask = 99;
    private static readonly CharText Text = new(new CharTokenizer(["abc xyz.{}"])); // ' '=2 .=3 a=4 b=5 c=6 x=7 y=8 z=9 {=10 }=11

    /// <summary>Text in the tokens of a character tokenizer: all a template needs of a text modality.</summary>
    private sealed class CharText(CharTokenizer tokenizer) : ITextModality
    {
        public int EndOfText => tokenizer.EndOfText;
        public int Pad => tokenizer.Pad;
        public IReadOnlyList<int> Encode(string text) => tokenizer.Encode(text);
        public DataSpec Spec => throw new NotSupportedException();
        public ModalityData Load(DataSplit split) => throw new NotSupportedException();
        public void WriteSamples(Tensor samples, string name, IRunContext context) => throw new NotSupportedException();
        public IReadOnlyDictionary<string, double> Evaluate(Tensor samples, ModalityData reference, IRunContext context) => throw new NotSupportedException();
    }

    [Fact]
    public void Holes_become_masks_and_a_closed_template_ends_with_eos_and_pads()
    {
        Assert.Equal([4L, Mask, Mask, 6, 1, 0, 0, 0], InfillTemplate.Expand("a{2}c", Text, 8, Mask));
    }

    [Fact]
    public void An_open_fill_hole_lets_the_model_finish_the_sequence()
    {
        Assert.Equal([4L, 5, Mask, Mask, Mask, Mask], InfillTemplate.Expand("ab{*}", Text, 6, Mask));
        // A fill hole inside a closed template fills up to the [EOS] at the end: a suffix.
        Assert.Equal([Mask, Mask, Mask, 7, 3, 1], InfillTemplate.Expand("{*}x.", Text, 6, Mask));
        Assert.Equal([10L, 11, 2, Mask, 1, 0], InfillTemplate.Expand("{{}} {1}", Text, 6, Mask));
    }

    [Fact]
    public void Templates_that_do_not_fit_or_have_two_fill_holes_are_refused()
    {
        Assert.Contains("more than seq_len 4", Assert.Throws<PluginInputException>(() => InfillTemplate.Expand("abc{3}", Text, 4, Mask)).Message);
        Assert.Contains("at most one", Assert.Throws<PluginInputException>(() => InfillTemplate.Expand("{*}a{*}", Text, 8, Mask)).Message);
    }
}
