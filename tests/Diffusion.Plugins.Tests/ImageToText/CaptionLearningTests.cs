using Diffusion.Denoisers.Transformer1D;
using Diffusion.Modalities.CrossModal.ImageToText;
using Diffusion.Modalities.Text;
using Diffusion.Modalities.Text.Samplers.Mdlm;
using Diffusion.Plugins.Tests.Text;

namespace Diffusion.Plugins.Tests.ImageToText;

/// <summary>A tiny MDLM with an image encoder learns to caption clearly different images (end to end, no pipeline).</summary>
public class CaptionLearningTests
{
    private static readonly string[] Captions = ["light top", "light bottom", "light left", "light right"];

    /// <summary>Item i shows the half of a 12x12 image named by caption i mod 4 lit, plus a little noise.</summary>
    private static Tensor Images(int count, Generator generator)
    {
        var images = full([count, 1, 12, 12], -1f);
        for (int i = 0; i < count; i++)
        {
            var half = (i % 4) switch
            {
                0 => images[i, 0].narrow(0, 0, 6),
                1 => images[i, 0].narrow(0, 6, 6),
                2 => images[i, 0].narrow(1, 0, 6),
                _ => images[i, 0].narrow(1, 6, 6),
            };
            half.fill_(1f);
        }
        return (images + 0.2f * randn(images.shape, generator: generator)).clamp(-1, 1);
    }

    [Fact]
    public void A_tiny_mdlm_learns_to_caption_four_images_far_above_chance()
    {
        using var scope = NewDisposeScope();
        manual_seed(21);
        var vocabulary = CaptionVocabulary.From(Captions, TextTokenizerKind.Gpt2, 4);
        var spec = new DataSpec("tokens", [4], VocabSize: vocabulary.Tokenizer.VocabSize) { ConditionImageShape = [1, 12, 12] };
        var rows = vocabulary.Rows(Captions);
        using var generator = new Generator(8);
        var images = Images(64, generator);
        var tokens = tensor(Enumerable.Range(0, 64).SelectMany(i => rows[i % 4]).ToArray(), [64, 4], dtype: ScalarType.Int64);
        var sampler = new MdlmSampler(new MdlmOptions());
        using var network = new Transformer1DDenoiser(new Transformer1DOptions
        {
            HiddenSize = 32, Depth = 1, NumHeads = 2, TimeConditioning = false, ImageEncoderChannels = 8,
        }).Build(spec);
        using var optimizer = optim.Adam(network.parameters(), 5e-3);
        for (int step = 0; step < 80; step++)
        {
            using var stepScope = NewDisposeScope();
            var index = randint(0, 64, [16], dtype: ScalarType.Int64, generator: generator);
            var conditioning = new Conditioning { Image = images.index_select(0, index) };
            optimizer.zero_grad();
            sampler.Loss(tokens.index_select(0, index), spec, (x, t) => network.forward(x, t, conditioning), generator).mean().backward();
            optimizer.step();
        }

        network.eval();
        using var noGrad = no_grad();
        var test = Images(16, generator);
        var testConditioning = new Conditioning { Image = test };
        using var context = new TokenSamplingContext(spec.VocabSize, 4, 4, (x, t) => network.forward(x, t, testConditioning));
        var samples = sampler.Sample(zeros(16, 4), context);
        var generated = Enumerable.Range(0, 16).Select(i => vocabulary.Decode(samples[i].data<long>().ToArray())).ToList();
        var truth = Enumerable.Range(0, 16).Select(i => Captions[i % 4]).ToList();

        double accuracy = CaptionMetrics.ExactMatch(generated, truth);
        Assert.True(accuracy >= 0.75, $"caption accuracy {accuracy} (chance 0.25): {string.Join(" | ", generated)}");
    }
}
