using System.Globalization;

namespace Diffusion.Core.Sweeps;

/// <summary>
/// A Tree-structured Parzen Estimator. After <see cref="TpeSettings.StartupTrials"/> random trials, the
/// completed trials are split by their objective into the best share <see cref="TpeSettings.Gamma"/> ("good")
/// and the rest ("bad"). Each parameter gets two densities, l(x) fitted to the good values and g(x) to the bad
/// ones; candidates are drawn from l, and the one with the largest l(x)/g(x) (summed in log over parameters) is
/// proposed: a point that looks like the good trials and unlike the bad ones.
/// </summary>
internal sealed class TpeSampler(SweepSpec spec) : SweepSampler(spec)
{
    public override IReadOnlyList<TrialPoint> Planned() => [];

    public override TrialPoint Propose(int number, IReadOnlyList<FinishedTrial> completed)
    {
        var random = RandomFor(number);
        if (completed.Count < Math.Max(1, Spec.Tpe.StartupTrials))
            return Draw(random);

        // Lower is better from here on.
        var ranked = completed.OrderBy(t => Spec.Maximize ? -t.Value : t.Value).ToList();
        var goodCount = Math.Clamp((int)Math.Ceiling(Spec.Tpe.Gamma * ranked.Count), 1, Math.Max(1, ranked.Count - 1));
        var good = ranked.Take(goodCount).ToList();
        var bad = ranked.Skip(goodCount).ToList();

        var estimators = Spec.Parameters.Select(p => (p, Good: Estimator.For(p, good), Bad: Estimator.For(p, bad))).ToList();
        TrialPoint? best = null;
        var bestScore = double.NegativeInfinity;
        for (var c = 0; c < Spec.Tpe.Candidates; c++)
        {
            var values = new List<KeyValuePair<string, string>>();
            var score = 0.0;
            foreach (var (parameter, l, g) in estimators)
            {
                var x = l.Sample(random);
                score += Math.Log(l.Density(x)) - Math.Log(g.Density(x));
                values.Add(new(parameter.Path, l.Text(x)));
            }
            if (score > bestScore)
                (best, bestScore) = (new TrialPoint(values), score);
        }
        return best!;
    }

    /// <summary>A density over one parameter's values, fitted to some trials, that can draw values and score them.</summary>
    private abstract class Estimator
    {
        public abstract double Sample(Random random);

        public abstract double Density(double x);

        public abstract string Text(double x);

        public static Estimator For(SweepParameter parameter, IReadOnlyList<FinishedTrial> trials) => parameter.Distribution switch
        {
            ChoiceDistribution choice => new Categorical(choice, trials.Select(t => t.Point[parameter.Path]).Select(v => choice.Values.ToList().IndexOf(v ?? "")).Where(i => i >= 0)),
            UniformDistribution u => new Parzen(u.Low, u.High, Observed(parameter, trials, v => v), v => TrialPoint.Real(v)),
            LogUniformDistribution l => new Parzen(Math.Log(l.Low), Math.Log(l.High), Observed(parameter, trials, Math.Log), v => TrialPoint.Real(Math.Exp(v))),
            IntUniformDistribution i => new Parzen(i.Low - 0.5, i.High + 0.5, Observed(parameter, trials, v => v),
                v => TrialPoint.Integer((long)Math.Clamp(Math.Round(v), i.Low, i.High))),
            _ => throw new InvalidOperationException($"unknown distribution {parameter.Distribution.GetType().Name}"),
        };

        /// <summary>The trials' values of a numeric parameter, in the space the density lives in (log for log_uniform).</summary>
        private static List<double> Observed(SweepParameter parameter, IReadOnlyList<FinishedTrial> trials, Func<double, double> toSpace) =>
            trials.Select(t => t.Point[parameter.Path])
                .Where(v => v is not null && double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
                .Select(v => toSpace(double.Parse(v!, NumberStyles.Float, CultureInfo.InvariantCulture)))
                .Where(double.IsFinite)
                .ToList();
    }

    /// <summary>
    /// Parzen window over [low, high]: one Gaussian per observation, its width the larger gap to its neighbours
    /// (bounds included), kept between range/min(100, n+1) and the range; plus one broad prior Gaussian at the
    /// centre, so that no value is impossible. Each Gaussian is truncated to the range and weighs the same.
    /// </summary>
    private sealed class Parzen : Estimator
    {
        private readonly double _low, _high;
        private readonly double[] _means, _sigmas;
        private readonly Func<double, string> _text;

        public Parzen(double low, double high, List<double> observed, Func<double, string> text)
        {
            (_low, _high, _text) = (low, high, text);
            var range = high - low;
            var sorted = observed.Select(v => Math.Clamp(v, low, high)).Order().ToList();
            var means = new List<double> { (low + high) / 2 };
            var sigmas = new List<double> { range };
            var minimum = range / Math.Min(100, sorted.Count + 1);
            for (var i = 0; i < sorted.Count; i++)
            {
                var left = sorted[i] - (i == 0 ? low : sorted[i - 1]);
                var right = (i == sorted.Count - 1 ? high : sorted[i + 1]) - sorted[i];
                means.Add(sorted[i]);
                sigmas.Add(Math.Clamp(Math.Max(left, right), minimum, range));
            }
            (_means, _sigmas) = (means.ToArray(), sigmas.ToArray());
        }

        public override double Sample(Random random)
        {
            var k = random.Next(_means.Length);
            for (var attempt = 0; attempt < 100; attempt++)
            {
                var x = _means[k] + (_sigmas[k] * Gaussian(random));
                if (x >= _low && x <= _high)
                    return x;
            }
            return _low + (random.NextDouble() * (_high - _low));
        }

        public override double Density(double x)
        {
            var sum = 0.0;
            for (var k = 0; k < _means.Length; k++)
            {
                var mass = Cdf((_high - _means[k]) / _sigmas[k]) - Cdf((_low - _means[k]) / _sigmas[k]);
                sum += Pdf((x - _means[k]) / _sigmas[k]) / (_sigmas[k] * Math.Max(mass, 1e-12));
            }
            return Math.Max(sum / _means.Length, 1e-300);
        }

        public override string Text(double x) => _text(x);

        private static double Gaussian(Random random)
        {
            // Box-Muller.
            var u1 = 1.0 - random.NextDouble();
            return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * random.NextDouble());
        }

        private static double Pdf(double z) => Math.Exp(-0.5 * z * z) / Math.Sqrt(2 * Math.PI);

        private static double Cdf(double z) => 0.5 * (1 + Erf(z / Math.Sqrt(2)));

        /// <summary>The error function (Abramowitz and Stegun 7.1.26, error below 1.5e-7).</summary>
        private static double Erf(double x)
        {
            var t = 1 / (1 + (0.3275911 * Math.Abs(x)));
            var y = 1 - (((((((((1.061405429 * t) - 1.453152027) * t) + 1.421413741) * t) - 0.284496736) * t) + 0.254829592) * t * Math.Exp(-x * x));
            return x >= 0 ? y : -y;
        }
    }

    /// <summary>Category frequencies among the trials, each category counted once more so that none has zero weight.</summary>
    private sealed class Categorical : Estimator
    {
        private readonly ChoiceDistribution _choice;
        private readonly double[] _weights;

        public Categorical(ChoiceDistribution choice, IEnumerable<int> observed)
        {
            _choice = choice;
            _weights = Enumerable.Repeat(1.0, choice.Values.Count).ToArray();
            foreach (var i in observed)
                _weights[i]++;
            var total = _weights.Sum();
            for (var i = 0; i < _weights.Length; i++)
                _weights[i] /= total;
        }

        public override double Sample(Random random)
        {
            var u = random.NextDouble();
            for (var i = 0; i < _weights.Length; i++)
            {
                u -= _weights[i];
                if (u < 0)
                    return i;
            }
            return _weights.Length - 1;
        }

        public override double Density(double x) => _weights[(int)x];

        public override string Text(double x) => _choice.Values[(int)x];
    }
}
