using Diffusion.Abstractions.Samplers;
using Diffusion.Stages.Training;
using static TorchSharp.torch;

namespace Diffusion.Stages.Tests.Training;

public class LossWeightsTests
{
    [Theory]
    [InlineData(PredictionType.Epsilon)]
    [InlineData(PredictionType.VPrediction)]
    [InlineData(PredictionType.Sample)]
    public void Min_snr_turns_every_prediction_loss_into_an_x0_loss_with_snr_clipped_at_gamma(PredictionType prediction)
    {
        // The point of min-SNR-gamma: whatever the model predicts, the weighted loss is min(SNR, gamma) * |x0_hat - x0|^2.
        using var scope = NewDisposeScope();
        const double gamma = 5.0;
        var schedule = NoiseSchedule.Create(BetaSchedule.Cosine, 1000, 1e-4, 0.02, prediction);
        var t = tensor(new long[] { 0, 10, 100, 400, 700, 990 });
        var x0 = randn(6, 3, 4, dtype: ScalarType.Float64);
        var noise = randn(6, 3, 4, dtype: ScalarType.Float64);
        var xt = schedule.AddNoise(x0, noise, t);
        var output = schedule.TrainingTarget(x0, noise, t) + 0.1 * randn(6, 3, 4, dtype: ScalarType.Float64);

        var weights = LossWeights.For(LossWeighting.MinSnr, gamma, schedule, t)!;
        var weighted = LossWeights.Loss(output, schedule.TrainingTarget(x0, noise, t), weights);

        var alphaBar = schedule.AlphaBarAt(t, empty(6, dtype: ScalarType.Float64));
        var snr = alphaBar / (1 - alphaBar);
        var (x0Hat, _) = schedule.Split(xt, t, output);
        var x0Loss = ((x0Hat - x0).square().flatten(1).mean([1]) * snr.clamp_max(gamma)).mean();
        Assert.Equal(x0Loss.item<double>(), weighted.item<double>(), 1e-9);
    }

    [Fact]
    public void Min_snr_weights_match_the_formulas_and_stay_finite_at_zero_snr()
    {
        using var scope = NewDisposeScope();
        var t = tensor(new long[] { 0, 500, 999 });
        NoiseSchedule Schedule(PredictionType p) => NoiseSchedule.Create(BetaSchedule.Linear, 1000, 1e-4, 0.02, p, rescaleZeroTerminalSnr: true);
        var alphaBar = Schedule(PredictionType.Epsilon).AlphasCumprod;
        double[] snr = [alphaBar[0] / (1 - alphaBar[0]), alphaBar[500] / (1 - alphaBar[500]), 0.0]; // zero terminal SNR

        double[] Weights(PredictionType p) => LossWeights.For(LossWeighting.MinSnr, 5.0, Schedule(p), t)!.data<double>().ToArray();

        Assert.Equal(snr.Select(s => s == 0 ? 1.0 : Math.Min(s, 5) / s), Weights(PredictionType.Epsilon), new Tolerance(1e-9));
        Assert.Equal(snr.Select(s => Math.Min(s, 5) / (s + 1)), Weights(PredictionType.VPrediction), new Tolerance(1e-9));
        Assert.Equal(snr.Select(s => Math.Min(s, 5)), Weights(PredictionType.Sample), new Tolerance(1e-9));
        Assert.Null(LossWeights.For(LossWeighting.Uniform, 5.0, Schedule(PredictionType.Epsilon), t));
    }

    private sealed class Tolerance(double epsilon) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= epsilon * Math.Max(1, Math.Abs(x));
        public int GetHashCode(double obj) => 0;
    }
}
