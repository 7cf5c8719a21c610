using Diffusion.Abstractions.Samplers;
using Diffusion.Stages.Training;
using static TorchSharp.torch;

namespace Diffusion.Stages.Tests.Training;

/// <summary>
/// The training loss of the train stage, for every prediction type: its target has the closed form of the type, and its
/// gradient with respect to the model output (what backpropagation starts from) matches finite differences in float64.
/// </summary>
public class LossGradientTests
{
    private static readonly long[] Timesteps = [0, 120, 500, 999];

    private static NoiseSchedule Schedule(PredictionType prediction) => NoiseSchedule.Create(BetaSchedule.Linear, 1000, 1e-4, 0.02, prediction);

    [Theory]
    [InlineData(PredictionType.Epsilon)]
    [InlineData(PredictionType.Sample)]
    [InlineData(PredictionType.VPrediction)]
    [InlineData(PredictionType.Edm)]
    public void The_training_target_has_the_closed_form_of_the_prediction_type_and_splits_back_into_x0_and_noise(PredictionType prediction)
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(3);
        var schedule = Schedule(prediction);
        var t = tensor(Timesteps);
        var x0 = randn([4, 3, 4], dtype: ScalarType.Float64, generator: generator);
        var noise = randn([4, 3, 4], dtype: ScalarType.Float64, generator: generator);

        var target = schedule.TrainingTarget(x0, noise, t);

        // ᾱ from the schedule's table, sqrt(ᾱ)·x0 + sqrt(1 − ᾱ)·ε = x_t, σ = sqrt((1 − ᾱ)/ᾱ), σ_d = 0.5
        var alphaBar = tensor(Timesteps.Select(step => schedule.AlphasCumprod[step]).ToArray(), dtype: ScalarType.Float64).reshape(-1, 1, 1);
        var sigma = ((1 - alphaBar) / alphaBar).sqrt();
        const double sd = NoiseSchedule.EdmSigmaData;
        var expected = prediction switch
        {
            PredictionType.Epsilon => noise,
            PredictionType.Sample => x0,
            PredictionType.VPrediction => alphaBar.sqrt() * noise - (1 - alphaBar).sqrt() * x0,
            PredictionType.Edm => (sigma * x0 - sd * sd * noise) / (sd * (sigma.square() + sd * sd).sqrt()),
            _ => throw new ArgumentOutOfRangeException(nameof(prediction)),
        };
        Assert.True(target.allclose(expected, rtol: 1e-10, atol: 1e-12), $"largest difference {(target - expected).abs().max().item<double>()}");

        var (x0Back, noiseBack) = schedule.Split(schedule.AddNoise(x0, noise, t), t, target);
        Assert.True(x0Back.allclose(x0, rtol: 1e-7, atol: 1e-7), $"x0: largest difference {(x0Back - x0).abs().max().item<double>()}");
        Assert.True(noiseBack.allclose(noise, rtol: 1e-7, atol: 1e-7), $"noise: largest difference {(noiseBack - noise).abs().max().item<double>()}");
    }

    [Theory]
    [InlineData(PredictionType.Epsilon, LossWeighting.Uniform)]
    [InlineData(PredictionType.Epsilon, LossWeighting.MinSnr)]
    [InlineData(PredictionType.Sample, LossWeighting.Uniform)]
    [InlineData(PredictionType.Sample, LossWeighting.MinSnr)]
    [InlineData(PredictionType.VPrediction, LossWeighting.Uniform)]
    [InlineData(PredictionType.VPrediction, LossWeighting.MinSnr)]
    [InlineData(PredictionType.Edm, LossWeighting.Uniform)]
    public void The_loss_gradient_with_respect_to_the_model_output_matches_finite_differences(PredictionType prediction, LossWeighting weighting)
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(5);
        var schedule = Schedule(prediction);
        var t = tensor(Timesteps);
        var x0 = randn([4, 3, 4], dtype: ScalarType.Float64, generator: generator);
        var noise = randn([4, 3, 4], dtype: ScalarType.Float64, generator: generator);
        var target = schedule.TrainingTarget(x0, noise, t);
        var weights = LossWeights.For(weighting, 5.0, schedule, t);
        var output = (target + 0.3 * randn([4, 3, 4], dtype: ScalarType.Float64, generator: generator)).detach().requires_grad_();

        LossWeights.Loss(output, target, weights).backward();
        var gradient = output.grad!.flatten();

        const double epsilon = 1e-6;
        var flat = output.detach().view(-1);
        var failures = new List<string>();
        using var noGrad = no_grad();
        for (long i = 0; i < flat.numel(); i++)
        {
            double original = flat[i].item<double>();
            flat[i].fill_(original + epsilon);
            double plus = LossWeights.Loss(output, target, weights).item<double>();
            flat[i].fill_(original - epsilon);
            double minus = LossWeights.Loss(output, target, weights).item<double>();
            flat[i].fill_(original);
            double numeric = (plus - minus) / (2 * epsilon);
            double analytic = gradient[i].item<double>();
            if (Math.Abs(analytic - numeric) > 1e-10 + 1e-6 * Math.Max(Math.Abs(analytic), Math.Abs(numeric)))
                failures.Add($"output[{i}]: autograd {analytic:R}, finite difference {numeric:R}");
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.True(gradient.abs().max().item<double>() > 0);
    }
}
