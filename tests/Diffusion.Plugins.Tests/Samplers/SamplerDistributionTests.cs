using Xunit.Abstractions;

namespace Diffusion.Plugins.Tests.Samplers;

/// <summary>
/// Every sampler, driven by the exact denoiser of data with known moments, must produce samples with the data's mean and
/// covariance, within four standard errors of the sample size plus a small allowance for discretization; and the
/// stochastic samplers must converge in distribution as steps grow.
/// </summary>
public class SamplerDistributionTests(ITestOutputHelper output)
{
    private const int Count = 8000;
    private static readonly GaussianExact Gaussian = new([0.5, -0.3, 0.0, 0.2], [0.2, 0.4, 0.6, 1.0]);

    /// <summary>
    /// Model evaluations that bring each sampler's discretization error to ~1.5% of the data's std or less: first-order
    /// and ancestral samplers converge like 1/n, the others much faster (see SamplerOrderTests). ddpm takes every timestep.
    /// </summary>
    private static int Budget(string name) => name switch
    {
        "ddpm" => 1000,
        "euler" or "ddim" or "euler-ancestral" or "dpmpp-2s-ancestral" or "dpmpp-2m-sde" or "dpmpp-3m-sde" or "edm" => 200,
        _ => 100,
    };

    public static TheoryData<string> AllSamplers() => [.. SamplerPlugins.Required];

    [Theory]
    [MemberData(nameof(AllSamplers))]
    public void Gaussian_data_is_reproduced(string name)
    {
        using var scope = NewDisposeScope();
        var schedule = NoiseSchedule.Create(BetaSchedule.Linear, 1000, 1e-4, 0.02, PredictionType.Epsilon);
        // Karras sigmas (trailing timesteps for ddpm/ddim) keep the budgets small; the default spacings are covered below.
        (string, object)[] settings = name is "ddpm" or "ddim" ? [("TimestepSpacing", TimestepSpacing.Trailing)] : [("SigmaSchedule", SigmaSchedule.Karras)];
        var samples = Draw(name, schedule, Gaussian, Count, Budget(name), seed: 3, settings);
        var (mean, std) = (samples.mean([0]).data<double>().ToArray(), samples.std([0]).data<double>().ToArray());
        output.WriteLine($"{name}: (mean - mu)/s {Format(mean.Select((m, d) => (m - Gaussian.Mu[d]) / Gaussian.Std[d]))} std/s {Format(std.Select((s, d) => s / Gaussian.Std[d]))}");
        for (int d = 0; d < Gaussian.Dims; d++)
        {
            double s = Gaussian.Std[d];
            Assert.InRange((mean[d] - Gaussian.Mu[d]) / s, -4 / Math.Sqrt(Count) - 0.015, 4 / Math.Sqrt(Count) + 0.015);
            Assert.InRange(std[d] / s, 1 - 4 / Math.Sqrt(2 * Count) - 0.015, 1 + 4 / Math.Sqrt(2 * Count) + 0.015);
        }
    }

    [Theory]
    [MemberData(nameof(AllSamplers))]
    public void Gaussian_mixture_moments_are_reproduced_with_default_options(string name)
    {
        using var scope = NewDisposeScope();
        var mixture = MixtureExact.TwoClusters();
        var schedule = NoiseSchedule.Create(BetaSchedule.Cosine, 1000, 1e-4, 0.02, PredictionType.Epsilon);
        const int count = Count / 2;
        var samples = Draw(name, schedule, mixture, count, Budget(name), seed: 4);
        var (mu, cov) = mixture.Moments;
        var mean = samples.mean([0]);
        var centred = samples - mean;
        var products = centred.unsqueeze(2) * centred.unsqueeze(1);          // [N, 2, 2]
        var covariance = products.mean([0]).data<double>().ToArray();
        var spread = products.std([0]).data<double>().ToArray();            // per-sample spread of each product
        var m = mean.data<double>().ToArray();
        output.WriteLine($"{name}: mean {Format(m)} (data {Format(mu)}); cov {Format(covariance)} (data {Format([cov[0, 0], cov[0, 1], cov[1, 0], cov[1, 1]])})");
        for (int d = 0; d < 2; d++)
        {
            double tolerance = 4 * Math.Sqrt(cov[d, d] / count) + 0.015 * Math.Sqrt(cov[d, d]);
            Assert.InRange(m[d], mu[d] - tolerance, mu[d] + tolerance);
        }
        for (int a = 0; a < 2; a++)
            for (int b = 0; b < 2; b++)
            {
                double tolerance = 4 * spread[a * 2 + b] / Math.Sqrt(count) + 0.03 * Math.Sqrt(cov[a, a] * cov[b, b]);
                Assert.InRange(covariance[a * 2 + b], cov[a, b] - tolerance, cov[a, b] + tolerance);
            }
    }

    [Theory]
    [InlineData("ddpm")]
    [InlineData("ddim")]
    [InlineData("euler-ancestral")]
    [InlineData("dpmpp-2s-ancestral")]
    [InlineData("dpmpp-2m-sde")]
    [InlineData("dpmpp-3m-sde")]
    [InlineData("edm")]
    public void Stochastic_samplers_converge_in_distribution(string name)
    {
        using var scope = NewDisposeScope();
        var schedule = NoiseSchedule.Create(BetaSchedule.Linear, 1000, 1e-4, 0.02, PredictionType.Epsilon);
        (string, object)[] settings = name == "ddim" ? [("Eta", 1.0)] : [];
        int[] evaluations = name is "ddpm" or "ddim" or "euler-ancestral" ? [10, 30, 1000] : [10, 30, 300]; // first order: slower
        var distances = evaluations.Select(e => W2(Draw(name, schedule, Gaussian, Count, e, seed: 5, settings))).ToArray();
        output.WriteLine($"{name}: W2 to the data {Format(distances)} at {string.Join(", ", evaluations)} evaluations");
        Assert.True(distances[^1] < distances[0], "more steps come closer");
        // Sampling noise alone puts W2 from 8000 draws at about 0.015 here.
        Assert.InRange(distances[^1], 0, 0.025);
    }

    /// <summary>
    /// Each prediction type is converted exactly, so a sampler given the same exact denoiser behind an ε, v, x0 or EDM
    /// network must return the same samples (and the ε case is checked for its distribution above).
    /// </summary>
    [Theory]
    [MemberData(nameof(AllSamplers))]
    public void Every_prediction_type_gives_the_same_samples(string name)
    {
        using var scope = NewDisposeScope();
        // Flow is another forward process (the rectified flow, its own schedule), checked in Flow/.
        var results = Enum.GetValues<PredictionType>().Where(p => p != PredictionType.Flow).Select(prediction =>
        {
            var schedule = NoiseSchedule.Create(BetaSchedule.ScaledLinear, 1000, 0.00085, 0.012, prediction);
            return (prediction, samples: Draw(name, schedule, MixtureExact.TwoClusters(), 256, 20, seed: 6));
        }).ToArray();
        foreach (var (prediction, samples) in results[1..])
        {
            double difference = (samples - results[0].samples).abs().max().item<double>();
            Assert.True(difference < 1e-9, $"{prediction} differs from epsilon by {difference}");
        }
    }

    /// <summary>W2 between N(sample mean, sample std²) per dimension and the data's Gaussian.</summary>
    private static double W2(Tensor samples)
    {
        var mean = samples.mean([0]).data<double>().ToArray();
        var std = samples.std([0]).data<double>().ToArray();
        return Math.Sqrt(Enumerable.Range(0, Gaussian.Dims).Sum(d => Math.Pow(mean[d] - Gaussian.Mu[d], 2) + Math.Pow(std[d] - Gaussian.Std[d], 2)));
    }

    /// <summary>Draws samples with <paramref name="evaluations"/> model evaluations (half as many steps for two-evaluation samplers).</summary>
    internal static Tensor Draw(string name, NoiseSchedule schedule, ExactData data, int count, int evaluations, long seed, params (string, object)[] settings)
    {
        var sampler = SamplerPlugins.Create(name, schedule.Prediction, settings);
        int steps = SamplerPlugins.TwoEvaluationsPerStep.Contains(name) ? (evaluations + 1) / 2 : evaluations;
        using var generator = new Generator((ulong)seed);
        var noise = randn([count, data.Dims], dtype: ScalarType.Float64, generator: generator);
        using var context = new ExactSamplingContext(schedule, steps, data, seed);
        return sampler.Sample(noise, context);
    }

    private static string Format(IEnumerable<double> values) => "[" + string.Join(", ", values.Select(v => v.ToString("0.0000"))) + "]";
}
