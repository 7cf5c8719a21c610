using Diffusion.Modalities.Image.Restoration;
using Diffusion.Samplers.Ddim;
using Diffusion.Samplers.Ddpm;
using Diffusion.Samplers.Euler;

namespace Diffusion.Plugins.Tests.Restoration;

public class StartingLevelTests
{
    private static readonly NoiseSchedule Schedule = NoiseSchedule.Create(BetaSchedule.Cosine, 1000, 1e-4, 0.02, PredictionType.Epsilon);

    [Fact]
    public void A_truncated_schedule_keeps_the_first_timesteps()
    {
        var cut = StartingLevel.Truncate(Schedule, 300);

        Assert.Equal(301, cut.Timesteps);
        Assert.Equal(Schedule.AlphasCumprod.Take(301), cut.AlphasCumprod);
        Assert.Equal(Schedule.Prediction, cut.Prediction);
        Assert.Equal(2, StartingLevel.Truncate(Schedule, 0).Timesteps);
    }

    [Theory]
    [InlineData(TimestepSpacing.Leading, 90)]   // multiples of 101 / 10 = 10 counted up from 0
    [InlineData(TimestepSpacing.Trailing, 100)]
    public void The_probe_finds_where_ddpm_starts(TimestepSpacing spacing, double expected)
    {
        var ddpm = new DdpmSampler(new DdpmOptions { TimestepSpacing = spacing });

        double start = StartingLevel.Probe(ddpm, StartingLevel.Truncate(Schedule, 100), 10, [1, 4, 4]);

        Assert.Equal(expected, start);
    }

    [Fact]
    public void The_probe_finds_where_a_sigma_sampler_starts()
    {
        var euler = new EulerSampler(new SigmaSamplerOptions { SigmaSchedule = SigmaSchedule.Karras });

        double start = StartingLevel.Probe(euler, StartingLevel.Truncate(Schedule, 250), 7, [3]);

        Assert.Equal(250, start, 3);
    }

    [Fact]
    public void Strength_cuts_the_schedule_at_that_fraction()
    {
        var ddim = new DdimSampler(new DdimOptions { TimestepSpacing = TimestepSpacing.Trailing });

        var (cut, start) = StartingLevel.ForStrength(ddim, Schedule, 20, [2], 0.5);

        Assert.Equal(501, cut.Timesteps); // round(0.5 * 999) = 500 is the last timestep kept
        Assert.Equal(500, start);
    }

    [Theory]
    [InlineData(0.2)]
    [InlineData(0.05)]
    [InlineData(1.0)]
    public void For_a_noise_std_the_sampler_starts_at_the_lowest_level_at_least_as_noisy(double sigma)
    {
        var ddim = new DdimSampler(new DdimOptions { TimestepSpacing = TimestepSpacing.Leading });

        var (cut, start) = StartingLevel.ForNoise(ddim, Schedule, 10, [2], sigma);

        Assert.True(Schedule.SigmaAt(start) >= sigma, $"starts at sigma {Schedule.SigmaAt(start)} below {sigma}");
        // One timestep less and the sampler would start below the noise already in the input.
        double shorter = StartingLevel.Probe(ddim, StartingLevel.Truncate(Schedule, cut.Timesteps - 2), 10, [2]);
        Assert.True(Schedule.SigmaAt(shorter) < sigma);
    }

    [Fact]
    public void Noising_a_noisy_input_tops_its_noise_up_to_the_starting_level()
    {
        using var scope = NewDisposeScope();
        var generator = new TorchSharp.torch.Generator(11);
        double sigmaPresent = 0.3;
        double start = Schedule.TimestepAt(0.5);
        double alphaBar = 1 / (1 + 0.5 * 0.5);
        var clean = full(200_000, 0.25, dtype: ScalarType.Float64);
        var input = clean + sigmaPresent * randn([200_000], dtype: ScalarType.Float64, generator: generator);
        var fresh = randn([200_000], dtype: ScalarType.Float64, generator: generator);

        var x = StartingLevel.Noised(Schedule, start, input, fresh, sigmaPresent);

        // x_t = √ᾱ·x0 + √(1 − ᾱ)·ε: the mean and the noise variance of the forward process at that level.
        Assert.Equal(Math.Sqrt(alphaBar) * 0.25, x.mean().item<double>(), 2);
        Assert.Equal(1 - alphaBar, x.var().item<double>(), 2);
    }
}

/// <summary>
/// Denoising with the exact denoiser of Gaussian data x0 ~ N(mu, s²), so the answer is known: started at the input's own
/// noise level σ with nothing added, the deterministic sampler follows the probability-flow ODE, whose solution is
/// mu + (y − mu)·s/√(s² + σ²), and lands closer to the truth than the noisy input.
/// </summary>
public class ExactDenoisingTests
{
    [Fact]
    public void Denoise_mode_follows_the_probability_flow_from_the_input_noise_level()
    {
        using var scope = NewDisposeScope();
        var data = new Diffusion.Plugins.Tests.Samplers.GaussianExact([0.2, -0.4], [0.5, 1.0]);
        var schedule = NoiseSchedule.Create(BetaSchedule.Linear, 1000, 1e-4, 0.02, PredictionType.Epsilon);
        var ddim = new DdimSampler(new DdimOptions { TimestepSpacing = TimestepSpacing.Trailing, ClipSample = false });
        double sigma = schedule.Sigmas[150];
        var generator = new TorchSharp.torch.Generator(5);
        var mu = tensor(data.Mu, dtype: ScalarType.Float64);
        var std = tensor(data.Std, dtype: ScalarType.Float64);
        var clean = mu + randn([4000, 2], dtype: ScalarType.Float64, generator: generator) * std;
        var noisy = clean + sigma * randn([4000, 2], dtype: ScalarType.Float64, generator: generator);

        var (cut, start) = StartingLevel.ForNoise(ddim, schedule, 150, [2], sigma);
        var x = StartingLevel.Noised(cut, start, noisy, zeros_like(noisy), sigma);
        using var context = new Diffusion.Plugins.Tests.Samplers.ExactSamplingContext(cut, 150, data);
        var denoised = ddim.Sample(x, context);

        Assert.Equal(150, start, 6);
        var flow = mu + (noisy - mu) * std / (std.square() + sigma * sigma).sqrt();
        Assert.True((denoised - flow).abs().max().item<double>() < 0.01, $"largest gap to the ODE solution {(denoised - flow).abs().max().item<double>()}");
        double before = (noisy - clean).square().mean().item<double>(), after = (denoised - clean).square().mean().item<double>();
        Assert.True(after < 0.8 * before, $"MSE {before} before, {after} after");
    }
}
