using Diffusion.Abstractions.Runs;

namespace Diffusion.Core.Sweeps;

/// <summary>Picks trial points for a sweep. The same spec and history give the same point.</summary>
public abstract class SweepSampler
{
    private protected SweepSampler(SweepSpec spec) => Spec = spec;

    /// <summary>The sweep it samples for.</summary>
    public SweepSpec Spec { get; }

    /// <summary>
    /// The points to queue when the sweep starts (every point of a grid or random sweep), or empty when points
    /// are proposed one at a time as trials finish (TPE).
    /// </summary>
    public abstract IReadOnlyList<TrialPoint> Planned();

    /// <summary>The point of trial <paramref name="number"/>, given the completed trials so far.</summary>
    public abstract TrialPoint Propose(int number, IReadOnlyList<FinishedTrial> completed);

    /// <summary>The sampler of <paramref name="spec"/>'s method.</summary>
    public static SweepSampler For(SweepSpec spec) => spec.Method switch
    {
        SweepMethod.Grid => new GridSampler(spec),
        SweepMethod.Random => new RandomSampler(spec),
        _ => new TpeSampler(spec),
    };

    /// <summary>Trial <paramref name="number"/>'s own random numbers: seeded by (sweep seed, number), whichever worker draws them.</summary>
    private protected Random RandomFor(int number)
    {
        var mixed = SampleGenerators.Mix((ulong)Spec.Seed, (ulong)number);
        return new Random((int)(mixed ^ (mixed >> 32)));
    }

    /// <summary>A point drawn from each parameter's distribution independently.</summary>
    private protected TrialPoint Draw(Random random) =>
        new(Spec.Parameters.Select(p => new KeyValuePair<string, string>(p.Path, Draw(p.Distribution, random))).ToList());

    private protected static string Draw(SweepDistribution distribution, Random random) => distribution switch
    {
        UniformDistribution u => TrialPoint.Real(u.Low + (random.NextDouble() * (u.High - u.Low))),
        LogUniformDistribution l => TrialPoint.Real(Math.Exp(Math.Log(l.Low) + (random.NextDouble() * (Math.Log(l.High) - Math.Log(l.Low))))),
        IntUniformDistribution i => TrialPoint.Integer(i.Low + (long)Math.Min(i.High - i.Low, Math.Floor(random.NextDouble() * (i.High - i.Low + 1)))),
        ChoiceDistribution c => c.Values[random.Next(c.Values.Count)],
        _ => throw new InvalidOperationException($"unknown distribution {distribution.GetType().Name}"),
    };
}

/// <summary>Every combination of the parameters' values, the first parameter varying slowest; the first <see cref="SweepSpec.Trials"/> of them.</summary>
internal sealed class GridSampler(SweepSpec spec) : SweepSampler(spec)
{
    public override IReadOnlyList<TrialPoint> Planned() => Enumerable.Range(0, Spec.Trials).Select(Point).ToList();

    public override TrialPoint Propose(int number, IReadOnlyList<FinishedTrial> completed) => Point(number);

    private TrialPoint Point(int number)
    {
        var values = new KeyValuePair<string, string>[Spec.Parameters.Count];
        var rest = number;
        for (var i = Spec.Parameters.Count - 1; i >= 0; i--)
        {
            var choices = ((ChoiceDistribution)Spec.Parameters[i].Distribution).Values;
            values[i] = new(Spec.Parameters[i].Path, choices[rest % choices.Count]);
            rest /= choices.Count;
        }
        return new TrialPoint(values);
    }
}

/// <summary>Independent draws; trial n's point depends only on (seed, n).</summary>
internal sealed class RandomSampler(SweepSpec spec) : SweepSampler(spec)
{
    public override IReadOnlyList<TrialPoint> Planned() => Enumerable.Range(0, Spec.Trials).Select(n => Propose(n, [])).ToList();

    public override TrialPoint Propose(int number, IReadOnlyList<FinishedTrial> completed) => Draw(RandomFor(number));
}
