namespace Diffusion.Samplers.UniPc;

/// <summary>
/// UniPC (Zhao et al. 2023; diffusers' UniPCMultistepScheduler) in data prediction: a multistep predictor UniP-p, then,
/// once the model has been evaluated at the predicted point, the corrector UniC re-does the step with that evaluation
/// included, raising the order by one at no extra cost (the evaluation is reused by the next predictor). One model
/// evaluation per step; orders warm up from 1 and fall back near the end; the last step, onto σ = 0, returns D.
/// </summary>
[Plugin(PluginKind.Sampler, "unipc", Options = typeof(UniPcOptions),
    Description = "UniPC predictor-corrector multistep sampler (order solver_order + 1, 1 evaluation per step).")]
public sealed class UniPcSampler(UniPcOptions options) : SigmaSampler<UniPcOptions>(options)
{
    /// <inheritdoc />
    protected override int HistoryLength => Options.SolverOrder;

    /// <inheritdoc />
    protected override Tensor Step(SigmaStep step)
    {
        var last = step.State<LastPredictor>();
        var x = step.X;
        var denoised = step.Denoise(x, step.Sigma);
        if (last.Start is not null)
            x = Update(last.Start, step.History, step.Sigma, last.Order, denoised); // UniC: x corrected

        step.Remember(denoised);
        var history = step.History;
        int order = Math.Min(Math.Min(Options.SolverOrder, history.Count), step.Steps - step.Index);
        var next = step.Next == 0 ? history[0].Value.alias() : Update(x, history, step.Next, order, corrector: null); // UniP
        last.Start = step.Keep(x.alias(), last.Start);
        last.Order = order;
        return next;
    }

    /// <summary>The last predictor of a sampling run, which the next step's corrector re-does (the run's <see cref="SigmaStep.State{T}"/>).</summary>
    private sealed class LastPredictor
    {
        /// <summary>The (corrected) point it started from; null before the first step.</summary>
        public Tensor? Start { get; set; }

        /// <summary>Its order.</summary>
        public int Order { get; set; }
    }

    /// <summary>
    /// One UniPC update of <paramref name="x"/> (at history[0]'s σ) to <paramref name="sigmaTo"/>: the predictor UniP-order
    /// when <paramref name="corrector"/> is null, otherwise the corrector UniC with the model's estimate at the predicted point.
    /// </summary>
    private Tensor Update(Tensor x, SigmaHistory history, double sigmaTo, int order, Tensor? corrector)
    {
        var (sigmaFrom, m0) = (history[0].Sigma, history[0].Value);
        double h = Math.Log(sigmaFrom / sigmaTo); // step in λ = −log σ
        int previous = order - 1;                   // earlier evaluations used
        var rks = new double[order];
        for (int k = 0; k < previous; k++) rks[k] = Math.Log(sigmaFrom / history[k + 1].Sigma) / h;
        rks[previous] = 1.0;

        double hh = -h;
        double hPhi1 = Numerics.Expm1(hh);
        double bh = Options.Variant == UniPcVariant.Bh2 ? hPhi1 : hh;
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
    private static Tensor Differences(SigmaHistory history, double[] rks, double[] rhos, int count)
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
