namespace Diffusion.Plugins.Tests.Samplers;

/// <summary>The σ-space view of a schedule that the samplers share: noise levels, fractional timesteps, sigma schedules, preconditioning.</summary>
public class NoiseScheduleSigmaTests
{
    private static readonly NoiseSchedule Linear = NoiseSchedule.Create(BetaSchedule.Linear, 1000, 1e-4, 0.02, PredictionType.Epsilon);

    [Fact]
    public void Sigmas_are_the_noise_to_signal_ratio_of_each_timestep()
    {
        for (int t = 0; t < Linear.Timesteps; t += 111)
        {
            double ab = Linear.AlphasCumprod[t];
            Assert.Equal(Math.Sqrt((1 - ab) / ab), Linear.Sigmas[t], 12);
            Assert.Equal(Linear.Sigmas[t], Linear.SigmaAt(t), 12);
        }
        Assert.Equal(Linear.Sigmas[0], Linear.SigmaMin);
        Assert.Equal(Linear.Sigmas[^1], Linear.SigmaMax);
        Assert.InRange(Linear.SigmaMax, 150, 165); // ~157 for DDPM's linear schedule
    }

    [Fact]
    public void Fractional_timesteps_and_sigmas_convert_both_ways()
    {
        foreach (double t in new[] { 0.0, 0.25, 1.5, 123.456, 500.0, 998.9, 999.0 })
            Assert.Equal(t, Linear.TimestepAt(Linear.SigmaAt(t)), 9);
        double between = Linear.SigmaAt(10.5);
        Assert.Equal(Math.Sqrt(Linear.Sigmas[10] * Linear.Sigmas[11]), between, 12); // log σ is interpolated
        Assert.Equal(0, Linear.TimestepAt(Linear.SigmaMin / 2));
        Assert.Equal(999, Linear.TimestepAt(Linear.SigmaMax * 2));
        Assert.Equal(Linear.SigmaMax, Linear.SigmaAt(5000), 9);
    }

    /// <summary>
    /// Issue 23: ᾱ at a fractional timestep is the ᾱ of the σ the samplers mean there (log σ interpolated), not a linear
    /// interpolation of ᾱ (off by ~5e-5 under Karras σ, 30-50 times float32 rounding), in the tensor and the scalar form,
    /// and at an integer timestep the table's own value (0 at the end of a zero-terminal-SNR schedule).
    /// </summary>
    [Fact]
    public void Alpha_bar_at_a_fractional_timestep_is_that_of_the_samplers_sigma()
    {
        double[] timesteps = [0, 0.5, 3.25, 10.5, 123.456, 500, 998.9, 999];
        using var t = tensor(timesteps, dtype: ScalarType.Float64);
        using var like = zeros([timesteps.Length, 2], dtype: ScalarType.Float64);
        using var tensorForm = Linear.AlphaBarAt(t, like);
        for (int i = 0; i < timesteps.Length; i++)
        {
            double sigma = Linear.SigmaAt(timesteps[i]);
            double expected = timesteps[i] % 1 == 0 ? Linear.AlphasCumprod[(int)timesteps[i]] : 1 / (1 + sigma * sigma);
            Assert.Equal(expected, Linear.AlphaBarAt(timesteps[i]), 14);
            Assert.Equal(expected, tensorForm[i, 0].item<double>(), 14);
            Assert.Equal(1 / (1 + sigma * sigma), expected, 12); // at integers too: the table's σ is √((1 − ᾱ)/ᾱ)
        }
        // Linear interpolation of ᾱ would differ by far more than float32 rounding at a typical sampler σ.
        double t0 = Linear.TimestepAt(0.5);
        double w = t0 - Math.Floor(t0);
        double linear = Linear.AlphasCumprod[(int)t0] * (1 - w) + Linear.AlphasCumprod[(int)t0 + 1] * w;
        Assert.Equal(1 / 1.25, Linear.AlphaBarAt(t0), 12);
        Assert.True(Math.Abs(linear - 0.8) > 1e-7);

        var zeroSnr = NoiseSchedule.Create(BetaSchedule.ScaledLinear, 1000, 0.00085, 0.012, PredictionType.VPrediction, rescaleZeroTerminalSnr: true);
        using var end = zeroSnr.AlphaBarAt(tensor(new[] { 999.0, 998.5 }, dtype: ScalarType.Float64), zeros([2], dtype: ScalarType.Float64));
        Assert.Equal(0, end[0].item<double>());
        Assert.Equal(0, zeroSnr.AlphaBarAt(999.0));
        Assert.InRange(end[1].item<double>(), 0, zeroSnr.AlphasCumprod[998]);
    }

    [Fact]
    public void Zero_terminal_snr_keeps_sigma_finite()
    {
        var schedule = NoiseSchedule.Create(BetaSchedule.ScaledLinear, 1000, 0.00085, 0.012, PredictionType.VPrediction, rescaleZeroTerminalSnr: true);
        Assert.Equal(0, schedule.AlphasCumprod[^1], 12);
        Assert.Equal(Math.Sqrt((1 - NoiseSchedule.MinAlphaBarForSigmas) / NoiseSchedule.MinAlphaBarForSigmas), schedule.SigmaMax, 6);
        Assert.Equal(999, schedule.TimestepAt(schedule.SigmaMax));
    }

    [Fact]
    public void Karras_and_exponential_sigmas_span_the_schedule_and_end_at_zero()
    {
        var karras = Linear.KarrasSigmas(10, rho: 7);
        var exponential = Linear.ExponentialSigmas(10);
        foreach (var sigmas in new[] { karras, exponential })
        {
            Assert.Equal(11, sigmas.Length);
            Assert.Equal(Linear.SigmaMax, sigmas[0], 9);
            Assert.Equal(Linear.SigmaMin, sigmas[9], 9);
            Assert.Equal(0, sigmas[10]);
            Assert.True(sigmas.Zip(sigmas.Skip(1)).All(p => p.First > p.Second), "strictly decreasing");
        }
        // Evenly spaced in σ^(1/ρ) and in log σ respectively.
        var roots = karras[..10].Select(s => Math.Pow(s, 1 / 7.0)).ToArray();
        var logs = exponential[..10].Select(s => Math.Log(s)).ToArray();
        for (int i = 1; i < 9; i++)
        {
            Assert.Equal(roots[1] - roots[0], roots[i + 1] - roots[i], 9);
            Assert.Equal(logs[1] - logs[0], logs[i + 1] - logs[i], 9);
        }
        // A larger ρ spends more of the steps at low noise.
        Assert.True(Linear.KarrasSigmas(10, rho: 15)[5] < Linear.KarrasSigmas(10, rho: 3)[5]);
        var single = Linear.KarrasSigmas(1);
        Assert.Equal(2, single.Length);
        Assert.Equal(Linear.SigmaMax, single[0], 9);
        Assert.Equal(0, single[1]);
    }

    [Theory]
    [InlineData(PredictionType.Epsilon)]
    [InlineData(PredictionType.VPrediction)]
    [InlineData(PredictionType.Sample)]
    [InlineData(PredictionType.Edm)]
    public void Training_target_split_and_preconditioning_agree(PredictionType prediction)
    {
        using var scope = NewDisposeScope();
        var schedule = NoiseSchedule.Create(BetaSchedule.Cosine, 1000, 1e-4, 0.02, prediction);
        using var generator = new Generator(8);
        var x0 = randn([5, 3], dtype: ScalarType.Float64, generator: generator);
        var noise = randn([5, 3], dtype: ScalarType.Float64, generator: generator);
        foreach (int step in new[] { 0, 10, 500, 990 })
        {
            var t = full(5, step, dtype: ScalarType.Float64);
            var xt = schedule.AddNoise(x0, noise, t);
            var target = schedule.TrainingTarget(x0, noise, t);

            var (x0Back, epsBack) = schedule.Split(xt, t, target);
            Assert.True(x0Back.allclose(x0, rtol: 1e-6, atol: 1e-6), $"{prediction} x0 at t={step}");
            Assert.True(epsBack.allclose(noise, rtol: 1e-6, atol: 1e-6), $"{prediction} eps at t={step}");

            double sigma = schedule.Sigmas[step];
            var c = schedule.PreconditioningAt(sigma);
            var xSigma = x0 + noise * sigma;
            Assert.True((xSigma * c.In).allclose(xt, rtol: 1e-9, atol: 1e-9), "c_in gives the network's x_t");
            Assert.True((xSigma * c.Skip + target * c.Out).allclose(x0, rtol: 1e-6, atol: 1e-6), $"{prediction} D at t={step}");
        }
    }

    [Fact]
    public void Edm_target_has_unit_variance_at_every_noise_level_for_data_of_std_sigma_data()
    {
        using var scope = NewDisposeScope();
        var schedule = NoiseSchedule.Create(BetaSchedule.Linear, 1000, 1e-4, 0.02, PredictionType.Edm);
        using var generator = new Generator(4);
        var x0 = randn([20000], dtype: ScalarType.Float64, generator: generator) * NoiseSchedule.EdmSigmaData;
        var noise = randn([20000], dtype: ScalarType.Float64, generator: generator);
        foreach (int step in new[] { 0, 100, 400, 999 })
        {
            var t = full(20000, step, dtype: ScalarType.Float64);
            double variance = schedule.TrainingTarget(x0, noise, t).var().item<double>();
            Assert.InRange(variance, 0.97, 1.03);
        }
        var zeroSnr = NoiseSchedule.Create(BetaSchedule.Linear, 1000, 1e-4, 0.02, PredictionType.Edm, rescaleZeroTerminalSnr: true);
        var last = full(20000, 999, dtype: ScalarType.Float64);
        Assert.True(zeroSnr.TrainingTarget(x0, noise, last).allclose(x0 / NoiseSchedule.EdmSigmaData), "at zero SNR F is x0 / sigma_data");
    }
}
