using static TorchSharp.torch;

namespace Diffusion.Abstractions.Samplers;

/// <summary>
/// The discrete forward process q(x_t | x_0) = N(sqrt(ᾱ_t)·x_0, (1 − ᾱ_t)·I) for t = 0..T−1, and the
/// conversions between model outputs (epsilon, v, x0) that every sampler needs. Immutable.
/// </summary>
public sealed class NoiseSchedule
{
    private NoiseSchedule(double[] betas, PredictionType prediction, BetaSchedule kind)
    {
        Betas = betas;
        Prediction = prediction;
        Kind = kind;
        AlphasCumprod = new double[betas.Length];
        double prod = 1.0;
        for (int i = 0; i < betas.Length; i++)
        {
            prod *= 1.0 - betas[i];
            AlphasCumprod[i] = prod;
        }
        _sigmas = new double[betas.Length];
        _logSigmas = new double[betas.Length];
        for (int i = 0; i < betas.Length; i++)
        {
            double ab = Math.Max(AlphasCumprod[i], MinAlphaBarForSigmas);
            _sigmas[i] = Math.Sqrt((1 - ab) / ab);
            _logSigmas[i] = Math.Log(_sigmas[i]);
        }
    }

    private readonly double[] _sigmas;
    private readonly double[] _logSigmas;

    /// <summary>β_t for t = 0..T−1.</summary>
    public IReadOnlyList<double> Betas { get; }

    /// <summary>ᾱ_t = Π_{s≤t} (1 − β_s).</summary>
    public double[] AlphasCumprod { get; }

    /// <summary>What the model trained on this schedule predicts.</summary>
    public PredictionType Prediction { get; }

    /// <summary>The beta spacing the schedule was built from.</summary>
    public BetaSchedule Kind { get; }

    /// <summary>Number of training timesteps T.</summary>
    public int Timesteps => Betas.Count;

    /// <summary>Builds a schedule. Cosine uses the squaredcos_cap_v2 form with betas capped at 0.999.</summary>
    public static NoiseSchedule Create(BetaSchedule kind, int timesteps, double betaStart, double betaEnd,
        PredictionType prediction, bool rescaleZeroTerminalSnr = false)
    {
        if (timesteps < 2) throw new ArgumentOutOfRangeException(nameof(timesteps), "needs at least 2 timesteps");
        var betas = new double[timesteps];
        for (int i = 0; i < timesteps; i++)
        {
            double f = (double)i / (timesteps - 1);
            betas[i] = kind switch
            {
                BetaSchedule.Linear => betaStart + f * (betaEnd - betaStart),
                BetaSchedule.ScaledLinear => Math.Pow(Math.Sqrt(betaStart) + f * (Math.Sqrt(betaEnd) - Math.Sqrt(betaStart)), 2),
                BetaSchedule.Sigmoid => betaStart + (betaEnd - betaStart) / (1 + Math.Exp(-(-6 + 12 * f))),
                BetaSchedule.Cosine => Math.Min(1 - CosineAlphaBar((i + 1.0) / timesteps) / CosineAlphaBar((double)i / timesteps), 0.999),
                _ => throw new ArgumentOutOfRangeException(nameof(kind)),
            };
        }
        if (rescaleZeroTerminalSnr) betas = RescaleToZeroTerminalSnr(betas);
        return new NoiseSchedule(betas, prediction, kind);
    }

    private static double CosineAlphaBar(double t) => Math.Pow(Math.Cos((t + 0.008) / 1.008 * Math.PI / 2), 2);

    /// <summary>Shifts and scales sqrt(ᾱ) so that sqrt(ᾱ_0) is kept and sqrt(ᾱ_{T−1}) becomes 0.</summary>
    private static double[] RescaleToZeroTerminalSnr(double[] betas)
    {
        int n = betas.Length;
        var sqrtAb = new double[n];
        double prod = 1;
        for (int i = 0; i < n; i++) { prod *= 1 - betas[i]; sqrtAb[i] = Math.Sqrt(prod); }
        double first = sqrtAb[0], last = sqrtAb[n - 1];
        for (int i = 0; i < n; i++) sqrtAb[i] = (sqrtAb[i] - last) * first / (first - last);
        var result = new double[n];
        double previous = 1;
        for (int i = 0; i < n; i++)
        {
            double ab = sqrtAb[i] * sqrtAb[i];
            result[i] = 1 - ab / previous;
            previous = ab;
        }
        return result;
    }

    /// <summary>ᾱ at (possibly fractional) timesteps <paramref name="t"/>, linearly interpolated, shaped for broadcasting against <paramref name="like"/>.</summary>
    public Tensor AlphaBarAt(Tensor t, Tensor like)
    {
        using var table = tensor(AlphasCumprod, dtype: ScalarType.Float64, device: t.device);
        var tf = t.to_type(ScalarType.Float64).clamp(0, Timesteps - 1);
        var lo = tf.floor().to_type(ScalarType.Int64);
        var hi = (lo + 1).clamp(max: Timesteps - 1);
        var w = tf - lo.to_type(ScalarType.Float64);
        var ab = table.index_select(0, lo) * (1 - w) + table.index_select(0, hi) * w;
        var shape = new long[like.dim()];
        Array.Fill(shape, 1L);
        shape[0] = -1;
        return ab.to_type(like.dtype).reshape(shape);
    }

    /// <summary>x_t = sqrt(ᾱ_t)·x_0 + sqrt(1 − ᾱ_t)·ε.</summary>
    public Tensor AddNoise(Tensor x0, Tensor noise, Tensor t)
    {
        var ab = AlphaBarAt(t, x0);
        return ab.sqrt() * x0 + (1 - ab).sqrt() * noise;
    }

    /// <summary>The regression target for the model output under <see cref="Prediction"/>.</summary>
    public Tensor TrainingTarget(Tensor x0, Tensor noise, Tensor t) => Prediction switch
    {
        PredictionType.Epsilon => noise.alias(),
        PredictionType.Sample => x0.alias(),
        PredictionType.VPrediction => VelocityOf(x0, noise, t),
        PredictionType.Edm => EdmTargetOf(x0, noise, t),
        _ => throw new InvalidOperationException(),
    };

    /// <summary>F = (σ·x0 − σ_d²·ε) / (σ_d·√(σ² + σ_d²)) with σ = s/a, written with a = √ᾱ and s = √(1 − ᾱ) so that ᾱ = 0 is finite.</summary>
    private Tensor EdmTargetOf(Tensor x0, Tensor noise, Tensor t)
    {
        const double sd = EdmSigmaData;
        var ab = AlphaBarAt(t, x0);
        var a = ab.sqrt();
        var s = (1 - ab).sqrt();
        return (s * x0 - sd * sd * a * noise) / (sd * (s.square() + sd * sd * ab).sqrt());
    }

    private Tensor VelocityOf(Tensor x0, Tensor noise, Tensor t)
    {
        var ab = AlphaBarAt(t, x0);
        return ab.sqrt() * noise - (1 - ab).sqrt() * x0;
    }

    /// <summary>The model's estimates of x_0 and ε from its raw output at x_t.</summary>
    public (Tensor X0, Tensor Eps) Split(Tensor xt, Tensor t, Tensor output)
    {
        var ab = AlphaBarAt(t, xt);
        var a = ab.sqrt();
        var s = (1 - ab).sqrt();
        switch (Prediction)
        {
            case PredictionType.Epsilon:
                return ((xt - s * output) / a.clamp_min(1e-8), output.alias());
            case PredictionType.Sample:
                return (output.alias(), (xt - a * output) / s.clamp_min(1e-8));
            case PredictionType.VPrediction:
                return (a * xt - s * output, s * xt + a * output);
            case PredictionType.Edm:
            {
                const double sd = EdmSigmaData;
                var norm = s.square() + sd * sd * ab;
                var x0 = sd * sd * a * xt / norm + sd * s * output / norm.sqrt();
                return (x0, (xt - a * x0) / s.clamp_min(1e-8));
            }
            default:
                throw new InvalidOperationException();
        }
    }

    /// <summary>
    /// σ_data of <see cref="PredictionType.Edm"/>: the standard deviation the EDM preconditioning assumes for the data
    /// (0.5, as Karras et al. 2022 use for images scaled to [−1, 1]).
    /// </summary>
    public const double EdmSigmaData = 0.5;

    /// <summary>
    /// The smallest ᾱ used when converting to noise levels σ: a schedule rescaled to zero terminal SNR has ᾱ_{T−1} = 0,
    /// an infinite σ; like diffusers, σ-space samplers treat it as 2^−24 (σ ≈ 4096).
    /// </summary>
    public const double MinAlphaBarForSigmas = 1.0 / (1 << 24);

    /// <summary>
    /// The noise level σ_t = √((1 − ᾱ_t) / ᾱ_t) of each training timestep, increasing with t: the same forward process
    /// written as x_σ = x_0 + σ·ε with x_σ = x_t / √ᾱ_t (the variance-exploding view of k-diffusion and EDM).
    /// </summary>
    public IReadOnlyList<double> Sigmas => _sigmas;

    /// <summary>The smallest noise level, σ at t = 0.</summary>
    public double SigmaMin => _sigmas[0];

    /// <summary>The largest noise level, σ at t = T − 1 (finite: see <see cref="MinAlphaBarForSigmas"/>).</summary>
    public double SigmaMax => _sigmas[^1];

    /// <summary>σ at a (possibly fractional) timestep: log σ is interpolated linearly between table entries; t is clamped to [0, T − 1].</summary>
    public double SigmaAt(double t)
    {
        if (double.IsNaN(t)) throw new ArgumentException("timestep is NaN", nameof(t));
        t = Math.Clamp(t, 0, Timesteps - 1);
        int lo = Math.Min((int)Math.Floor(t), Timesteps - 2);
        double w = t - lo;
        return Math.Exp(_logSigmas[lo] * (1 - w) + _logSigmas[lo + 1] * w);
    }

    /// <summary>
    /// The fractional training timestep whose noise level is <paramref name="sigma"/>: the inverse of <see cref="SigmaAt"/>
    /// (k-diffusion's <c>sigma_to_t</c>). Values outside [<see cref="SigmaMin"/>, <see cref="SigmaMax"/>] are clamped to 0 or T − 1.
    /// </summary>
    public double TimestepAt(double sigma)
    {
        if (!(sigma > 0)) return 0;
        double logSigma = Math.Log(sigma);
        if (logSigma <= _logSigmas[0]) return 0;
        if (logSigma >= _logSigmas[^1]) return Timesteps - 1;
        int lo = 0, hi = Timesteps - 1; // invariant: logSigmas[lo] < logSigma <= logSigmas[hi]
        while (hi - lo > 1)
        {
            int mid = (lo + hi) / 2;
            if (_logSigmas[mid] < logSigma) lo = mid; else hi = mid;
        }
        double span = _logSigmas[hi] - _logSigmas[lo];
        return span > 0 ? lo + (logSigma - _logSigmas[lo]) / span : hi;
    }

    /// <summary>
    /// The preconditioning (Karras et al. 2022, table 1) that turns this schedule's model into a denoiser in σ space:
    /// D(x; σ) = c_skip·x + c_out·F(c_in·x, t(σ)), where F is the raw network output under <see cref="Prediction"/>,
    /// t(σ) = <see cref="TimestepAt"/> and c_in = 1/√(1 + σ²) turns x_σ back into the x_t the network was trained on.
    /// </summary>
    public Preconditioning PreconditioningAt(double sigma)
    {
        if (!(sigma >= 0) || double.IsPositiveInfinity(sigma)) throw new ArgumentOutOfRangeException(nameof(sigma), sigma, "must be finite and non-negative");
        double norm = Math.Sqrt(1 + sigma * sigma);
        double cIn = 1 / norm;
        const double sd = EdmSigmaData;
        return Prediction switch
        {
            PredictionType.Epsilon => new Preconditioning(1, -sigma, cIn),
            PredictionType.VPrediction => new Preconditioning(1 / (1 + sigma * sigma), -sigma / norm, cIn),
            PredictionType.Sample => new Preconditioning(0, 1, cIn),
            PredictionType.Edm => new Preconditioning(sd * sd / (sigma * sigma + sd * sd), sigma * sd / Math.Sqrt(sigma * sigma + sd * sd), cIn),
            _ => throw new InvalidOperationException(),
        };
    }

    /// <summary>
    /// <paramref name="steps"/> noise levels from <see cref="SigmaMax"/> down to <see cref="SigmaMin"/>, evenly spaced in σ^(1/ρ)
    /// (Karras et al. 2022, eq. 5), followed by a final 0: <paramref name="steps"/> + 1 values. ρ = 7 is the paper's choice;
    /// larger ρ spends more steps at low noise.
    /// </summary>
    public double[] KarrasSigmas(int steps, double rho = 7.0) => KarrasSigmas(steps, rho, SigmaMax);

    /// <summary>
    /// As <see cref="KarrasSigmas(int, double)"/>, from <paramref name="sigmaMax"/> (at most <see cref="SigmaMax"/>) instead
    /// of the schedule's largest σ: samplers start lower on schedules whose last σ is extreme (cosine, zero terminal SNR).
    /// </summary>
    public double[] KarrasSigmas(int steps, double rho, double sigmaMax)
    {
        if (steps < 1) throw new ArgumentOutOfRangeException(nameof(steps), steps, "needs at least 1 step");
        if (!(rho > 0)) throw new ArgumentOutOfRangeException(nameof(rho), rho, "must be positive");
        var sigmas = new double[steps + 1];
        double maxRoot = Math.Pow(Top(sigmaMax), 1 / rho), minRoot = Math.Pow(SigmaMin, 1 / rho);
        for (int i = 0; i < steps; i++)
        {
            double f = steps == 1 ? 0 : (double)i / (steps - 1);
            sigmas[i] = Math.Pow(maxRoot + f * (minRoot - maxRoot), rho);
        }
        return sigmas;
    }

    /// <summary>
    /// <paramref name="steps"/> noise levels from <see cref="SigmaMax"/> down to <see cref="SigmaMin"/>, evenly spaced in log σ
    /// (k-diffusion's exponential schedule: equal steps in log-SNR), followed by a final 0.
    /// </summary>
    public double[] ExponentialSigmas(int steps) => ExponentialSigmas(steps, SigmaMax);

    /// <summary>As <see cref="ExponentialSigmas(int)"/>, from <paramref name="sigmaMax"/> (at most <see cref="SigmaMax"/>).</summary>
    public double[] ExponentialSigmas(int steps, double sigmaMax)
    {
        if (steps < 1) throw new ArgumentOutOfRangeException(nameof(steps), steps, "needs at least 1 step");
        var sigmas = new double[steps + 1];
        double hi = Math.Log(Top(sigmaMax)), lo = Math.Log(SigmaMin);
        for (int i = 0; i < steps; i++)
        {
            double f = steps == 1 ? 0 : (double)i / (steps - 1);
            sigmas[i] = Math.Exp(hi + f * (lo - hi));
        }
        return sigmas;
    }

    /// <summary>The largest σ a sampler may start from: <paramref name="sigmaMax"/> within [σ_min, σ_max].</summary>
    private double Top(double sigmaMax) =>
        double.IsNaN(sigmaMax) ? throw new ArgumentException("sigmaMax is NaN", nameof(sigmaMax)) : Math.Clamp(sigmaMax, SigmaMin, SigmaMax);

    /// <summary>Rebuilds a schedule from its betas (as stored in a checkpoint).</summary>
    public static NoiseSchedule FromBetas(double[] betas, PredictionType prediction, BetaSchedule kind) =>
        new((double[])betas.Clone(), prediction, kind);
}
