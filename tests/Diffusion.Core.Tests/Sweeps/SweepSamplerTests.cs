using System.Globalization;
using Diffusion.Core.Pipelines;
using Diffusion.Core.Sweeps;

namespace Diffusion.Core.Tests.Sweeps;

public sealed class SweepSamplerTests
{
    private static readonly SourceLocation Here = new("test.yaml", 1, 1);

    private static SweepSpec Spec(SweepMethod method, int trials, params (string Path, SweepDistribution Distribution)[] parameters) =>
        new(method, "loss", false, trials, 11, parameters.Select(p => new SweepParameter(p.Path, p.Distribution, Here)).ToList(), null, new TpeSettings(), Here);

    [Fact]
    public void A_grid_varies_the_first_parameter_slowest_and_stops_at_the_trial_budget()
    {
        var spec = Spec(SweepMethod.Grid, 5, ("a", new ChoiceDistribution(["1", "2"])), ("b", new ChoiceDistribution(["x", "y", "z"])));

        var points = SweepSampler.For(spec).Planned().Select(p => string.Join(" ", p.Overrides)).ToList();

        Assert.Equal(["a=1 b=x", "a=1 b=y", "a=1 b=z", "a=2 b=x", "a=2 b=y"], points);
    }

    [Fact]
    public void Random_points_stay_in_their_ranges_and_depend_only_on_seed_and_number()
    {
        var spec = Spec(SweepMethod.Random, 400,
            ("u", new UniformDistribution(-1, 1)), ("l", new LogUniformDistribution(1e-4, 1)), ("i", new IntUniformDistribution(3, 5)), ("c", new ChoiceDistribution(["p", "q"])));

        var points = SweepSampler.For(spec).Planned();

        Assert.Equal(points.Select(p => p.ToJson()), SweepSampler.For(spec).Planned().Select(p => p.ToJson()));
        Assert.Equal(points[17].ToJson(), SweepSampler.For(spec).Propose(17, []).ToJson());
        double Value(TrialPoint p, string path) => double.Parse(p[path]!, CultureInfo.InvariantCulture);
        Assert.All(points, p => Assert.InRange(Value(p, "u"), -1, 1));
        Assert.All(points, p => Assert.InRange(Value(p, "l"), 1e-4, 1));
        Assert.Equal(["3", "4", "5"], points.Select(p => p["i"]).Distinct().Order());
        Assert.Equal(["p", "q"], points.Select(p => p["c"]).Distinct().Order());
        // Log-uniform: each decade about as likely, so about a quarter of the draws fall below 1e-3.
        Assert.InRange(points.Count(p => Value(p, "l") < 1e-3), 70, 130);
        Assert.NotEqual(points[0].ToJson(), SweepSampler.For(spec with { Seed = 12 }).Propose(0, []).ToJson());
    }

    [Fact]
    public void Tpe_finds_a_better_point_than_random_draws_on_the_same_budget()
    {
        // A loss with its minimum at lr = 1e-3 and depth 4, over a log range of four decades and a choice.
        var spec = Spec(SweepMethod.Tpe, 40,
            ("lr", new LogUniformDistribution(1e-5, 1e-1)), ("depth", new ChoiceDistribution(["1", "2", "4", "8"])), ("dropout", new UniformDistribution(0, 1)));
        static double Loss(TrialPoint p) =>
            Math.Pow(Math.Log10(double.Parse(p["lr"]!, CultureInfo.InvariantCulture)) + 3, 2)
            + (p["depth"] == "4" ? 0 : 1)
            + Math.Abs(double.Parse(p["dropout"]!, CultureInfo.InvariantCulture) - 0.2);

        var tpe = Run(SweepSampler.For(spec), Loss);
        var random = Run(SweepSampler.For(spec with { Method = SweepMethod.Random }), Loss);

        Assert.True(tpe.Skip(20).Average() < random.Skip(20).Average(), $"TPE {tpe.Skip(20).Average():F3} vs random {random.Skip(20).Average():F3}");
        Assert.True(tpe.Min() <= random.Min(), $"best TPE {tpe.Min():F3} vs random {random.Min():F3}");
        // After the startup trials, TPE mostly proposes the good choice.
        var sampler = SweepSampler.For(spec);
        var history = new List<FinishedTrial>();
        var proposals = new List<TrialPoint>();
        for (int n = 0; n < 40; n++)
        {
            var point = sampler.Propose(n, history);
            proposals.Add(point);
            history.Add(new FinishedTrial(point, Loss(point)));
        }
        Assert.True(proposals.Skip(20).Count(p => p["depth"] == "4") >= 12);
    }

    [Fact]
    public void Tpe_starts_with_random_draws_and_maximizes_when_asked()
    {
        var spec = Spec(SweepMethod.Tpe, 30, ("x", new UniformDistribution(0, 10))) with { Maximize = true, Tpe = new TpeSettings(StartupTrials: 6) };
        var sampler = SweepSampler.For(spec);
        var random = SweepSampler.For(spec with { Method = SweepMethod.Random });
        Assert.Equal(random.Propose(3, []).ToJson(), sampler.Propose(3, [new(random.Propose(0, []), 1)]).ToJson());

        var values = Run(sampler, p => double.Parse(p["x"]!, CultureInfo.InvariantCulture));
        Assert.True(values.Skip(15).Average() > 7, $"late proposals average {values.Skip(15).Average():F2}");
    }

    [Fact]
    public void A_point_round_trips_through_json_in_order()
    {
        var point = new TrialPoint([new("stages.train.lr", "0.001"), new("components.model.channel_mults", "[1, 2]"), new("a", "\"8\"")]);

        var back = TrialPoint.FromJson(point.ToJson());

        Assert.Equal(point.Values, back.Values);
        Assert.Equal(["stages.train.lr=0.001", "components.model.channel_mults=[1, 2]", "a=\"8\""], back.Overrides);
        Assert.Equal("lr=0.001, channel_mults=[1, 2], a=\"8\"", back.Describe());
    }

    /// <summary>Runs a whole sweep one trial at a time; returns each trial's loss (negated back when maximizing).</summary>
    private static List<double> Run(SweepSampler sampler, Func<TrialPoint, double> objective)
    {
        var history = new List<FinishedTrial>();
        for (int n = 0; n < sampler.Spec.Trials; n++)
        {
            var point = sampler.Propose(n, history);
            history.Add(new FinishedTrial(point, objective(point)));
        }
        return history.Select(h => h.Value).ToList();
    }
}
