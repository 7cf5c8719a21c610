using Diffusion.Abstractions.Denoisers;
using Diffusion.Abstractions.Samplers;
using Diffusion.Stages.Distillation;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Diffusion.Stages.Tests.Distillation;

/// <summary>
/// Data x0 ~ N(μ, s²·I), whose exact noise predictor is affine in x_t: with g = √ᾱ·s²/(ᾱ·s² + 1 − ᾱ), E[x0 | x_t] =
/// μ + g·(x_t − √ᾱ·μ) and ε̂ = (x_t − √ᾱ·E[x0 | x_t]) / √(1 − ᾱ) = a(t)·x_t + b(t)·μ. The probability-flow ODE maps x_T
/// to μ + s/√(s² + σ_T²)·(x_T/√ᾱ_T − μ).
/// </summary>
internal static class GaussianModels
{
    public static NoiseSchedule Schedule { get; } = NoiseSchedule.Create(BetaSchedule.Linear, 20, 1e-3, 0.3, PredictionType.Epsilon);

    public static readonly float[] Mean = [0.5f, -0.3f, 0.2f, 0.0f];
    public const double Std = 0.4;

    /// <summary>The exact (a, b) of ε̂ at every training timestep.</summary>
    public static (float[] A, float[] B) Exact()
    {
        var a = new float[Schedule.Timesteps];
        var b = new float[Schedule.Timesteps];
        for (int t = 0; t < a.Length; t++)
        {
            double ab = Schedule.AlphasCumprod[t], r = Math.Sqrt(ab), s2 = Std * Std;
            double g = r * s2 / (ab * s2 + 1 - ab);
            a[t] = (float)((1 - r * g) / Math.Sqrt(1 - ab));
            b[t] = (float)(-r * (1 - g * r) / Math.Sqrt(1 - ab));
        }
        return (a, b);
    }

    public static Tensor Data(long n, Generator generator) => randn([n, Mean.Length], generator: generator) * Std + tensor(Mean);

    /// <summary>The ODE's exact endpoint from x_T at timestep <paramref name="t"/>.</summary>
    public static Tensor OdeEndpoint(Tensor xT, int t)
    {
        double ab = Schedule.AlphasCumprod[t], sigma = Math.Sqrt((1 - ab) / ab);
        using var mean = tensor(Mean);
        return mean + Std / Math.Sqrt(Std * Std + sigma * sigma) * (xT / Math.Sqrt(ab) - mean);
    }

    /// <summary>Deterministic DDIM over <paramref name="grid"/> (noisiest first) then to the clean end.</summary>
    public static Tensor Ddim(DenoiserModule network, Tensor xT, int[] grid, NoiseSchedule? schedule = null)
    {
        schedule ??= Schedule;
        using var noGrad = no_grad();
        var x = xT;
        for (int i = 0; i < grid.Length; i++)
        {
            var t = full([x.shape[0]], grid[i], dtype: ScalarType.Int64);
            var next = full([x.shape[0]], i + 1 < grid.Length ? grid[i + 1] : -1, dtype: ScalarType.Int64);
            x = OdeSteps.Ddim(schedule, x, t, next, OdeSteps.Output(network, schedule, x, t, null, null));
        }
        return x;
    }

    /// <summary>ε̂ = a[t]·x + b[t]·m with one (a, b) per training timestep; built at the exact values (a perfect teacher), trainable as a student.</summary>
    public sealed class AffineDenoiser : DenoiserModule
    {
        private readonly Parameter a;
        private readonly Parameter b;
        private readonly Parameter m;

        public AffineDenoiser() : base("AffineDenoiser")
        {
            var (ea, eb) = Exact();
            a = new Parameter(tensor(ea));
            b = new Parameter(tensor(eb));
            m = new Parameter(tensor(Mean));
            RegisterComponents();
        }

        public override Tensor forward(Tensor x, Tensor t, Conditioning? conditioning)
        {
            var index = t.round().to_type(ScalarType.Int64).clamp(0, a.shape[0] - 1);
            return a.index_select(0, index).unsqueeze(1) * x + b.index_select(0, index).unsqueeze(1) * m.unsqueeze(0);
        }

        public void CopyFrom(AffineDenoiser other)
        {
            using var noGrad = no_grad();
            foreach (var (name, value) in state_dict()) value.copy_(other.state_dict()[name]);
        }
    }
}
