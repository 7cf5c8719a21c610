using Diffusion.Plugins.Tests.Samplers;
using Xunit.Abstractions;

namespace Diffusion.Plugins.Tests.Flow;

/// <summary>
/// The rectified-flow samplers against the exact velocity field of Gaussian data: their empirical order of convergence
/// (the error ratio when the steps double is about 2^order), and the bridges between the flow and σ-space worlds (a σ-space
/// sampler on a flow model, a flow sampler on an ε model, DDIM on a flow model) all land on the exact end point.
/// </summary>
public class FlowSamplerTests(ITestOutputHelper output)
{
    private static readonly FlowGaussian Data = new([0.5, -0.3, 0.1], [0.3, 0.6, 1.0]);

    private static ISampler Create(string name, double shift = 1.0)
    {
        var (type, optionsType) = SamplerPlugins.Plugins[name];
        var options = (FlowSamplerOptions)Activator.CreateInstance(optionsType)!;
        options.Shift = shift;
        return (ISampler)Activator.CreateInstance(type, options)!;
    }

    [Theory]
    [InlineData("flow-euler", 1.0, 1)]
    [InlineData("flow-heun", 2.0, 2)]
    [InlineData("flow-rk3", 3.0, 3)]
    [InlineData("flow-heun", 2.0, 2, 3.0)]
    public void Error_falls_at_the_samplers_order(string name, double order, int evaluationsPerStep, double shift = 1.0)
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(5);
        var noise = randn([64, 3], dtype: ScalarType.Float64, generator: generator);
        var exact = Data.Solution(noise, 0);
        var sampler = Create(name, shift);
        int[] steps = [4, 8, 16, 32];
        var errors = new double[steps.Length];
        for (int k = 0; k < steps.Length; k++)
        {
            var context = Data.ExactModel(steps[k]);
            var samples = sampler.Sample(noise, context);
            errors[k] = (samples - exact).square().mean().sqrt().item<double>();
            Assert.Equal(evaluationsPerStep * steps[k], context.Evaluations);
            Assert.Equal(1.0, context.Times[0], 12); // a flow model starts from pure noise at t = 1
        }
        var ratios = errors.Zip(errors.Skip(1), (a, b) => Math.Log2(a / b)).ToArray();
        output.WriteLine($"{name} (shift {shift}): errors {string.Join(", ", errors.Select(e => e.ToString("0.000e0")))} at {string.Join(", ", steps)} steps; " +
                         $"log2 ratios {string.Join(", ", ratios.Select(r => r.ToString("0.00")))} (expected {order})");
        Assert.InRange(ratios[^1], order - 0.25, order + 0.4);
        Assert.InRange(ratios[^2], order - 0.4, order + 0.6);
    }

    [Fact]
    public void The_shift_spends_more_steps_at_high_noise()
    {
        double[] even = FlowSampler<FlowSamplerOptions>.Times(1, 4, 1.0);
        double[] shifted = FlowSampler<FlowSamplerOptions>.Times(1, 4, 3.0);
        Assert.True(even.Zip(new[] { 1, 0.75, 0.5, 0.25, 0 }).All(p => Math.Abs(p.First - p.Second) < 1e-12), string.Join(", ", even));
        Assert.Equal(1.0, shifted[0], 12);
        Assert.Equal(0.0, shifted[^1]);
        Assert.Equal(3 * 0.5 / (1 + 2 * 0.5), shifted[2], 12);
    }

    [Theory]
    [InlineData("euler", 200, 2e-2)]
    [InlineData("heun", 80, 2e-3)]
    [InlineData("dpmpp-2m", 80, 2e-3)]
    public void Sigma_space_samplers_run_a_flow_model(string name, int steps, double tolerance)
    {
        // The σ-space loop reaches a flow network through its preconditioning: x_f = x_σ/(1 + σ), x0 = x_f − t·v.
        using var scope = NewDisposeScope();
        using var generator = new Generator(6);
        var noise = randn([256, 3], dtype: ScalarType.Float64, generator: generator);
        var context = Data.ExactModel(steps);
        var sampler = SamplerPlugins.Create(name, PredictionType.Flow, ("SigmaSchedule", SigmaSchedule.Karras));
        var samples = sampler.Sample(noise, context);
        // The loop starts at σ_max (clipped at e^5.1) from noise·√(1 + σ²): the exact flow from there.
        double top = context.Times[0];
        var start = noise * Math.Sqrt((1 - top) * (1 - top) + top * top); // x_f = x_σ/(1 + σ)
        var exact = ExactFrom(start, top);
        double error = (samples - exact).square().mean().sqrt().item<double>();
        output.WriteLine($"{name}: rms error {error:0.000e0} from t = {top:0.0000}");
        Assert.True(error < tolerance, $"{name}: {error}");
    }

    /// <summary>The exact flow end point from x at time <paramref name="t"/>: z = (x − a·μ)/√V, then μ + s·z.</summary>
    private static Tensor ExactFrom(Tensor x, double t)
    {
        double a = 1 - t;
        var m = tensor(Data.Mu, dtype: x.dtype);
        var root = tensor(Data.Std.Select(s => Math.Sqrt(a * a * s * s + t * t)).ToArray(), dtype: x.dtype);
        return m + tensor(Data.Std, dtype: x.dtype) * (x - a * m) / root;
    }

    [Fact]
    public void Ddim_runs_a_flow_model_through_its_variance_preserving_view()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(7);
        var noise = randn([4096, 3], dtype: ScalarType.Float64, generator: generator);
        var context = Data.ExactModel(100);
        var sampler = SamplerPlugins.Create("ddim", PredictionType.Flow, ("Eta", 0.0), ("TimestepSpacing", TimestepSpacing.Trailing), ("ClipSample", false));
        var samples = sampler.Sample(noise, context);
        // DDIM starts at ᾱ = 0 (t = 1) where x_t is the noise itself, and is exact on the deterministic path up to O(1/steps).
        var exact = Data.Solution(noise, 0);
        double error = (samples - exact).square().mean().sqrt().item<double>();
        Assert.True(error < 2e-2, $"ddim on a flow model: rms error {error}");
    }

    [Theory]
    [InlineData("flow-euler", 400, 1e-2)]
    [InlineData("flow-heun", 50, 2e-3)]
    public void Flow_samplers_run_a_diffusion_model(string name, int steps, double tolerance)
    {
        // An exact ε-prediction model of the same Gaussian data (the σ-space tests' own context).
        using var scope = NewDisposeScope();
        var schedule = NoiseSchedule.Create(BetaSchedule.Linear, 1000, 1e-8, 0.02, PredictionType.Epsilon);
        var data = new GaussianExact(Data.Mu, Data.Std);
        using var generator = new Generator(8);
        var noise = randn([256, 3], dtype: ScalarType.Float64, generator: generator);
        using var context = new ExactSamplingContext(schedule, steps, data);
        var samples = Create(name).Sample(noise, context);
        double sigmaStart = context.Sigmas[0];
        var exact = data.Flow(noise * Math.Sqrt(1 + sigmaStart * sigmaStart), sigmaStart);
        double error = (samples - exact).square().mean().sqrt().item<double>();
        output.WriteLine($"{name} on an epsilon model: rms error {error:0.000e0} from sigma {sigmaStart:0.0}");
        Assert.True(error < tolerance, $"{name}: {error}");
    }
}
