using Diffusion.Denoisers.Transformer1D;
using Diffusion.Modalities.Text;
using Diffusion.Modalities.Text.Samplers.Mdlm;

namespace Diffusion.Plugins.Tests.Text;

public class TextTrainingTests
{
    [Fact]
    public void A_tiny_mdlm_run_lowers_the_held_out_nelbo_and_samples_valid_text()
    {
        using var scope = NewDisposeScope();
        manual_seed(11);
        var modality = new TextModality(new TextModalityOptions { SeqLen = 48, GenPplSteps = 0, MatchEntries = 50 });
        var spec = modality.Spec;
        using var train = modality.Load(DataSplit.Train);
        using var test = modality.Load(DataSplit.Test);
        var sampler = new MdlmSampler(new MdlmOptions());
        using var network = new Transformer1DDenoiser(new Transformer1DOptions { HiddenSize = 32, Depth = 1, NumHeads = 2, TimeConditioning = false }).Build(spec);
        using var optimizer = optim.Adam(network.parameters(), 3e-3);

        double HeldOut()
        {
            using var inner = NewDisposeScope();
            using var noGrad = no_grad();
            using var fixedDraws = new Generator(1);
            return sampler.Loss(test.Items, spec, (x, t) => network.forward(x, t, null), fixedDraws).mean().item<float>();
        }

        double before = HeldOut();
        using var generator = new Generator(2);
        for (int step = 0; step < 60; step++)
        {
            using var stepScope = NewDisposeScope();
            var batch = train.Items.index_select(0, randint(0, train.Count, [32], dtype: ScalarType.Int64, generator: generator));
            optimizer.zero_grad();
            sampler.Loss(batch, spec, (x, t) => network.forward(x, t, null), generator).mean().backward();
            optimizer.step();
        }
        double after = HeldOut();

        Assert.True(after < before * 0.8, $"held-out NELBO {before:0.000} -> {after:0.000}");

        network.eval();
        using var context = new TokenSamplingContext(spec.VocabSize, 48, 16, (x, t) => network.forward(x, t, null));
        using var noGrad = no_grad();
        var samples = sampler.Sample(zeros(4, 48), context);
        Assert.False(samples.eq(spec.VocabSize).any().item<bool>());
        using var run = new FakeRunContext();
        var metrics = modality.Evaluate(samples, test, run);
        Assert.InRange(metrics["unigram_entropy"], 0.1, Math.Log(spec.VocabSize));
        Assert.InRange(metrics["distinct_1"], 0, 1);
        Assert.InRange(metrics["nearest_match"], 0, 1);
    }

    [Fact]
    public void Generative_perplexity_is_lower_on_training_text_than_on_shuffled_text_and_the_scorer_is_cached()
    {
        using var scope = NewDisposeScope();
        var modality = new TextModality(new TextModalityOptions { SeqLen = 48, GenPplSteps = 40, MatchEntries = 10 });
        using var train = modality.Load(DataSplit.Train);
        using var test = modality.Load(DataSplit.Test);
        using var run = new FakeRunContext();
        var real = train.Items.narrow(0, 0, 16);
        using var generator = new Generator(4);
        var shuffled = real.gather(1, rand([16, 48], generator: generator).argsort(1));

        string cache = Path.Combine(Path.GetDirectoryName(run.Artifacts.Root)!, "cache");
        var before = Directory.Exists(cache) ? Directory.GetFiles(cache, "gen-ppl-*.bin") : [];
        manual_seed(77);
        using var expectedNext = rand(4);
        manual_seed(77);
        var realScore = modality.Evaluate(real, test, run)["gen_ppl"];
        using var next = rand(4);
        Assert.True(next.eq(expectedNext).all().item<bool>(), "scoring must leave the caller's global generator where it was");
        var shuffledScore = modality.Evaluate(shuffled, test, run)["gen_ppl"];

        Assert.True(realScore < shuffledScore, $"gen_ppl real {realScore} vs shuffled {shuffledScore}");
        var created = Directory.GetFiles(cache, "gen-ppl-*.bin").Except(before).ToList();
        Assert.True(created.Count <= 1); // trained once, then loaded from the cache (or already cached by an earlier run)
        foreach (var file in created) File.Delete(file);
    }
}
