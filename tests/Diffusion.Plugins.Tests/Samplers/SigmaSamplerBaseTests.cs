using Diffusion.Samplers.Euler;

namespace Diffusion.Plugins.Tests.Samplers;

/// <summary>
/// The public σ-space base, as a third-party plugin sees it: a sampler writes only its step, and a multistep one keeps what
/// it carries between steps in its per-run state.
/// </summary>
public class SigmaSamplerBaseTests
{
    private static readonly GaussianExact Data = new([0.5, -0.3, 0.1], [0.3, 0.6, 1.0]);
    private static readonly NoiseSchedule Schedule = NoiseSchedule.Create(BetaSchedule.Linear, 1000, 1e-4, 0.02, PredictionType.Epsilon);

    /// <summary>Euler written the way a third party would: the step only.</summary>
    private sealed class ThirdPartyEuler(SigmaSamplerOptions options) : SigmaSampler<SigmaSamplerOptions>(options)
    {
        protected override Tensor Step(SigmaStep step)
        {
            var denoised = step.Denoise(step.X, step.Sigma);
            return step.Next == 0 ? denoised : step.X + step.Derivative(step.X, denoised, step.Sigma) * (step.Next - step.Sigma);
        }
    }

    /// <summary>Records, per run, how many steps its state has seen and the x each earlier step started from (kept alive).</summary>
    private sealed class StateRecorder(SigmaSamplerOptions options) : SigmaSampler<SigmaSamplerOptions>(options)
    {
        public List<(int Index, int StepsSeen, double? PreviousSum)> Seen { get; } = [];

        protected override Tensor Step(SigmaStep step)
        {
            var state = step.State<Run>();
            Seen.Add((step.Index, state.Steps, state.Previous?.sum().item<double>()));
            state.Steps++;
            state.Previous = step.Keep(step.X.clone(), state.Previous);
            return step.X * 0.5;
        }

        public sealed class Run
        {
            public int Steps { get; set; }
            public Tensor? Previous { get; set; }
        }
    }

    /// <summary>Asks for one state type, then another.</summary>
    private sealed class StateConfused(SigmaSamplerOptions options) : SigmaSampler<SigmaSamplerOptions>(options)
    {
        protected override Tensor Step(SigmaStep step)
        {
            _ = step.Index == 0 ? step.State<List<int>>() : (object)step.State<Dictionary<int, int>>();
            return step.X.alias();
        }
    }

    [Fact]
    public void A_sampler_that_writes_only_its_step_matches_the_first_party_euler_bit_for_bit()
    {
        using var scope = NewDisposeScope();
        var options = new SigmaSamplerOptions { SigmaSchedule = SigmaSchedule.Karras };
        var noise = randn(8, 3, dtype: ScalarType.Float64, generator: new TorchSharp.torch.Generator(4));
        using var first = new ExactSamplingContext(Schedule, 7, Data);
        using var second = new ExactSamplingContext(Schedule, 7, Data);

        var ours = new ThirdPartyEuler(options).Sample(noise, first);
        var theirs = new EulerSampler(options).Sample(noise, second);

        Assert.True(ours.eq(theirs).all().item<bool>(), "the same loop and the same step give the same samples");
        Assert.Equal(second.Progress, first.Progress);
        Assert.Equal(second.Sigmas, first.Sigmas);
    }

    [Fact]
    public void Each_run_gets_its_own_state_and_kept_tensors_live_until_replaced()
    {
        using var scope = NewDisposeScope();
        var sampler = new StateRecorder(new SigmaSamplerOptions());
        var noise = ones(2, 3, dtype: ScalarType.Float64);
        for (int run = 0; run < 2; run++)
        {
            using var context = new ExactSamplingContext(Schedule, 3, Data);
            sampler.Sample(noise, context);
        }

        // Step i sees i earlier steps of its own run and the x step i − 1 started from (each step halves x).
        double start = noise.sum().item<double>() * Math.Sqrt(1 + Math.Pow(Schedule.SigmaMax, 2));
        var once = new (int, int, double?)[] { (0, 0, null), (1, 1, start), (2, 2, start / 2) };
        Assert.Equal([.. once, .. once], sampler.Seen.Select(s => (s.Index, s.StepsSeen, s.PreviousSum)), (a, b) =>
            a.Item1 == b.Item1 && a.Item2 == b.Item2 && (a.Item3 is null ? b.Item3 is null : Math.Abs(a.Item3.Value - b.Item3!.Value) < 1e-9 * a.Item3.Value));
    }

    [Fact]
    public void Asking_for_another_state_type_within_a_run_is_a_clear_error()
    {
        using var scope = NewDisposeScope();
        using var context = new ExactSamplingContext(Schedule, 3, Data);
        var error = Assert.Throws<InvalidOperationException>(() => new StateConfused(new SigmaSamplerOptions()).Sample(ones(1, 3, dtype: ScalarType.Float64), context));
        Assert.Contains("List", error.Message, StringComparison.Ordinal);
    }
}
