namespace Diffusion.Plugins.Tests.Flow;

/// <summary>
/// Data x0 ~ N(μ, diag(s²)) under the rectified flow x_t = (1 − t)·x0 + t·ε, worked out from first principles rather than
/// through the code under test. With a = 1 − t, x_t ~ N(a·μ, V) for V = a²s² + t², Cov(x0, x_t) = a·s² and Cov(ε, x_t) = t, so
/// E[x0 | x_t] = μ + a·s²/V·(x_t − a·μ) and E[ε | x_t] = t/V·(x_t − a·μ): the exact velocity field
/// v*(x, t) = E[ε − x0 | x_t = x] = (t − a·s²)/V·(x − a·μ) − μ is affine in x. Its ODE moves each quantile:
/// x(t) = a·μ + √V·z, so from x(1) = z the exact end point is x(0) = μ + s·z.
/// </summary>
internal sealed class FlowGaussian(double[] mu, double[] std)
{
    public double[] Mu { get; } = mu;
    public double[] Std { get; } = std;

    /// <summary>v*(x, t) for x [B, D].</summary>
    public Tensor Velocity(Tensor x, double t)
    {
        using var scope = NewDisposeScope();
        double a = 1 - t;
        var m = tensor(Mu, dtype: x.dtype, device: x.device);
        var gain = tensor(Std.Select(s => (t - a * s * s) / (a * a * s * s + t * t)).ToArray(), dtype: x.dtype, device: x.device);
        return scope.MoveToOuter(gain * (x - a * m) - m);
    }

    /// <summary>The exact solution at time <paramref name="t"/> from <paramref name="z"/> at t = 1.</summary>
    public Tensor Solution(Tensor z, double t)
    {
        using var scope = NewDisposeScope();
        double a = 1 - t;
        var m = tensor(Mu, dtype: z.dtype, device: z.device);
        var scale = tensor(Std.Select(s => Math.Sqrt(a * a * s * s + t * t)).ToArray(), dtype: z.dtype, device: z.device);
        return scope.MoveToOuter(a * m + scale * z);
    }

    /// <summary>
    /// A sampling context whose model is the exact flow network: it reads its timestep as the documented τ = T·t − 1 and
    /// answers v*(x, t) at its input x, the flow's own x_t.
    /// </summary>
    public Context ExactModel(int steps, int timesteps = 1000) => new(this, NoiseSchedule.RectifiedFlow(timesteps), steps);

    internal sealed class Context(FlowGaussian data, NoiseSchedule schedule, int steps) : ISamplingContext
    {
        public NoiseSchedule Schedule => schedule;
        public int Steps => steps;
        public List<double> Times { get; } = [];
        public int Evaluations => Times.Count;

        public Tensor Predict(Tensor x, Tensor t)
        {
            double time = (t[0].to_type(ScalarType.Float64).item<double>() + 1) / schedule.Timesteps;
            Times.Add(time);
            return data.Velocity(x, time);
        }

        public Tensor RandnLike(Tensor like) => throw new InvalidOperationException("ODE samplers draw no noise");

        public void OnStep(int step, int total) { }
    }
}
