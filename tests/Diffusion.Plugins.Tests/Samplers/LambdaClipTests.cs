using Xunit.Abstractions;

namespace Diffusion.Plugins.Tests.Samplers;

/// <summary>
/// The cosine schedule's last σ is huge (4096 after the ᾱ floor), so an ε-predicting model's smallest error is multiplied
/// by thousands in its first clean estimate. The σ-space samplers start no higher than e^(−lambda_min_clipped) (164 by
/// default, diffusers' value): this kept Fashion-MNIST samples with dpmpp-2m on cosine from coming out as saturated noise.
/// </summary>
public class LambdaClipTests(ITestOutputHelper output)
{
    private static readonly GaussianExact Gaussian = new([0.5, -0.3, 0.0, 0.2], [0.2, 0.4, 0.6, 1.0]);

    private static NoiseSchedule Cosine() => NoiseSchedule.Create(BetaSchedule.Cosine, 1000, 1e-4, 0.02, PredictionType.Epsilon);

    public static TheoryData<string> SigmaSamplers() => [.. SamplerPlugins.Required.Where(n => n is not ("ddpm" or "ddim"))];

    [Theory]
    [MemberData(nameof(SigmaSamplers))]
    public void Sampling_on_cosine_starts_no_higher_than_the_clip(string name)
    {
        using var scope = NewDisposeScope();
        var schedule = Cosine();
        Assert.True(schedule.SigmaMax > 1000, $"cosine σ_max {schedule.SigmaMax}");
        var sampler = SamplerPlugins.Create(name, PredictionType.Epsilon);
        using var context = new ExactSamplingContext(schedule, 6, Gaussian);
        sampler.Sample(randn([8, Gaussian.Dims], dtype: ScalarType.Float64), context);
        Assert.InRange(context.Sigmas.Max(), 100, Math.Exp(5.1) * 1.0001);
    }

    [Fact]
    public void The_clip_leaves_linear_betas_alone_and_can_be_lowered()
    {
        var linear = NoiseSchedule.Create(BetaSchedule.Linear, 1000, 1e-4, 0.02, PredictionType.Epsilon);
        Assert.Equal(linear.SigmaMax, FirstSigma(linear), 9);
        Assert.Equal(linear.SigmaMax, FirstSigma(linear, ("SigmaSchedule", SigmaSchedule.Karras)), 9);

        var cosine = Cosine();
        Assert.Equal(cosine.SigmaMax, FirstSigma(cosine, ("LambdaMinClipped", -20.0)), 6);
        Assert.InRange(FirstSigma(cosine), 100, Math.Exp(5.1));
        Assert.Equal(Math.Exp(5.1), FirstSigma(cosine, ("SigmaSchedule", SigmaSchedule.Exponential)), 6);
        Assert.Equal(Math.Exp(5.1), FirstSigma(cosine, ("SigmaSchedule", SigmaSchedule.Karras)), 6);
    }

    /// <summary>The noise level of euler's first model call (its first σ) on <paramref name="schedule"/>.</summary>
    private static double FirstSigma(NoiseSchedule schedule, params (string, object)[] settings)
    {
        using var scope = NewDisposeScope();
        var sampler = SamplerPlugins.Create("euler", PredictionType.Epsilon, settings);
        using var context = new ExactSamplingContext(schedule, 10, Gaussian);
        sampler.Sample(randn([4, Gaussian.Dims], dtype: ScalarType.Float64), context);
        return context.Sigmas[0];
    }

    [Theory]
    [InlineData("dpmpp-2m")]
    [InlineData("euler")]
    public void A_one_percent_epsilon_error_stays_small_with_the_clip_and_ruins_samples_without(string name)
    {
        using var scope = NewDisposeScope();
        double Spread(double lambdaMin)
        {
            var sampler = SamplerPlugins.Create(name, PredictionType.Epsilon, ("LambdaMinClipped", lambdaMin), ("SigmaSchedule", SigmaSchedule.Schedule));
            using var generator = new Generator(11);
            var noise = randn([2000, Gaussian.Dims], dtype: ScalarType.Float64, generator: generator);
            using var exact = new ExactSamplingContext(Cosine(), 20, Gaussian, seed: 11);
            var samples = sampler.Sample(noise, new ScaledEpsilon(exact, 1.01));
            return samples.std([0]).data<double>().Select((s, d) => s / Gaussian.Std[d]).Max();
        }

        double clipped = Spread(-5.1), unclipped = Spread(-20);
        output.WriteLine($"{name}: largest std/true std {clipped:0.000} clipped, {unclipped:0.000} from the schedule's σ_max");
        Assert.InRange(clipped, 0.75, 1.2);
        Assert.True(unclipped > 1.8, $"without the clip the error should dominate (std ratio {unclipped})");
    }

    /// <summary>An ε-model that overshoots by a constant factor: a small, systematic error of a trained network.</summary>
    private sealed class ScaledEpsilon(ExactSamplingContext inner, double factor) : ISamplingContext
    {
        public NoiseSchedule Schedule => inner.Schedule;
        public int Steps => inner.Steps;
        public Tensor Predict(Tensor x, Tensor t) => inner.Predict(x, t) * factor;
        public Tensor RandnLike(Tensor like) => inner.RandnLike(like);
        public void OnStep(int step, int total) => inner.OnStep(step, total);
    }
}
