using Diffusion.Denoisers.Mlp;
using Xunit.Abstractions;

namespace Diffusion.Plugins.Tests.Flow;

/// <summary>
/// The rectified-flow training objective: the schedule's x_t and target are the ones the flow defines, their least-squares
/// fit is the exact velocity field, training times follow the chosen density, and a small network trained on it gets
/// close to the exact field's irreducible loss.
/// </summary>
public class FlowObjectiveTests(ITestOutputHelper output)
{
    private static readonly FlowGaussian Data = new([0.5, -0.3], [0.3, 0.6]);

    [Fact]
    public void The_schedule_noises_linearly_and_targets_the_velocity()
    {
        using var scope = NewDisposeScope();
        var schedule = NoiseSchedule.RectifiedFlow(1000);
        var x0 = tensor(new[] { 1.0, -2.0 }).reshape(2, 1);
        var eps = tensor(new[] { 0.5, 0.25 }).reshape(2, 1);
        var tau = tensor(new[] { 299.0, 999.0 }); // t = 0.3 and t = 1
        var xt = schedule.AddNoise(x0, eps, tau);
        Assert.True(xt.reshape(-1).allclose(tensor(new[] { 0.7 * 1 + 0.3 * 0.5, 0.25 }), rtol: 0, atol: 1e-12), xt.str());
        Assert.True(schedule.TrainingTarget(x0, eps, tau).reshape(-1).allclose(tensor(new[] { -0.5, 2.25 }), rtol: 0, atol: 1e-12));
        Assert.Equal(0.3, schedule.FlowTimeAt(299), 12);
        Assert.Equal(299, schedule.TimestepAtFlowTime(0.3), 9);
        Assert.Equal(0.0, schedule.AlphasCumprod[^1]);
        // σ = t/(1 − t) and the preconditioning recover x0 from v at x_σ = x_f/(1 − t).
        double sigma = schedule.SigmaAt(299);
        Assert.Equal(0.3 / 0.7, sigma, 9);
        var c = schedule.PreconditioningAt(sigma);
        var v = schedule.TrainingTarget(x0, eps, tau)[0];
        var xs = xt[0] / 0.7;
        Assert.Equal(1.0, (xs * c.Skip + v * c.Out).item<double>(), 9);
        Assert.Equal(0.7, c.In * (1 + sigma) * 0.7, 9);
        // Split turns the variance-preserving x_t back into the flow's input and the estimates.
        var vp = xt[0] / Math.Sqrt(0.49 + 0.09);
        var (x0Hat, epsHat) = schedule.Split(vp.reshape(1, 1), tau.narrow(0, 0, 1), v.reshape(1, 1));
        Assert.Equal(1.0, x0Hat.item<double>(), 9);
        Assert.Equal(0.5, epsHat.item<double>(), 9);
        // A checkpoint's betas (whole or cut, as SDEdit cuts) rebuild the same flow.
        var rebuilt = NoiseSchedule.FromBetas(schedule.Betas.Take(400).ToArray(), PredictionType.Flow, schedule.Kind);
        Assert.Equal(0.3, rebuilt.FlowTimeAt(299), 12);
        Assert.Equal(0.4, rebuilt.FlowTimeAt(rebuilt.Timesteps - 1), 12);
    }

    [Fact]
    public void The_least_squares_fit_of_the_target_is_the_exact_velocity_field()
    {
        using var scope = NewDisposeScope();
        var schedule = NoiseSchedule.RectifiedFlow(1000);
        using var generator = new Generator(3);
        const int n = 200_000;
        var mu = tensor(Data.Mu);
        var std = tensor(Data.Std);
        var x0 = mu + std * randn([n, 2], dtype: ScalarType.Float64, generator: generator);
        var eps = randn([n, 2], dtype: ScalarType.Float64, generator: generator);
        foreach (double t in new[] { 0.2, 0.5, 0.9 })
        {
            var tau = full([n], schedule.TimestepAtFlowTime(t), dtype: ScalarType.Float64);
            var xt = schedule.AddNoise(x0, eps, tau);
            var target = schedule.TrainingTarget(x0, eps, tau);
            // Per dimension, the regression of the target on x_t: slope Cov/Var and intercept.
            var xm = xt.mean([0]);
            var ym = target.mean([0]);
            var slope = ((xt - xm) * (target - ym)).mean([0]) / (xt - xm).square().mean([0]);
            var intercept = ym - slope * xm;
            var exactAtZero = Data.Velocity(zeros([1, 2], dtype: ScalarType.Float64), t).reshape(2);
            var exactSlope = Data.Velocity(ones([1, 2], dtype: ScalarType.Float64), t).reshape(2) - exactAtZero;
            Assert.True(slope.allclose(exactSlope, rtol: 0, atol: 0.02), $"t={t}: slope {slope.str()} vs {exactSlope.str()}");
            Assert.True(intercept.allclose(exactAtZero, rtol: 0, atol: 0.02), $"t={t}: intercept {intercept.str()} vs {exactAtZero.str()}");
        }
    }

    [Theory]
    [InlineData(FlowTimeSampling.Uniform, 0.5, 0.4615)]
    [InlineData(FlowTimeSampling.LogitNormal, 0.5, 0.6827)]
    public void Training_times_follow_the_chosen_density(FlowTimeSampling sampling, double mean, double middleShare)
    {
        using var scope = NewDisposeScope();
        var schedule = NoiseSchedule.RectifiedFlow(1000, sampling);
        using var generator = new Generator(4);
        var tau = schedule.DrawTrainingTimesteps(100_000, generator);
        Assert.Equal(ScalarType.Float64, tau.dtype);
        var t = (tau + 1) / 1000;
        Assert.InRange(t.min().item<double>(), 0, 0.02);
        Assert.InRange(t.max().item<double>(), 0.98, 1);
        Assert.Equal(mean, t.mean().item<double>(), 2);
        // The share of t within sigmoid(±1) = [0.269, 0.731]: 46% under uniform, 68% (one standard deviation) under logit-normal.
        double share = ((t > 0.26894) & (t < 0.73106)).to_type(ScalarType.Float64).mean().item<double>();
        Assert.Equal(middleShare, share, 2);
    }

    [Fact]
    public void A_small_network_learns_the_velocity_field()
    {
        using var scope = NewDisposeScope();
        manual_seed(11);
        var schedule = new FlowSamplerOptions { TimeSampling = FlowTimeSampling.Uniform }.ToSchedule();
        var network = new MlpDenoiser(new MlpOptions { HiddenSize = 64, Depth = 2 }).Build(new DataSpec("vector", [2]));
        using var optimizer = optim.Adam(network.parameters(), 3e-3);
        using var generator = new Generator(12);
        var mu = tensor(Data.Mu, dtype: ScalarType.Float32);
        var std = tensor(Data.Std, dtype: ScalarType.Float32);
        var losses = new List<double>();
        for (int step = 0; step < 300; step++)
        {
            using var stepScope = NewDisposeScope();
            var x0 = mu + std * randn([256, 2], generator: generator);
            var eps = randn([256, 2], generator: generator);
            var tau = schedule.DrawTrainingTimesteps(256, generator);
            var output = network.forward(schedule.AddNoise(x0, eps, tau), tau.to_type(ScalarType.Float32), null);
            var loss = nn.functional.mse_loss(output, schedule.TrainingTarget(x0, eps, tau));
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
            losses.Add(loss.item<float>());
        }
        // The irreducible loss: the exact field's own loss on fresh draws (the target's conditional variance).
        double exactLoss;
        using (NewDisposeScope())
        {
            var m = mu.to_type(ScalarType.Float64);
            var s2 = std.to_type(ScalarType.Float64).square();
            var x0 = m + s2.sqrt() * randn([50_000, 2], dtype: ScalarType.Float64, generator: generator);
            var eps = randn([50_000, 2], dtype: ScalarType.Float64, generator: generator);
            var t = rand([50_000, 1], dtype: ScalarType.Float64, generator: generator);
            var a = 1 - t;
            var xt = a * x0 + t * eps;
            var exact = (t - a * s2) / (a.square() * s2 + t.square()) * (xt - a * m) - m; // v*(x, t), as FlowGaussian.Velocity
            exactLoss = (exact - (eps - x0)).square().mean().item<double>();
        }
        double first = losses.Take(20).Average(), last = losses.TakeLast(50).Average();
        output.WriteLine($"flow loss: first 20 steps {first:0.0000}, last 50 {last:0.0000}, exact field {exactLoss:0.0000}");
        // Most of the loss is irreducible (the target's conditional variance); what training can remove must mostly go.
        Assert.True(last - exactLoss < 0.25 * (first - exactLoss), $"the loss did not go down to the exact field's: {first} -> {last} (exact {exactLoss})");
        Assert.True(last > 0.97 * exactLoss, $"no network beats the exact field by more than noise: {last} vs {exactLoss}");
    }
}
