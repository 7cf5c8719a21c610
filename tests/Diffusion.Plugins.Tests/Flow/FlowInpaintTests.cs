using Diffusion.Modalities.Image.Restoration;
using Xunit.Abstractions;

namespace Diffusion.Plugins.Tests.Flow;

/// <summary>
/// RePaint inpainting with a rectified-flow model: the exact velocity network of a Gaussian image model (smooth 8x8 images),
/// where a perfect posterior sample has twice the conditional variance as its hole error. The flow model is run through the
/// schedule's variance-preserving view, unchanged RePaint code.
/// </summary>
public class FlowInpaintTests(ITestOutputHelper output)
{
    private const int Side = 8, Pixels = Side * Side;

    [Fact]
    public void RePaint_with_a_flow_model_approaches_the_posterior()
    {
        using var scope = NewDisposeScope();
        var covariance = Covariance();
        var (values, vectors) = linalg.eigh(covariance);
        var lambda = values.clamp_min(0);
        using var generator = new Generator(17);
        int count = 100;
        var truth = (randn([count, Pixels], dtype: ScalarType.Float64, generator: generator) * lambda.sqrt()).matmul(vectors.T);
        var images = truth.reshape(count, 1, Side, Side);
        var mask = InpaintMasks.Box(count, Side, Side, 2, 2, 4, 4).to_type(ScalarType.Float64);
        var schedule = NoiseSchedule.RectifiedFlow(200);

        Tensor Exact(Tensor x, Tensor t)
        {
            // The network sees x_f = (1 − t)·x0 + t·ε; per eigenvalue λ, v* = (t − (1 − t)λ)/((1 − t)²λ + t²)·x_f.
            double time = (t[0].to_type(ScalarType.Float64).item<double>() + 1) / schedule.Timesteps;
            double a = 1 - time;
            var gain = (time - a * lambda) / (a * a * lambda + time * time);
            return (x.reshape(x.shape[0], Pixels).matmul(vectors) * gain).matmul(vectors.T).reshape(x.shape);
        }

        double HoleMse(Tensor restored) => ((restored - images).square() * (1 - mask)).sum().item<double>() / (1 - mask).sum().item<double>();
        using var context = new FakeSamplingContext(schedule, 40, Exact, seed: 4);
        double shortJumps = HoleMse(RePaint.Run(images, mask, context, jumpLength: 1, jumpNSample: 10, clip: false));
        double meanFill = HoleMse(InpaintStage.MeanFill(images, mask));
        double posteriorSample = 2 * ConditionalVariance(covariance, mask[0].reshape(Pixels) > 0.5);
        output.WriteLine($"flow RePaint hole MSE {shortJumps:0.0000}, mean fill {meanFill:0.0000}, ideal posterior sample {posteriorSample:0.0000}");
        Assert.True(shortJumps < 1.8 * posteriorSample, $"{shortJumps} vs {posteriorSample}");
        Assert.True(shortJumps > 0.8 * posteriorSample, $"{shortJumps} vs {posteriorSample}");
        Assert.True(shortJumps < meanFill);
    }

    [Fact]
    public void Inpainting_by_the_flow_ode_keeps_the_known_pixels_and_approaches_the_posterior()
    {
        using var scope = NewDisposeScope();
        var covariance = Covariance();
        var (values, vectors) = linalg.eigh(covariance);
        var lambda = values.clamp_min(0);
        using var generator = new Generator(17);
        int count = 100;
        var truth = (randn([count, Pixels], dtype: ScalarType.Float64, generator: generator) * lambda.sqrt()).matmul(vectors.T);
        var images = truth.reshape(count, 1, Side, Side);
        var mask = InpaintMasks.Box(count, Side, Side, 2, 2, 4, 4).to_type(ScalarType.Float64);
        var schedule = NoiseSchedule.RectifiedFlow(200);

        Tensor Exact(Tensor x, Tensor t)
        {
            double time = (t[0].to_type(ScalarType.Float64).item<double>() + 1) / schedule.Timesteps;
            double a = 1 - time;
            var gain = (time - a * lambda) / (a * a * lambda + time * time);
            return (x.reshape(x.shape[0], Pixels).matmul(vectors) * gain).matmul(vectors.T).reshape(x.shape);
        }

        double HoleMse(Tensor restored) => ((restored - images).square() * (1 - mask)).sum().item<double>() / (1 - mask).sum().item<double>();
        Tensor Run(int jumpLength, int jumpNSample)
        {
            using var context = new FakeSamplingContext(schedule, 40, Exact, seed: 4);
            return FlowInpaint.Run(images, mask, context, jumpLength, jumpNSample, clip: false);
        }
        var replaced = Run(1, 1);
        var resampled = Run(1, 10);
        double meanFill = HoleMse(InpaintStage.MeanFill(images, mask));
        double posteriorSample = 2 * ConditionalVariance(covariance, mask[0].reshape(Pixels) > 0.5);
        output.WriteLine($"flow ODE inpainting hole MSE: replacement {HoleMse(replaced):0.0000}, resampled {HoleMse(resampled):0.0000}, mean fill {meanFill:0.0000}, ideal posterior sample {posteriorSample:0.0000}");

        Assert.Equal(0, ((replaced - images).abs() * mask).max().item<double>());
        Assert.Equal(0, ((resampled - images).abs() * mask).max().item<double>());
        Assert.True(HoleMse(resampled) < HoleMse(replaced));
        Assert.True(HoleMse(resampled) < meanFill);
        Assert.InRange(HoleMse(resampled), 0.8 * posteriorSample, 1.8 * posteriorSample);
    }

    private static Tensor Covariance()
    {
        var k = new double[Pixels * Pixels];
        for (int p = 0; p < Pixels; p++)
            for (int q = 0; q < Pixels; q++)
            {
                double dy = p / Side - q / Side, dx = p % Side - q % Side;
                k[p * Pixels + q] = 0.5 * Math.Exp(-(dy * dy + dx * dx) / 8) + (p == q ? 1e-3 : 0);
            }
        return tensor(k, dtype: ScalarType.Float64).reshape(Pixels, Pixels);
    }

    private static double ConditionalVariance(Tensor covariance, Tensor known)
    {
        var k = known.nonzero().reshape(-1);
        var h = known.logical_not().nonzero().reshape(-1);
        var shh = covariance.index_select(0, h).index_select(1, h);
        var shk = covariance.index_select(0, h).index_select(1, k);
        var skk = covariance.index_select(0, k).index_select(1, k);
        return (shh - shk.matmul(linalg.solve(skk, shk.T))).diagonal().mean().item<double>();
    }
}
