using Diffusion.Modalities.Image.Restoration;
using Diffusion.Plugins.Tests.Restoration;
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
        var problem = GaussianProblem.Create();
        using var context = new FakeSamplingContext(problem.Schedule, 40, problem.Exact, seed: 4);
        double shortJumps = problem.HoleMse(RePaint.Run(problem.Images, problem.Mask, context, jumpLength: 1, jumpNSample: 10, clip: false));
        double meanFill = problem.HoleMse(InpaintStage.MeanFill(problem.Images, problem.Mask));
        output.WriteLine($"flow RePaint hole MSE {shortJumps:0.0000}, mean fill {meanFill:0.0000}, ideal posterior sample {problem.PosteriorSample:0.0000}");
        Assert.True(shortJumps < 1.8 * problem.PosteriorSample, $"{shortJumps} vs {problem.PosteriorSample}");
        Assert.True(shortJumps > 0.8 * problem.PosteriorSample, $"{shortJumps} vs {problem.PosteriorSample}");
        Assert.True(shortJumps < meanFill);
    }

    [Fact]
    public void Inpainting_by_the_flow_ode_keeps_the_known_pixels_and_approaches_the_posterior()
    {
        using var scope = NewDisposeScope();
        var problem = GaussianProblem.Create();
        Tensor Run(int jumpLength, int jumpNSample)
        {
            using var context = new FakeSamplingContext(problem.Schedule, 40, problem.Exact, seed: 4);
            return FlowInpaint.Run(problem.Images, problem.Mask, context, jumpLength, jumpNSample, clip: false);
        }
        var replaced = Run(1, 1);
        var resampled = Run(1, 10);
        double meanFill = problem.HoleMse(InpaintStage.MeanFill(problem.Images, problem.Mask));
        double posterior = problem.PosteriorSample;
        output.WriteLine($"flow ODE inpainting hole MSE: replacement {problem.HoleMse(replaced):0.0000}, resampled {problem.HoleMse(resampled):0.0000}, mean fill {meanFill:0.0000}, ideal posterior sample {posterior:0.0000}");

        Assert.Equal(0, ((replaced - problem.Images).abs() * problem.Mask).max().item<double>());
        Assert.Equal(0, ((resampled - problem.Images).abs() * problem.Mask).max().item<double>());
        Assert.True(problem.HoleMse(resampled) < problem.HoleMse(replaced));
        Assert.True(problem.HoleMse(resampled) < meanFill);
        Assert.InRange(problem.HoleMse(resampled), 0.8 * posterior, 1.8 * posterior);
    }

    /// <summary>
    /// 100 images of the Gaussian model with a 4x4 hole, a 200-level rectified-flow schedule, and the exact velocity
    /// network: for x_f = (1 − t)·x0 + t·ε, per eigenvalue λ, v* = (t − (1 − t)λ)/((1 − t)²λ + t²)·x_f.
    /// </summary>
    private sealed record GaussianProblem(Tensor Covariance, Tensor Images, Tensor Mask, NoiseSchedule Schedule, Tensor Lambda, Tensor Vectors)
    {
        public static GaussianProblem Create()
        {
            var covariance = RePaintGaussianTests.Covariance(); // the same 8x8 smooth image model
            var (values, vectors) = linalg.eigh(covariance);
            var lambda = values.clamp_min(0);
            using var generator = new Generator(17);
            const int count = 100;
            var truth = (randn([count, Pixels], dtype: ScalarType.Float64, generator: generator) * lambda.sqrt()).matmul(vectors.T);
            var mask = InpaintMasks.Box(count, Side, Side, 2, 2, 4, 4).to_type(ScalarType.Float64);
            return new GaussianProblem(covariance, truth.reshape(count, 1, Side, Side), mask, NoiseSchedule.RectifiedFlow(200), lambda, vectors);
        }

        public Tensor Exact(Tensor x, Tensor t)
        {
            double time = (t[0].to_type(ScalarType.Float64).item<double>() + 1) / Schedule.Timesteps;
            double a = 1 - time;
            var gain = (time - a * Lambda) / (a * a * Lambda + time * time);
            return (x.reshape(x.shape[0], Pixels).matmul(Vectors) * gain).matmul(Vectors.T).reshape(x.shape);
        }

        public double HoleMse(Tensor restored) =>
            ((restored - Images).square() * (1 - Mask)).sum().item<double>() / (1 - Mask).sum().item<double>();

        /// <summary>The hole error of a perfect posterior sample: twice the conditional variance.</summary>
        public double PosteriorSample => 2 * RePaintGaussianTests.ConditionalVariance(Covariance, Mask[0].reshape(Pixels) > 0.5);
    }
}
