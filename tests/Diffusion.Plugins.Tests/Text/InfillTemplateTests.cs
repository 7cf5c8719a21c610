using Diffusion.Abstractions.Runs;
using Diffusion.Modalities.Text.Infill;
using Diffusion.Modalities.Text.Tokenizers;

namespace Diffusion.Plugins.Tests.Text;

public class InfillTemplateTests
{
    private const int Mask = 99;
    private static readonly CharTokenizer Tokenizer = new(["abc xyz.{}"]); // ' '=2 .=3 a=4 b=5 c=6 x=7 y=8 z=9 {=10 }=11

    [Fact]
    public void Holes_become_masks_and_a_closed_prompt_ends_with_eos_and_pads()
    {
        Assert.Equal([4L, Mask, Mask, 6, 1, 0, 0, 0], InfillTemplate.Expand("a{2}c", Tokenizer, 8, Mask));
    }

    [Fact]
    public void An_open_fill_hole_lets_the_model_finish_the_sequence()
    {
        Assert.Equal([4L, 5, Mask, Mask, Mask, Mask], InfillTemplate.Expand("ab{*}", Tokenizer, 6, Mask));
        // A fill hole inside a closed prompt fills up to the [EOS] at the end: a suffix.
        Assert.Equal([Mask, Mask, Mask, 7, 3, 1], InfillTemplate.Expand("{*}x.", Tokenizer, 6, Mask));
        Assert.Equal([10L, 11, 2, Mask, 1, 0], InfillTemplate.Expand("{{}} {1}", Tokenizer, 6, Mask));
    }

    [Fact]
    public void Prompts_that_do_not_fit_or_have_two_fill_holes_are_refused()
    {
        Assert.Contains("more than seq_len 4", Assert.Throws<PluginInputException>(() => InfillTemplate.Expand("abc{3}", Tokenizer, 4, Mask)).Message);
        Assert.Contains("at most one", Assert.Throws<PluginInputException>(() => InfillTemplate.Expand("{*}a{*}", Tokenizer, 8, Mask)).Message);
    }
}
