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
        if (prediction == PredictionType.Flow)
        {
            // The first level of a flow table is t = 1/T, whatever the table's length (a cut schedule keeps its first levels).
            double ab0 = AlphasCumprod[0];
            _flowUnit = 1.0 / Math.Round(1 + Math.Sqrt(ab0 / (1 - ab0)));
        }
    }

    /// <summary>1/T of a rectified-flow schedule (t of timestep τ is (τ + 1)/T); 0 otherwise.</summary>
    private readonly double _flowUnit;

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

    /// <summary>True for a rectified-flow schedule (<see cref="PredictionType.Flow"/>, built by <see cref="RectifiedFlow"/>).</summary>
    public bool IsFlow => Prediction == PredictionType.Flow;

    /// <summary>How a rectified-flow schedule draws training times t (uniform, or logit-normal as in SD3); unused by diffusion schedules.</summary>
    public FlowTimeSampling TimeSampling { get; private init; } = FlowTimeSampling.Uniform;

    /// <summary>Mean m of the logit-normal training times t = sigmoid(m + s·n), n ~ N(0, 1). Default 0.</summary>
    public double LogitMean { get; private init; }

    /// <summary>Standard deviation s of the logit-normal training times. Default 1.</summary>
    public double LogitStd { get; private init; } = 1.0;

    /// <summary>
    /// The rectified-flow forward process x_t = (1 − t)·x0 + t·ε, t ∈ [0, 1], for a network trained to output the velocity
    /// ε − x0 (<see cref="PredictionType.Flow"/>). The network's timestep input is τ = T·t − 1, so the T table levels
    /// t = 1/T, 2/T, …, 1 fall on the timesteps 0 … T − 1 that the denoisers' embeddings are built for (diffusers and SD3 give
    /// 1000·t; the offset of one keeps every table level on an integer). The table holds the same process seen as a
    /// variance-preserving one: x_t/√((1 − t)² + t²) has ᾱ = (1 − t)²/((1 − t)² + t²), so ᾱ is 0 at t = 1 and every sampler,
    /// restoration method and loss that works through ᾱ, σ, <see cref="Split"/> and <see cref="ModelInput"/> works on it.
    /// </summary>
    /// <param name="timesteps">T, the number of table levels (the time resolution of schedule-spaced samplers).</param>
    /// <param name="sampling">How training draws t.</param>
    /// <param name="logitMean">m of logit-normal t.</param>
    /// <param name="logitStd">s of logit-normal t.</param>
    public static NoiseSchedule RectifiedFlow(int timesteps = 1000, FlowTimeSampling sampling = FlowTimeSampling.Uniform, double logitMean = 0, double logitStd = 1)
    {
        if (timesteps < 2) throw new ArgumentOutOfRangeException(nameof(timesteps), "needs at least 2 timesteps");
        if (!(logitStd > 0)) throw new ArgumentOutOfRangeException(nameof(logitStd), logitStd, "must be positive");
        var betas = new double[timesteps];
        double previous = 1;
        for (int k = 0; k < timesteps; k++)
        {
            double t = (k + 1.0) / timesteps, a = 1 - t;
            double ab = k == timesteps - 1 ? 0 : a * a / (a * a + t * t);
            betas[k] = 1 - ab / previous;
            previous = ab;
        }
        return new NoiseSchedule(betas, PredictionType.Flow, BetaSchedule.Linear) { TimeSampling = sampling, LogitMean = logitMean, LogitStd = logitStd };
    }

    /// <summary>
    /// The flow time t ∈ [0, 1] of a (possibly fractional) timestep: (τ + 1)/T on a rectified-flow schedule (τ from −1, t = 0,
    /// to T − 1, t = 1); on a diffusion schedule the t of the same noise-to-signal ratio, σ/(1 + σ) with σ = <see cref="SigmaAt"/>.
    /// </summary>
    public double FlowTimeAt(double timestep) =>
        IsFlow ? Math.Clamp((timestep + 1) * _flowUnit, 0, 1) : SigmaAt(timestep) / (1 + SigmaAt(timestep));

    /// <summary>The timestep of flow time <paramref name="t"/>: the inverse of <see cref="FlowTimeAt(double)"/> (−1 at t = 0 on a flow schedule).</summary>
    public double TimestepAtFlowTime(double t)
    {
        if (double.IsNaN(t)) throw new ArgumentException("flow time is NaN", nameof(t));
        t = Math.Clamp(t, 0, 1);
        if (IsFlow) return t / _flowUnit - 1;
        return t >= 1 ? Timesteps - 1 : TimestepAt(t / (1 - t));
    }

    /// <summary>Flow times t = (τ + 1)/T of timesteps <paramref name="t"/>, shaped for broadcasting against <paramref name="like"/>.</summary>
    private Tensor FlowTimes(Tensor t, Tensor like)
    {
        var shape = new long[like.dim()];
        Array.Fill(shape, 1L);
        shape[0] = -1;
        return ((t.to_type(ScalarType.Float64) + 1) * _flowUnit).clamp(0, 1).to_type(like.dtype).reshape(shape);
    }

    /// <summary>
    /// <paramref name="count"/> training timesteps drawn from <paramref name="generator"/>: uniform integers 0 … T − 1 on a
    /// diffusion schedule; on a rectified-flow schedule τ = T·t − 1 (float64) for t uniform on [0, 1) or logit-normal
    /// (<see cref="TimeSampling"/>).
    /// </summary>
    public Tensor DrawTrainingTimesteps(long count, Generator generator)
    {
        if (!IsFlow) return randint(0, Timesteps, [count], dtype: ScalarType.Int64, generator: generator);
        using var scope = NewDisposeScope();
        var t = TimeSampling == FlowTimeSampling.LogitNormal
            ? (randn([count], dtype: ScalarType.Float64, generator: generator) * LogitStd + LogitMean).sigmoid()
            : rand([count], dtype: ScalarType.Float64, generator: generator);
        return scope.MoveToOuter(t / _flowUnit - 1);
    }

    /// <summary>
    /// What the network takes at timesteps <paramref name="t"/> for the variance-preserving sample <paramref name="xt"/>
    /// (√ᾱ·x0 + √(1 − ᾱ)·ε, the x_t every sampler keeps): <paramref name="xt"/> itself on a diffusion schedule, the flow's
    /// (1 − t)·x0 + t·ε = x_t·√((1 − t)² + t²) on a rectified-flow schedule. A sampler that calls
    /// <see cref="ISamplingContext.Predict"/> with its x_t passes it through here.
    /// </summary>
    public Tensor ModelInput(Tensor xt, Tensor t)
    {
        if (!IsFlow) return xt;
        var s = FlowTimes(t, xt);
        return xt * ((1 - s).square() + s.square()).sqrt();
    }

    /// <summary>
    /// Builds a schedule. Cosine uses the squaredcos_cap_v2 form with betas capped at 0.999. With
    /// <see cref="PredictionType.Flow"/> the schedule is <see cref="RectifiedFlow"/> over <paramref name="timesteps"/> levels
    /// (the beta arguments do not apply).
    /// </summary>
    public static NoiseSchedule Create(BetaSchedule kind, int timesteps, double betaStart, double betaEnd,
        PredictionType prediction, bool rescaleZeroTerminalSnr = false)
    {
        if (timesteps < 2) throw new ArgumentOutOfRangeException(nameof(timesteps), "needs at least 2 timesteps");
        if (prediction == PredictionType.Flow) return RectifiedFlow(timesteps);
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

    /// <summary>
    /// ᾱ at (possibly fractional) timesteps <paramref name="t"/>, shaped for broadcasting against <paramref name="like"/>:
    /// the table's own ᾱ at an integer timestep, and between two table entries the ᾱ = 1/(1 + σ²) of the σ that
    /// <see cref="SigmaAt"/> gives (log σ interpolated linearly), so that a denoiser asked for a fractional t by a σ-space
    /// sampler (<see cref="TimestepAt"/>) sees exactly the noise level the sampler meant. The tables live on the device of
    /// <paramref name="t"/> and are built once per device.
    /// </summary>
    public Tensor AlphaBarAt(Tensor t, Tensor like)
    {
        var shape = new long[like.dim()];
        Array.Fill(shape, 1L);
        shape[0] = -1;
        using var scope = NewDisposeScope();
        if (IsFlow)
        {
            var s = FlowTimes(t, like).to_type(ScalarType.Float64);
            return scope.MoveToOuter(((1 - s).square() / ((1 - s).square() + s.square())).to_type(like.dtype));
        }
        var (alphaBar, logSigma) = TablesOn(t.device);
        var tf = t.to_type(ScalarType.Float64).clamp(0, Timesteps - 1);
        var lo = tf.floor().to_type(ScalarType.Int64).clamp(max: Timesteps - 2);
        var w = tf - lo.to_type(ScalarType.Float64);
        var logS = logSigma.index_select(0, lo) * (1 - w) + logSigma.index_select(0, lo + 1) * w;
        var between = (1 + (2 * logS).exp()).reciprocal();
        // Integer timesteps take the table itself (exact, and ᾱ = 0 at the end of a zero-terminal-SNR schedule).
        var ab = where(w == 0, alphaBar.index_select(0, lo), where(w == 1, alphaBar.index_select(0, lo + 1), between));
        return scope.MoveToOuter(ab.to_type(like.dtype).reshape(shape));
    }

    /// <summary>
    /// ᾱ at a (possibly fractional) timestep: <see cref="AlphasCumprod"/> at an integer, 1/(1 + σ²) with σ =
    /// <see cref="SigmaAt"/> between (the scalar form of <see cref="AlphaBarAt(Tensor, Tensor)"/>); t is clamped to [0, T − 1].
    /// With it a denoiser gets α = √ᾱ and the variance-preserving noise level √(1 − ᾱ) of any timestep a sampler passes.
    /// </summary>
    public double AlphaBarAt(double timestep)
    {
        if (double.IsNaN(timestep)) throw new ArgumentException("timestep is NaN", nameof(timestep));
        if (IsFlow)
        {
            double s = Math.Clamp((timestep + 1) * _flowUnit, 0, 1);
            return (1 - s) * (1 - s) / ((1 - s) * (1 - s) + s * s);
        }
        timestep = Math.Clamp(timestep, 0, Timesteps - 1);
        if (timestep == Math.Floor(timestep)) return AlphasCumprod[(int)timestep];
        double sigma = SigmaAt(timestep);
        return 1 / (1 + sigma * sigma);
    }

    private readonly Lock _tablesLock = new();
    private readonly Dictionary<string, (Tensor AlphaBar, Tensor LogSigma)> _tables = [];

    /// <summary>ᾱ and log σ as float64 tensors on <paramref name="device"/>, built on first use and kept for the schedule's lifetime.</summary>
    private (Tensor AlphaBar, Tensor LogSigma) TablesOn(Device device)
    {
        string key = device.ToString();
        lock (_tablesLock)
        {
            if (_tables.TryGetValue(key, out var tables)) return tables;
            tables = (tensor(AlphasCumprod, dtype: ScalarType.Float64, device: device).DetachFromDisposeScope(),
                      tensor(_logSigmas, dtype: ScalarType.Float64, device: device).DetachFromDisposeScope());
            _tables[key] = tables;
            return tables;
        }
    }

    /// <summary>
    /// The network's input at timesteps <paramref name="t"/>: x_t = sqrt(ᾱ_t)·x_0 + sqrt(1 − ᾱ_t)·ε, or on a rectified-flow
    /// schedule x_t = (1 − t)·x0 + t·ε.
    /// </summary>
    public Tensor AddNoise(Tensor x0, Tensor noise, Tensor t)
    {
        if (IsFlow)
        {
            var s = FlowTimes(t, x0);
            return (1 - s) * x0 + s * noise;
        }
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
        PredictionType.Flow => noise - x0,
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

    /// <summary>
    /// The model's estimates of x_0 and ε from its raw output at the variance-preserving x_t (on a rectified-flow schedule the
    /// output at <see cref="ModelInput"/>(x_t): x0 = x_f − t·v and ε = x_f + (1 − t)·v with x_f the flow's input).
    /// </summary>
    public (Tensor X0, Tensor Eps) Split(Tensor xt, Tensor t, Tensor output)
    {
        if (IsFlow)
        {
            var time = FlowTimes(t, xt);
            var xf = ModelInput(xt, t);
            return (xf - time * output, xf + (1 - time) * output);
        }
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

    /// <summary>
    /// σ at a (possibly fractional) timestep, the one σ ↔ t mapping of the framework: log σ is interpolated linearly between
    /// table entries (k-diffusion's <c>t_to_sigma</c>); t is clamped to [0, T − 1]. Every σ-space sampler passes the model
    /// <see cref="TimestepAt"/>(σ), its inverse, and <see cref="AlphaBarAt(double)"/> and <see cref="AlphaBarAt(Tensor, Tensor)"/>
    /// use this same σ between table entries, so the model's noise level at a fractional timestep is the sampler's σ.
    /// On a rectified-flow schedule σ = t/(1 − t) of the flow time t (<see cref="FlowTimeAt"/>).
    /// </summary>
    public double SigmaAt(double t)
    {
        if (double.IsNaN(t)) throw new ArgumentException("timestep is NaN", nameof(t));
        if (IsFlow)
        {
            double s = Math.Clamp((t + 1) * _flowUnit, 0, 1);
            return s >= 1 ? SigmaMax : Math.Min(s / (1 - s), SigmaMax);
        }
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
        if (IsFlow) return Math.Clamp(sigma / (1 + sigma) / _flowUnit - 1, 0, Timesteps - 1);
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
            PredictionType.Flow => new Preconditioning(1 / (1 + sigma), -sigma / (1 + sigma), 1 / (1 + sigma)), // x_f = x_σ/(1 + σ), x0 = x_f − t·v
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

    /// <summary>Rebuilds a schedule from its betas (as stored in a checkpoint; a rectified flow's table, possibly cut, rebuilds the same flow).</summary>
    public static NoiseSchedule FromBetas(double[] betas, PredictionType prediction, BetaSchedule kind) =>
        new((double[])betas.Clone(), prediction, kind);
}
