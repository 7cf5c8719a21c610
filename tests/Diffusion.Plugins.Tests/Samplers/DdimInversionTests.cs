using Diffusion.Samplers.Ddim;
using Xunit.Abstractions;

namespace Diffusion.Plugins.Tests.Samplers;

/// <summary>DDIM inversion (η = 0): samples → noise → samples, with the exact denoiser, so any error is the method's own.</summary>
public class DdimInversionTests(ITestOutputHelper output)
{
    private static readonly GaussianExact Data = new([0.5, -0.3, 0.1], [0.3, 0.6, 1.0]);

    [Theory]
    [InlineData(PredictionType.Epsilon)]
    [InlineData(PredictionType.VPrediction)]
    [InlineData(PredictionType.Sample)]
    [InlineData(PredictionType.Edm)]
    public void Samples_invert_to_noise_that_samples_back_to_them(PredictionType prediction)
    {
        using var scope = NewDisposeScope();
        var schedule = NoiseSchedule.Create(BetaSchedule.Linear, 1000, 1e-4, 0.02, prediction);
        var ddim = (DdimSampler)SamplerPlugins.Create("ddim", prediction);
        using var generator = new Generator(21);
        var images = tensor(Data.Mu, dtype: ScalarType.Float64) + randn([2000, 3], dtype: ScalarType.Float64, generator: generator) * tensor(Data.Std, dtype: ScalarType.Float64);

        var errors = new List<double>();
        foreach (int steps in new[] { 25, 100, 400 })
        {
            using var inner = NewDisposeScope();
            using var inverting = new ExactSamplingContext(schedule, steps, Data);
            var noise = ddim.Invert(images, inverting);
            using var sampling = new ExactSamplingContext(schedule, steps, Data);
            var back = ddim.Sample(noise, sampling);

            double error = ((back - images).square().mean() / images.var([0]).mean()).sqrt().item<double>();
            errors.Add(error);
            var (mean, std) = (noise.mean([0]).data<double>().ToArray(), noise.std([0]).data<double>().ToArray());
            output.WriteLine($"{prediction}, {steps} steps: relative reconstruction error {error:0.0000}; noise mean {string.Join(", ", mean.Select(m => m.ToString("0.000")))} std {string.Join(", ", std.Select(s => s.ToString("0.000")))}");
            Assert.Equal(0, inverting.NoiseDraws);
            Assert.Equal(steps, inverting.Evaluations);
            Assert.Equal(Enumerable.Range(1, steps).Select(i => (i, steps)), inverting.Progress);
            if (steps < 100) continue;
            // Gaussian data map to standard normal noise (once the steps resolve the data's smallest scale).
            Assert.All(mean, m => Assert.InRange(m, -0.1, 0.1));
            Assert.All(std, s => Assert.InRange(s, 0.93, 1.07));
        }
        Assert.True(errors[0] > errors[1] && errors[1] > errors[2], "the round trip gets better with more steps");
        Assert.InRange(errors[1], 0, 0.05);  // 100 steps: within 5% of the data's spread
        Assert.InRange(errors[2], 0, 0.015); // 400 steps: within 1.5%
    }

    [Fact]
    public void Inversion_needs_the_deterministic_sampler()
    {
        var ddim = (DdimSampler)SamplerPlugins.Create("ddim", PredictionType.Epsilon, ("Eta", 0.5));
        var schedule = NoiseSchedule.Create(BetaSchedule.Linear, 1000, 1e-4, 0.02, PredictionType.Epsilon);
        using var context = new ExactSamplingContext(schedule, 10, Data);
        using var images = zeros(4, 3, dtype: ScalarType.Float64);

        var error = Assert.Throws<PluginInputException>(() => ddim.Invert(images, context));
        Assert.Contains("eta: 0", error.Message);
    }
}
