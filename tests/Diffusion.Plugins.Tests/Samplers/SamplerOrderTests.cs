using Xunit.Abstractions;

namespace Diffusion.Plugins.Tests.Samplers;

/// <summary>
/// With Gaussian data the probability-flow ODE has a closed-form solution, so each deterministic sampler's error can be
/// measured exactly; it must fall with the step count at the sampler's order (the slope of log error against log steps).
/// </summary>
public class SamplerOrderTests(ITestOutputHelper output)
{
    // σ_min = 1e-4: the final jump from σ_min to 0 (D itself) then differs from the ODE's end by ~σ_min²/s², far below the errors measured.
    private static readonly NoiseSchedule Schedule = NoiseSchedule.Create(BetaSchedule.Linear, 1000, 1e-8, 0.02, PredictionType.Epsilon);

    [Theory]
    [InlineData("euler", 1.0)]
    [InlineData("euler-ancestral", 1.0)]
    [InlineData("ddim", 1.0)]
    [InlineData("heun", 2.0)]
    [InlineData("edm", 2.0)]
    [InlineData("dpm2", 2.0)]
    [InlineData("dpmpp-2s-ancestral", 2.0)]
    [InlineData("dpmpp-2m", 2.0)]
    [InlineData("dpmpp-2m-sde", 2.0)]
    [InlineData("deis", 2.0)]
    [InlineData("dpmpp-3m-sde", 3.0)]
    [InlineData("lms", 3.0)]
    [InlineData("unipc", 3.0)]
    [InlineData("deis", 3.0)]
    [InlineData("unipc", 2.0, 1)]
    public void Error_falls_at_the_samplers_order(string name, double order, int solverOrder = 0)
    {
        using var scope = NewDisposeScope();
        var data = new GaussianExact([0.5, -0.3, 0.1], [0.3, 0.6, 1.0]);
        using var generator = new Generator(5);
        var noise = randn([64, 3], dtype: ScalarType.Float64, generator: generator);
        var settings = SamplerPlugins.Deterministic(name).Concat(name == "ddim" ? [] : new[] { ("SigmaSchedule", (object)SigmaSchedule.Karras) }).ToArray();
        if (name == "deis" && order == 3.0) settings = [.. settings, ("SolverOrder", (object)3)];
        if (name == "unipc" && solverOrder > 0) settings = [.. settings, ("SolverOrder", (object)solverOrder)];
        if (name == "lms" && solverOrder > 0) settings = [.. settings, ("Order", (object)solverOrder)];
        int[] steps = [32, 64, 128, 256];
        if (name == "ddim") settings = [.. settings, ("TimestepSpacing", (object)TimestepSpacing.Trailing)];
        var sampler = SamplerPlugins.Create(name, PredictionType.Epsilon, settings);

        var errors = new double[steps.Length];
        for (int k = 0; k < steps.Length; k++)
        {
            using var inner = NewDisposeScope();
            using var context = new ExactSamplingContext(Schedule, steps[k], data);
            var samples = sampler.Sample(noise, context);
            double sigmaStart = context.Sigmas[0];
            var exact = data.Flow(noise * Math.Sqrt(1 + sigmaStart * sigmaStart), sigmaStart);
            errors[k] = (samples - exact).square().mean().sqrt().item<double>();
            Assert.Equal(0, context.NoiseDraws);
        }
        double slope = -Slope(steps.Select(s => Math.Log(s)).ToArray(), errors.Select(e => Math.Log(e)).ToArray());
        output.WriteLine($"{name}: errors {string.Join(", ", errors.Select(e => e.ToString("0.000e0")))} at {string.Join(", ", steps)} steps; slope {slope:0.00} (expected {order})");
        if (order < 3) Assert.InRange(slope, order - 0.15, order + 0.3);
        else Assert.InRange(slope, 2.7, 4.2); // multistep methods reach their order only asymptotically; lms (order 4) is still climbing here
    }

    private static double Slope(double[] x, double[] y)
    {
        double mx = x.Average(), my = y.Average();
        return x.Zip(y).Sum(p => (p.First - mx) * (p.Second - my)) / x.Sum(v => (v - mx) * (v - mx));
    }
}
