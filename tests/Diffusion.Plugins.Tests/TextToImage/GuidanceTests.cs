using Diffusion.Modalities.CrossModal.TextToImage;
using Diffusion.Stages;

namespace Diffusion.Plugins.Tests.TextToImage;

/// <summary>Classifier-free guidance as the sample stage applies it, with a hand-built model whose outputs are known.</summary>
public class GuidanceTests
{
    [Theory]
    [InlineData(0.0)]
    [InlineData(0.5)]
    [InlineData(3.0)]
    public void The_sample_stage_returns_the_conditional_output_at_w0_and_one_plus_w_cond_minus_w_uncond_above(double w)
    {
        var modality = new CaptionedImageModality(new CaptionedImageOptions { Count = 12, ImageSize = 8 });
        using var network = new TokenSum();
        using var context = new FakeRunContext { Components = { ["data"] = modality, ["one-step"] = new OneStep() } };
        context.State.SetModel("model", new TrainedModel(network, NoiseSchedule.Create(BetaSchedule.Linear, 10, 1e-4, 0.02, PredictionType.Epsilon), modality.Spec));

        new SampleStage(new SampleStageOptions
        {
            Model = "model", Sampler = "one-step", Data = "data", Count = 5, BatchSize = 2, Steps = 1,
            ClassLabels = SampleClassLabels.Cycle, GuidanceScale = w,
        }).Run(context);

        var samples = context.State.Samples!.Values;
        var labels = context.State.Samples.Labels!.data<long>().ToArray();
        Assert.Equal(new long[] { 0, 1, 2, 3, 4 }, labels);
        using var tokens = modality.EncodePrompts(labels.Select(l => modality.ClassPrompt((int)l)).ToArray());
        using var noise = context.GeneratorsFor(0, 5, "sample").Randn(modality.Spec.ItemShape, CPU);
        // The hand-built model: output = x + (sum of token ids)/100 + 1 with a caption, x + 1 without (all padding).
        var conditional = noise + tokens.sum(1).to_type(ScalarType.Float32).reshape(-1, 1, 1, 1) / 100 + 1;
        var unconditional = noise + 1;
        var expected = (1 + w) * conditional - w * unconditional;
        Assert.True(samples.allclose(expected, rtol: 1e-5, atol: 1e-5), $"w = {w}");
        Assert.Equal(w == 0 ? 5 : 10, network.Calls);
        // The prompts are written beside the grid, one per sample.
        var prompts = PromptsFile.Read(Path.Combine(context.Artifacts.Root, "test.prompts.txt"));
        Assert.Equal(labels.Select(l => modality.ClassPrompt((int)l)), prompts);
        Assert.True(File.Exists(Path.Combine(context.Artifacts.Root, "test.png")));
    }

    /// <summary>Output x + Σ tokens / 100 + 1 (an all-padding row sums to 0): the conditional and unconditional outputs are known.</summary>
    private sealed class TokenSum() : DenoiserModule("token-sum")
    {
        public int Calls { get; private set; }

        public override Tensor forward(Tensor x, Tensor t, Conditioning? conditioning)
        {
            Calls += (int)x.shape[0];
            var tokens = conditioning?.Tokens ?? zeros([x.shape[0], 1], dtype: ScalarType.Int64);
            return x + tokens.sum(1).to_type(x.dtype).reshape(-1, 1, 1, 1) / 100 + 1;
        }
    }

    /// <summary>A "sampler" that returns the (guided) model output at its input: the stage's output is the prediction.</summary>
    private sealed class OneStep : ISampler
    {
        public NoiseSchedule CreateSchedule() => NoiseSchedule.Create(BetaSchedule.Linear, 10, 1e-4, 0.02, PredictionType.Epsilon);

        public Tensor Sample(Tensor noise, ISamplingContext context) => context.Predict(noise, zeros(noise.shape[0]));
    }
}
