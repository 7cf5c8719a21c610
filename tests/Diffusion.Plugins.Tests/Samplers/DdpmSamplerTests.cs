using System.ComponentModel.DataAnnotations;
using System.Reflection;
using Diffusion.Samplers.Ddpm;

namespace Diffusion.Plugins.Tests.Samplers;

public class DdpmSamplerTests
{
    private static readonly double[] Mu = [0.5, -0.3, 0.0, 0.2];
    private static readonly double[] Std = [0.1, 0.3, 0.5, 0.2];

    [Theory]
    [InlineData(PredictionType.Epsilon, 1000, TimestepSpacing.Leading, DdpmVariance.FixedSmall)]
    [InlineData(PredictionType.VPrediction, 1000, TimestepSpacing.Leading, DdpmVariance.FixedSmall)]
    [InlineData(PredictionType.Sample, 1000, TimestepSpacing.Leading, DdpmVariance.FixedSmall)]
    [InlineData(PredictionType.Epsilon, 50, TimestepSpacing.Leading, DdpmVariance.FixedSmall)]
    [InlineData(PredictionType.VPrediction, 50, TimestepSpacing.Trailing, DdpmVariance.FixedSmall)]
    [InlineData(PredictionType.Sample, 50, TimestepSpacing.Linspace, DdpmVariance.FixedSmall)]
    [InlineData(PredictionType.Epsilon, 1000, TimestepSpacing.Leading, DdpmVariance.FixedLarge)]
    public void Exact_denoiser_for_gaussian_data_gives_samples_of_that_distribution(
        PredictionType prediction, int steps, TimestepSpacing spacing, DdpmVariance variance)
    {
        using var scope = NewDisposeScope();
        // No clipping: the N(0, 0.5²) dimension has 5% of its mass outside [-1, 1], and clipping would narrow it.
        var options = new DdpmOptions { PredictionType = prediction, TimestepSpacing = spacing, Variance = variance, ClipSample = false };
        var sampler = new DdpmSampler(options);
        var schedule = sampler.CreateSchedule();
        using var data = new GaussianData(Mu, Std);
        using var context = new FakeSamplingContext(schedule, steps, (x, t) => data.Optimal(schedule, x, t), seed: 7);
        using var generator = new Generator(11);
        var noise = randn([4000, data.Dims], generator: generator);

        var samples = sampler.Sample(noise, context);

        var mean = samples.mean([0]).data<float>().ToArray();
        var std = samples.std([0]).data<float>().ToArray();
        var timesteps = SamplingTimesteps.Select(schedule.Timesteps, steps, spacing);
        for (int d = 0; d < data.Dims; d++)
        {
            Assert.InRange(mean[d], Mu[d] - 0.03, Mu[d] + 0.03);
            double expected = GaussianData.ExpectedSampleStd(schedule, timesteps, Std[d], variance == DdpmVariance.FixedLarge);
            Assert.InRange(std[d], expected * 0.96, expected * 1.04);
            if (steps == 1000 && variance == DdpmVariance.FixedSmall)
                Assert.InRange(std[d], Std[d] * 0.95, Std[d] * 1.05);
        }
        Assert.Equal(steps, context.Progress.Count);
    }

    [Fact]
    public void Last_step_returns_the_x0_estimate_without_noise()
    {
        using var scope = NewDisposeScope();
        var sampler = new DdpmSampler(new DdpmOptions { ClipSample = false });
        var schedule = sampler.CreateSchedule();
        using var data = new GaussianData(Mu, Std);
        using var context = new FakeSamplingContext(schedule, 20, (x, t) => data.Optimal(schedule, x, t)) { KeepLastCall = true };
        var noise = randn([64, data.Dims]);

        var samples = sampler.Sample(noise, context);

        var (lastX, lastT, lastOutput) = context.LastCall!.Value;
        var expected = schedule.Split(lastX, lastT, lastOutput).X0;
        Assert.True(samples.allclose(expected, rtol: 1e-5, atol: 1e-6));
        Assert.Equal(19, context.NoiseDraws); // one draw per step but the last
        Assert.Equal(Enumerable.Range(1, 20).Select(i => (i, 20)), context.Progress);
    }

    [Fact]
    public void Same_noise_and_generators_give_identical_samples_and_other_generators_differ()
    {
        using var scope = NewDisposeScope();
        var sampler = new DdpmSampler(new DdpmOptions());
        var schedule = sampler.CreateSchedule();
        using var data = new GaussianData(Mu, Std);
        var noise = randn([16, data.Dims]);
        Tensor Run(long seed)
        {
            using var context = new FakeSamplingContext(schedule, 25, (x, t) => data.Optimal(schedule, x, t), seed);
            return sampler.Sample(noise, context);
        }

        var first = Run(3);
        Assert.True(first.allclose(Run(3), rtol: 0, atol: 0));
        Assert.False(first.allclose(Run(4)));
    }

    [Fact]
    public void Samples_with_the_models_schedule_not_the_options()
    {
        using var scope = NewDisposeScope();
        var sampler = new DdpmSampler(new DdpmOptions { Timesteps = 1000, PredictionType = PredictionType.Epsilon });
        var trained = new SamplerOptions { Timesteps = 100, BetaSchedule = BetaSchedule.Cosine, PredictionType = PredictionType.Sample }.ToSchedule();
        using var context = new FakeSamplingContext(trained, 1000, (x, t) => zeros_like(x));

        var samples = sampler.Sample(randn(8, 3), context);

        Assert.Equal(100, context.Timesteps.Count);
        Assert.Equal(99.0, context.Timesteps[0]);
        Assert.Equal(0.0, context.Timesteps[^1]);
        // A sample-predicting model that always says 0 ends at exactly 0.
        Assert.Equal(0.0, samples.abs().max().item<float>());
    }

    [Theory]
    [InlineData(TimestepSpacing.Leading, new[] { 980, 960, 940 }, new[] { 40, 20, 0 })]
    [InlineData(TimestepSpacing.Trailing, new[] { 999, 979, 959 }, new[] { 59, 39, 19 })]
    [InlineData(TimestepSpacing.Linspace, new[] { 999, 979, 958 }, new[] { 41, 20, 0 })]
    public void Timestep_spacings_match_the_usual_definitions(TimestepSpacing spacing, int[] head, int[] tail)
    {
        var timesteps = SamplingTimesteps.Select(1000, 50, spacing);

        Assert.Equal(50, timesteps.Length);
        Assert.Equal(head, timesteps[..3]);
        Assert.Equal(tail, timesteps[^3..]);
        Assert.True(timesteps.Zip(timesteps.Skip(1)).All(p => p.First > p.Second), "strictly decreasing");
    }

    [Fact]
    public void Asking_for_more_steps_than_timesteps_visits_each_once()
    {
        Assert.Equal(Enumerable.Range(0, 10).Reverse(), SamplingTimesteps.Select(10, 25, TimestepSpacing.Leading));
        Assert.Throws<ArgumentOutOfRangeException>(() => SamplingTimesteps.Select(10, 0, TimestepSpacing.Leading));
    }

    [Fact]
    public void Clipping_bounds_the_x0_estimate()
    {
        using var scope = NewDisposeScope();
        // A sample-predicting model that claims x0 = 5 everywhere: with clipping the result is the clip range.
        var options = new DdpmOptions { PredictionType = PredictionType.Sample, ClipSample = true, ClipRange = 1.5 };
        var sampler = new DdpmSampler(options);
        using var context = new FakeSamplingContext(sampler.CreateSchedule(), 10, (x, t) => full_like(x, 5.0));

        var samples = sampler.Sample(randn(4, 2), context);

        Assert.True(samples.allclose(full_like(samples, 1.5)));
    }

    [Fact]
    public void Memory_stays_flat_over_many_steps()
    {
        var sampler = new DdpmSampler(new DdpmOptions());
        var schedule = sampler.CreateSchedule();
        using var data = new GaussianData(Mu, Std);

        long LiveTensorsAfter(int steps)
        {
            using var outer = NewDisposeScope();
            var noise = randn(32, data.Dims);
            long before = DisposeScopeManager.Statistics.TensorStatistics.ThreadTotalLiveCount;
            using var context = new FakeSamplingContext(schedule, steps, (x, t) => data.Optimal(schedule, x, t));
            var samples = sampler.Sample(noise, context);
            return DisposeScopeManager.Statistics.TensorStatistics.ThreadTotalLiveCount - before;
        }

        LiveTensorsAfter(1); // the schedule builds its ᾱ and log σ tables on the device once, on first use
        long few = LiveTensorsAfter(10);
        long many = LiveTensorsAfter(1000);
        Assert.Equal(few, many);
        Assert.InRange(many, 1, 2); // the result (and at most one alias of it)
    }

    [Fact]
    public void Is_a_stateless_plugin_with_yaml_options()
    {
        var plugin = typeof(DdpmSampler).GetCustomAttribute<PluginAttribute>()!;
        Assert.Equal((PluginKind.Sampler, "ddpm", typeof(DdpmOptions)), (plugin.Kind, plugin.Name, plugin.Options));
        Assert.All(typeof(DdpmSampler).GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic),
            f => Assert.True(f.IsInitOnly, $"{f.Name} is mutable"));

        var keys = typeof(DdpmOptions).GetProperties().Select(OptionNames.KeyOf).ToArray();
        Assert.Contains("variance", keys);
        Assert.Contains("clip_sample", keys);
        Assert.Contains("clip_range", keys);
        Assert.Contains("timestep_spacing", keys);
        Assert.Equal("fixed_small", OptionNames.EnumValueName(new DdpmOptions().Variance));
        Assert.Equal("linspace", OptionNames.EnumValueName(TimestepSpacing.Linspace));

        var bad = new DdpmOptions { ClipRange = 0 };
        Assert.False(Validator.TryValidateObject(bad, new ValidationContext(bad), [], validateAllProperties: true));
    }
}
