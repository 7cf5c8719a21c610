using Diffusion.Abstractions.Plugins;
using Diffusion.Abstractions.Schedulers;
using Diffusion.Schedulers.Sampling;
using static TorchSharp.torch;

namespace Diffusion.Schedulers.UniPc;

/// <summary>
/// UniPC (Zhao et al. 2023; diffusers' UniPCMultistepScheduler) in data prediction: a multistep predictor UniP-p, then,
/// once the model has been evaluated at the predicted point, the corrector UniC re-does the step with that evaluation
/// included, raising the order by one at no extra cost (the evaluation is reused by the next predictor). One model
/// evaluation per step; orders warm up from 1 and fall back near the end; the last step, onto σ = 0, returns D.
/// </summary>
[Plugin(PluginKind.Scheduler, "unipc", Options = typeof(UniPcOptions),
    Description = "UniPC predictor-corrector multistep sampler (order solver_order + 1, 1 evaluation per step).")]
public sealed class UniPcScheduler(UniPcOptions options) : IScheduler
{
    private readonly UniPcOptions options = options;

    /// <inheritdoc />
    public NoiseSchedule CreateSchedule() => options.ToSchedule();

    /// <inheritdoc />
    public Tensor Sample(Tensor noise, ISamplingContext context)
    {
        var model = new SigmaDenoiser(context);
        double[] sigmas = SigmaSchedules.For(options, context.Schedule, context.Steps);
        int steps = sigmas.Length - 1;
        using var noGrad = no_grad();
        using var run = NewDisposeScope();
        var x = SigmaDenoiser.Start(noise, sigmas[0]);
        var history = new History(options.SolverOrder);
        Tensor? lastSample = null; // the (corrected) point the previous predictor started from
        int lastOrder = 0;
        for (int i = 0; i < steps; i++)
        {
            using var step = NewDisposeScope();
            double sigma = sigmas[i], sigmaNext = sigmas[i + 1];
            var denoised = model.Denoise(x, sigma);
            if (lastSample is not null)
                x = Carry.Over(step, Update(lastSample, history, sigma, lastOrder, denoised), x); // UniC

            history.Push(step, denoised, sigma);
            int order = Math.Min(Math.Min(options.SolverOrder, history.Count), steps - i);
            var next = sigmaNext == 0 ? history[0].Value.alias() : Update(x, history, sigmaNext, order, corrector: null); // UniP
            lastSample = Carry.Over(step, x.alias(), lastSample);
            lastOrder = order;
            x = Carry.Over(step, next, x);
            context.OnStep(i + 1, steps);
        }
        return run.MoveToOuter(x);
    }

    /// <summary>
    /// One UniPC update of <paramref name="x"/> (at history[0]'s σ) to <paramref name="sigmaTo"/>: the predictor UniP-order
    /// when <paramref name="corrector"/> is null, otherwise the corrector UniC with the model's estimate at the predicted point.
    /// </summary>
    private Tensor Update(Tensor x, History history, double sigmaTo, int order, Tensor? corrector)
    {
        var (sigmaFrom, m0) = (history[0].Sigma, history[0].Value);
        double h = Math.Log(sigmaFrom / sigmaTo); // step in λ = −log σ
        int previous = order - 1;                   // earlier evaluations used
        var rks = new double[order];
        for (int k = 0; k < previous; k++) rks[k] = Math.Log(sigmaFrom / history[k + 1].Sigma) / h;
        rks[previous] = 1.0;

        double hh = -h;
        double hPhi1 = Numerics.Expm1(hh);
        double bh = options.Variant == UniPcVariant.Bh2 ? hPhi1 : hh;
        var b = new double[order];
        double hPhiK = hPhi1 / hh - 1, factorial = 1;
        for (int i = 0; i < order; i++)
        {
            b[i] = hPhiK * factorial / bh;
            factorial *= i + 2;
            hPhiK = hPhiK / hh - 1 / factorial;
        }

        var result = x * (sigmaTo / sigmaFrom) - m0 * hPhi1;
        if (corrector is null)
        {
            if (previous == 0) return result;
            double[] rhos = previous == 1 ? [0.5] : Polynomials.Solve(Powers(rks, previous), b[..previous]);
            return result - Differences(history, rks, rhos, previous) * bh;
        }
        double[] rhosC = order == 1 ? [0.5] : Polynomials.Solve(Powers(rks, order), b);
        var correction = (corrector - m0) * rhosC[previous];
        if (previous > 0) correction = correction + Differences(history, rks, rhosC, previous);
        return result - correction * bh;
    }

    /// <summary>Σ_k ρ_k·D1_k with D1_k = (m_k − m_0) / r_k over the <paramref name="count"/> earlier evaluations.</summary>
    private static Tensor Differences(History history, double[] rks, double[] rhos, int count)
    {
        var sum = (history[1].Value - history[0].Value) * (rhos[0] / rks[0]);
        for (int k = 1; k < count; k++) sum = sum + (history[k + 1].Value - history[0].Value) * (rhos[k] / rks[k]);
        return sum;
    }

    /// <summary>R[i, k] = r_k^i for i, k &lt; n.</summary>
    private static double[,] Powers(double[] rks, int n)
    {
        var r = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int k = 0; k < n; k++) r[i, k] = Math.Pow(rks[k], i);
        return r;
    }
}
