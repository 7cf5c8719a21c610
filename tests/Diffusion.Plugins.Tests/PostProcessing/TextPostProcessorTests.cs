using Diffusion.Plugins.Tests.Denoisers;
using Diffusion.PostProcessing.Text;

namespace Diffusion.Plugins.Tests.PostProcessing;

public class TextPostProcessorTests
{
    private readonly DetokenizeCleanupPostProcessor _cleanup = new();

    [Theory]
    [InlineData("Hello ,  world !", "Hello, world!")]
    [InlineData("I do n't know , it 's ( maybe ) fine .", "I don't know, it's (maybe) fine.")]
    [InlineData("He said \" yes \" and left", "He said \"yes\" and left")]
    [InlineData("one,two;three", "one, two; three")]
    [InlineData("pi is 3.14 , 100 %", "pi is 3.14, 100%")]
    [InlineData("line one  \n  line two ", "line one\nline two")]
    public void Cleanup_fixes_detokenization_spacing(string input, string expected)
    {
        Assert.Equal(expected, _cleanup.Process(input));
        Assert.Equal(expected, _cleanup.Process(expected)); // idempotent
    }

    [Fact]
    public void Cleanup_refuses_tensors_with_a_clear_message()
    {
        using var context = new FakeRunContext();
        var error = Assert.Throws<PluginInputException>(() => _cleanup.Process(zeros(1, 4, dtype: ScalarType.Int64), context));
        Assert.Contains("decoded text", error.Message);
    }

    [Theory]
    [InlineData("the the cat cat sat", 1, "the cat sat")]
    [InlineData("a b a b a b c", 1, "a b c")]
    [InlineData("no no no no", 2, "no no")]
    [InlineData("I think that I think that I think so", 1, "I think that I think so")]
    [InlineData("nothing repeats here", 1, "nothing repeats here")]
    public void Repetition_collapse_removes_repeated_ngrams(string input, int keep, string expected)
    {
        var collapse = new RepetitionCollapsePostProcessor(new RepetitionCollapseOptions { MaxN = 4, MaxRepeats = keep });
        string result = collapse.Process(input);
        Assert.Equal(expected, result);
        Assert.Equal(result, collapse.Process(result)); // idempotent
    }

    [Fact]
    public void Repetition_collapse_on_token_ids_pads_the_tail()
    {
        using var context = new FakeRunContext();
        var collapse = new RepetitionCollapsePostProcessor(new RepetitionCollapseOptions { PadToken = 99 });
        using var ids = tensor(new long[] { 5, 5, 5, 7, 8, 7, 8, 1 }, [1, 8]);
        using var result = collapse.Process(ids, context);
        Assert.Equal(new long[] { 5, 7, 8, 1, 99, 99, 99, 99 }, result.data<long>().ToArray());
        Assert.Equal(5L, ids[0, 1].item<long>()); // input unchanged
    }

    [Fact]
    public void Bad_parameters_are_validation_errors()
    {
        Assert.NotEmpty(Networks.Validate(new RepetitionCollapseOptions { MaxN = 0 }));
        Assert.NotEmpty(Networks.Validate(new RepetitionCollapseOptions { MaxRepeats = 0 }));
    }
}
