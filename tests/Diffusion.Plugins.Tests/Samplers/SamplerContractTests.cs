using System.ComponentModel.DataAnnotations;
using System.Reflection;

namespace Diffusion.Plugins.Tests.Samplers;

/// <summary>What every sampler promises the host: plugin shape, stateless instances, per-sample randomness, a noise-free
/// last step, progress for every step, flat memory, and the model's own schedule.</summary>
public class SamplerContractTests
{
    private static readonly GaussianExact Data = new([0.5, -0.3, 0.1], [0.3, 0.6, 1.0]);
    private static readonly NoiseSchedule Schedule = NoiseSchedule.Create(BetaSchedule.Linear, 1000, 1e-4, 0.02, PredictionType.Epsilon);

    public static TheoryData<string> AllSamplers() => [.. SamplerPlugins.Required];

    [Fact]
    public void Every_sampler_the_issue_names_is_a_scheduler_plugin_with_schedule_options()
    {
        Assert.Equal(SamplerPlugins.Required.Concat(SamplerPlugins.Flow).Concat(SamplerPlugins.Distilled).Order(), SamplerPlugins.Plugins.Keys.Order());
        foreach (var name in SamplerPlugins.Flow)
        {
            var options = SamplerPlugins.Plugins[name].Options;
            Assert.True(typeof(FlowSamplerOptions).IsAssignableFrom(options), $"{name}: options must derive from FlowSamplerOptions so it can train");
            Assert.Superset(new HashSet<string> { "timesteps", "time_sampling", "logit_mean", "logit_std", "shift" }, Keys(name));
        }
        foreach (var (name, (sampler, options)) in SamplerPlugins.Plugins.Where(p => !SamplerPlugins.Flow.Contains(p.Key)))
        {
            Assert.True(typeof(SamplerOptions).IsAssignableFrom(options), $"{name}: options must derive from SamplerOptions so it can train");
            Assert.All(sampler.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic),
                f => Assert.True(f.IsInitOnly, $"{name}: field {f.Name} is mutable"));
            var defaults = Activator.CreateInstance(options)!;
            Assert.True(Validator.TryValidateObject(defaults, new ValidationContext(defaults), [], validateAllProperties: true), $"{name}: defaults do not validate");
            var keys = options.GetProperties().Select(OptionNames.KeyOf).ToHashSet();
            Assert.Contains("prediction_type", keys);
            if (name is not ("ddpm" or "ddim" or "consistency")) Assert.Superset(new HashSet<string> { "sigma_schedule", "rho", "timestep_spacing" }, keys);
        }
        Assert.Contains("eta", Keys("ddim"));
        foreach (var name in new[] { "euler-ancestral", "dpmpp-2s-ancestral", "dpmpp-2m-sde", "dpmpp-3m-sde" })
            Assert.Superset(new HashSet<string> { "eta", "s_noise" }, Keys(name));
        foreach (var name in new[] { "heun", "edm" })
            Assert.Superset(new HashSet<string> { "s_churn", "s_tmin", "s_tmax", "s_noise" }, Keys(name));
        Assert.Contains("order", Keys("lms"));
        Assert.Contains("solver_order", Keys("unipc"));
        Assert.Contains("solver_order", Keys("deis"));
        Assert.Equal("karras", OptionNames.EnumValueName((Enum)SamplerPlugins.Plugins["edm"].Options.GetProperty("SigmaSchedule")!.GetValue(Activator.CreateInstance(SamplerPlugins.Plugins["edm"].Options))!));
    }

    [Theory]
    [InlineData("ddim", "Eta", 1.5)]
    [InlineData("euler-ancestral", "Eta", -0.1)]
    [InlineData("euler", "Rho", 0.0)]
    [InlineData("lms", "Order", 5)]
    [InlineData("unipc", "SolverOrder", 4)]
    [InlineData("deis", "SolverOrder", 0)]
    [InlineData("edm", "SChurn", -1.0)]
    [InlineData("heun", "SNoise", 3.0)]
    public void Out_of_range_options_are_rejected(string name, string property, object value)
    {
        var options = Activator.CreateInstance(SamplerPlugins.Plugins[name].Options)!;
        options.GetType().GetProperty(property)!.SetValue(options, value);
        Assert.False(Validator.TryValidateObject(options, new ValidationContext(options), [], validateAllProperties: true));
    }

    [Theory]
    [MemberData(nameof(AllSamplers))]
    public void Last_step_adds_no_noise_and_every_step_is_reported(string name)
    {
        using var scope = NewDisposeScope();
        const int steps = 12;
        var sampler = SamplerPlugins.Create(name);
        using var context = new ExactSamplingContext(Schedule, steps, Data, seed: 2) { KeepLastCall = true };
        var samples = sampler.Sample(randn(64, 3, dtype: ScalarType.Float64), context);

        Assert.Equal(Enumerable.Range(1, steps).Select(i => (i, steps)), context.Progress);
        Assert.Equal(SamplerPlugins.Evaluations(name, steps), context.Evaluations);
        Assert.DoesNotContain(steps, context.NoiseDrawSteps);
        if (SamplerPlugins.Stochastic.Contains(name)) Assert.NotEmpty(context.NoiseDrawSteps);
        else Assert.Empty(context.NoiseDrawSteps);
        if (name != "lms") // lms integrates its polynomial down to σ = 0; every other sampler returns the clean estimate there
            Assert.True(samples.allclose(context.LastDenoised(), rtol: 1e-9, atol: 1e-9), $"{name} does not end on D");
    }

    [Theory]
    [MemberData(nameof(AllSamplers))]
    public void Sample_i_is_the_same_whatever_the_batch_size(string name)
    {
        using var scope = NewDisposeScope();
        var sampler = SamplerPlugins.Create(name);
        using var generator = new Generator(9);
        var noise = randn([6, 3], dtype: ScalarType.Float64, generator: generator);
        Tensor Run(long first, int count)
        {
            using var context = new ExactSamplingContext(Schedule, 15, Data, seed: 42, perSample: true, first: first);
            return sampler.Sample(noise.narrow(0, first, count), context);
        }

        var whole = Run(0, 6);
        var pieces = cat([Run(0, 2), Run(2, 4)]);
        Assert.True(whole.allclose(pieces, rtol: 0, atol: 1e-12), $"{name}: batches of 2 + 4 differ from one batch of 6");
    }

    [Fact]
    public void One_instance_serves_concurrent_sampling_loops()
    {
        foreach (var name in SamplerPlugins.Required)
        {
            var sampler = SamplerPlugins.Create(name);
            using var outer = NewDisposeScope();
            var noises = Enumerable.Range(0, 4).Select(i => randn([32, 3], dtype: ScalarType.Float64, generator: new Generator((ulong)(100 + i)))).ToArray();
            double[][] Run(int i)
            {
                using var scope = NewDisposeScope();
                using var context = new ExactSamplingContext(Schedule, 10, Data, seed: i);
                return [.. sampler.Sample(noises[i], context).data<double>().ToArray().Chunk(3)];
            }

            var sequential = Enumerable.Range(0, 4).Select(Run).ToArray();
            var concurrent = new double[4][][];
            Parallel.For(0, 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i => concurrent[i] = Run(i));
            for (int i = 0; i < 4; i++)
                Assert.True(sequential[i].SelectMany(r => r).SequenceEqual(concurrent[i].SelectMany(r => r)), $"{name}: loop {i} differs when run concurrently");
        }
    }

    [Theory]
    [MemberData(nameof(AllSamplers))]
    public void Memory_stays_flat_over_many_steps(string name)
    {
        var sampler = SamplerPlugins.Create(name);
        long LiveTensorsAfter(int steps)
        {
            using var outer = NewDisposeScope();
            var noise = randn(16, 3, dtype: ScalarType.Float64);
            long before = DisposeScopeManager.Statistics.TensorStatistics.ThreadTotalLiveCount;
            using var context = new ExactSamplingContext(Schedule, steps, Data);
            var samples = sampler.Sample(noise, context);
            return DisposeScopeManager.Statistics.TensorStatistics.ThreadTotalLiveCount - before;
        }

        LiveTensorsAfter(1); // the schedule builds its ᾱ and log σ tables on the device once, on first use
        long few = LiveTensorsAfter(10);
        long many = LiveTensorsAfter(300);
        Assert.Equal(few, many);
        Assert.Equal(1, many); // the result
    }

    [Theory]
    [MemberData(nameof(AllSamplers))]
    public void Samples_with_the_models_schedule_not_its_own_options(string name)
    {
        using var scope = NewDisposeScope();
        // Options say cosine over 1000 steps, predicting epsilon; the model was trained on 100 sigmoid steps predicting v.
        var sampler = SamplerPlugins.Create(name, PredictionType.Epsilon, ("BetaSchedule", BetaSchedule.Cosine));
        var trained = NoiseSchedule.Create(BetaSchedule.Sigmoid, 100, 1e-4, 0.05, PredictionType.VPrediction);
        using var context = new ExactSamplingContext(trained, 20, Data);
        var samples = sampler.Sample(randn(2000, 3, dtype: ScalarType.Float64), context);

        Assert.All(context.Sigmas, s => Assert.InRange(s, trained.SigmaMin * (1 - 1e-9), trained.SigmaMax * (1 + 1e-9)));
        var std = samples.std([0]).data<double>().ToArray();
        for (int d = 0; d < 3; d++) Assert.InRange(std[d] / Data.Std[d], 0.75, 1.3); // a v model read as epsilon would be far off
    }

    [Theory]
    [InlineData(SigmaSchedule.Schedule, TimestepSpacing.Linspace)]
    [InlineData(SigmaSchedule.Schedule, TimestepSpacing.Leading)]
    [InlineData(SigmaSchedule.Schedule, TimestepSpacing.Trailing)]
    [InlineData(SigmaSchedule.Karras, TimestepSpacing.Linspace)]
    [InlineData(SigmaSchedule.Exponential, TimestepSpacing.Linspace)]
    public void Sigma_samplers_visit_the_noise_levels_their_options_name(SigmaSchedule sigmaSchedule, TimestepSpacing spacing)
    {
        using var scope = NewDisposeScope();
        var sampler = SamplerPlugins.Create("euler", PredictionType.Epsilon, ("SigmaSchedule", sigmaSchedule), ("TimestepSpacing", spacing), ("Rho", 5.0));
        using var context = new ExactSamplingContext(Schedule, 25, Data);
        sampler.Sample(randn(4, 3, dtype: ScalarType.Float64), context);

        double[] expected = sigmaSchedule switch
        {
            SigmaSchedule.Karras => Schedule.KarrasSigmas(25, 5.0)[..25],
            SigmaSchedule.Exponential => Schedule.ExponentialSigmas(25)[..25],
            _ => [.. SamplingTimesteps.Select(1000, 25, spacing).Select(t => Schedule.Sigmas[t])],
        };
        Assert.Equal(expected.Length, context.Sigmas.Count);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], context.Sigmas[i], expected[i] * 1e-9);
    }

    [Theory]
    [MemberData(nameof(AllSamplers))]
    public void Zero_terminal_snr_schedules_sample_from_the_largest_finite_sigma(string name)
    {
        using var scope = NewDisposeScope();
        var schedule = NoiseSchedule.Create(BetaSchedule.ScaledLinear, 1000, 0.00085, 0.012, PredictionType.VPrediction, rescaleZeroTerminalSnr: true);
        using var context = new ExactSamplingContext(schedule, 30, Data);
        var samples = SamplerPlugins.Create(name, PredictionType.VPrediction).Sample(randn(2000, 3, dtype: ScalarType.Float64), context);

        Assert.True(samples.isfinite().all().item<bool>(), $"{name} produced non-finite samples");
        var mean = samples.mean([0]).data<double>().ToArray();
        for (int d = 0; d < 3; d++) Assert.InRange(mean[d], Data.Mu[d] - 0.15, Data.Mu[d] + 0.15);
    }

    private static HashSet<string> Keys(string name) => SamplerPlugins.Plugins[name].Options.GetProperties().Select(OptionNames.KeyOf).ToHashSet();
}
