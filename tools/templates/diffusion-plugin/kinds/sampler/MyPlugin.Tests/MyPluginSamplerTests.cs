using System.ComponentModel.DataAnnotations;
using System.Reflection;
using Diffusion.Abstractions.Denoisers;
using Diffusion.Abstractions.Plugins;
using Diffusion.Abstractions.Runs;
using Diffusion.Abstractions.Samplers;
using static TorchSharp.torch;

namespace MyPlugin.Tests;

public class MyPluginSamplerTests
{
    private static readonly NoiseSchedule Schedule = new MyPluginOptions { Timesteps = 100 }.ToSchedule();

    [Fact]
    public void IsASamplerNamedForPipelinesWithValidatedOptions()
    {
        var attribute = typeof(MyPluginSampler).GetCustomAttribute<PluginAttribute>()!;

        Assert.Equal(PluginKind.Sampler, attribute.Kind);
        Assert.Equal("my-plugin", attribute.Name);
        Assert.True(attribute.Kind.ContractType().IsAssignableFrom(typeof(MyPluginSampler)));
        Assert.True(IsValid(new MyPluginOptions()));
        Assert.False(IsValid(new MyPluginOptions { Eta = 2 }));
    }

    /// <summary>
    /// For data N(0, I) the exact model is ε̂ = √(1 − ᾱ)·x_t (so x̂0 = √ᾱ·x_t), and a deterministic step from t to t'
    /// multiplies x by √(ᾱ_t·ᾱ_t') + √((1 − ᾱ_t)(1 − ᾱ_t')); the last step returns x̂0. So the sample is the starting
    /// noise times a product known in closed form.
    /// </summary>
    [Fact]
    public void DeterministicStepsMatchTheClosedFormForGaussianData()
    {
        const int steps = 10;
        using var noise = randn(4, 3, generator: new TorchSharp.torch.Generator(7), dtype: ScalarType.Float64);
        int[] timesteps = SamplingTimesteps.Select(Schedule.Timesteps, steps, TimestepSpacing.Leading);
        double[] ab = Schedule.AlphasCumprod;
        double factor = Math.Sqrt(ab[timesteps[^1]]);
        for (int i = 0; i + 1 < steps; i++)
            factor *= Math.Sqrt(ab[timesteps[i]] * ab[timesteps[i + 1]]) + Math.Sqrt((1 - ab[timesteps[i]]) * (1 - ab[timesteps[i + 1]]));

        using var sample = Sample(new MyPluginOptions { Timesteps = 100, Eta = 0 }, noise, steps);

        Assert.True(allclose(sample, noise * factor, rtol: 1e-9, atol: 1e-12), $"expected {factor} times the noise");
    }

    [Fact]
    public void EtaAddsNoiseFromEachSamplesOwnGenerator()
    {
        using var noise = randn(4, 3, generator: new TorchSharp.torch.Generator(7), dtype: ScalarType.Float64);

        using var deterministic = Sample(new MyPluginOptions { Timesteps = 100, Eta = 0 }, noise, 10);
        using var stochastic = Sample(new MyPluginOptions { Timesteps = 100, Eta = 1 }, noise, 10);
        using var again = Sample(new MyPluginOptions { Timesteps = 100, Eta = 1 }, noise, 10);

        Assert.False(allclose(stochastic, deterministic, rtol: 1e-3, atol: 1e-3));
        Assert.True(stochastic.eq(again).all().item<bool>(), "the same seeds must give the same samples");
    }

    private static Tensor Sample(MyPluginOptions options, Tensor noise, int steps)
    {
        using var network = new StandardGaussianModel(Schedule);
        using var generators = new SampleGenerators(seed: 1, "test", first: 0, count: (int)noise.shape[0]);
        var model = new TrainedModel(network, Schedule, new DataSpec("vector", [noise.shape[1]]));
        return new MyPluginSampler(options).Sample(noise, new SamplingContext(model, steps, generators));
    }

    /// <summary>The exact ε-prediction model of data distributed as N(0, I).</summary>
    private sealed class StandardGaussianModel(NoiseSchedule schedule) : DenoiserModule("standard_gaussian")
    {
        public override Tensor forward(Tensor x, Tensor t, Conditioning? conditioning) =>
            (1 - schedule.AlphaBarAt(t, x)).sqrt() * x;
    }

    private static bool IsValid(object options) =>
        Validator.TryValidateObject(options, new ValidationContext(options), null, validateAllProperties: true);
}
