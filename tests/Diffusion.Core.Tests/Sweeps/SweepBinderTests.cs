using Diffusion.Core.Pipelines;
using Diffusion.Core.Sweeps;
using Diffusion.Core.Tests.Pipelines;

namespace Diffusion.Core.Tests.Sweeps;

public sealed class SweepBinderTests : PipelineTestBase
{
    private string WithSweep(string sweep) => Write("sweep.yaml", Quickstart + "\nsweep:\n" + sweep);

    [Fact]
    public void A_full_sweep_block_binds_every_setting()
    {
        var spec = Bind(WithSweep("""
              method: tpe
              objective: eval/fd-pixels
              direction: maximize
              trials: 12
              parameters:
                stages.train.steps: { int_uniform: [100, 400] }
                components.model.dropout: { uniform: [0, 0.5] }
                components.noise.timesteps: { log_uniform: [10, 1000] }
                components.noise.beta_schedule: [linear, cosine]
                components.model.channel_mults: { choice: [[1, 2], [1, 2, 2]] }
                components.data.path: { choice: ["8", "a b"] }
              pruner: { metric: train/loss, warmup_steps: 50, startup_trials: 2, direction: minimize }
              tpe: { startup_trials: 4, gamma: 0.2, candidates: 10 }
            """)).Sweep!;

        Assert.Equal((SweepMethod.Tpe, "eval/fd-pixels", true, 12, 42L), (spec.Method, spec.Objective, spec.Maximize, spec.Trials, spec.Seed));
        Assert.Equal(
            [
                new IntUniformDistribution(100, 400), new UniformDistribution(0, 0.5), new LogUniformDistribution(10, 1000),
                (SweepDistribution)new ChoiceDistribution(["linear", "cosine"]),
            ],
            spec.Parameters.Take(4).Select(p => p.Distribution).ToList(), new DistributionComparer());
        Assert.Equal(["[1, 2]", "[1, 2, 2]"], ((ChoiceDistribution)spec.Parameters[4].Distribution).Values);
        Assert.Equal(["\"8\"", "\"a b\""], ((ChoiceDistribution)spec.Parameters[5].Distribution).Values);
        Assert.Equal(new MedianPrunerSpec("train/loss", false, 50, 2), spec.Pruner);
        Assert.Equal(new TpeSettings(4, 0.2, 10), spec.Tpe);
    }

    [Fact]
    public void Defaults_random_minimize_the_pipeline_seed_no_pruner_and_a_grid_as_large_as_its_combinations()
    {
        var random = Bind(WithSweep("  objective: loss\n  trials: 3\n  parameters: { stages.train.steps: [1, 2] }\n")).Sweep!;
        Assert.Equal((SweepMethod.Random, false, 42L, (MedianPrunerSpec?)null), (random.Method, random.Maximize, random.Seed, random.Pruner));

        var grid = Bind(WithSweep("  method: grid\n  objective: loss\n  seed: 7\n  pruner: median\n  parameters:\n    stages.train.steps: [1, 2, 3]\n    components.model.dropout: [0, 0.1]\n")).Sweep!;
        Assert.Equal((6, 7L), (grid.Trials, grid.Seed));
        Assert.Equal(new MedianPrunerSpec("loss", false, 0, 3), grid.Pruner);
        Assert.Null(Bind(Write("plain.yaml", Quickstart)).Sweep);
    }

    [Fact]
    public void An_unwritten_direction_follows_the_goal_the_metrics_plugin_declares()
    {
        // "diversity" says nothing by its name (so it would be minimized); the image modality declares it maximized.
        var declared = Bind(WithSweep("  objective: eval/diversity\n  trials: 2\n  parameters: { stages.train.steps: [1, 2] }\n")).Sweep!;
        Assert.True(declared.Maximize);
        var written = Bind(WithSweep("  objective: eval/diversity\n  direction: minimize\n  trials: 2\n  parameters: { stages.train.steps: [1, 2] }\n")).Sweep!;
        Assert.False(written.Maximize);
    }

    [Theory]
    [InlineData("  methd: grid\n  objective: loss\n  parameters: { a.b: [1] }\n", "methd", "sweep: unknown key 'methd' (did you mean 'method'?)")]
    [InlineData("  method: random\n  trials: 2\n  parameters: { a.b: [1] }\n", "method", "sweep: no 'objective'")]
    [InlineData("  method: random\n  objective: loss\n  parameters: { a.b: [1] }\n", "method", "sweep: no 'trials'")]
    [InlineData("  method: grid\n  objective: loss\n  trials: 3\n  parameters: { a.b: [1, 2] }\n", "3", "sweep.trials: 3 is more than the grid's 2 combinations")]
    [InlineData("  method: grid\n  objective: loss\n  parameters: { a.b: { uniform: [0, 1] } }\n", "[0, 1]", "a grid sweep takes lists of values")]
    [InlineData("  objective: loss\n  trials: 2\n  parameters: { a.b: { log_uniform: [0, 1] } }\n", "0, 1]", "log_uniform needs low > 0")]
    [InlineData("  objective: loss\n  trials: 2\n  parameters: { a.b: { uniform: [1, 1] } }\n", "[1, 1]", "uniform needs low < high")]
    [InlineData("  objective: loss\n  trials: 2\n  parameters: { a.b: { uniform: [1, x] } }\n", "x]", "expected a number, got 'x'")]
    [InlineData("  objective: loss\n  trials: 2\n  parameters: { a.b: { normal: [1, 2] } }\n", "normal", "unknown distribution 'normal'")]
    [InlineData("  objective: loss\n  trials: 2\n  parameters: { a.b: 3 }\n", "3 }", "expected a list of values or one of")]
    [InlineData("  objective: loss\n  trials: 2\n  parameters: { a.b: [{ x: 1 }] }\n", "{ x", "a choice is a plain value or a list of plain values")]
    [InlineData("  objective: loss\n  trials: 2\n  parameters: { sweep.trials: [1] }\n", "sweep.trials", "is not a path a sweep can set")]
    [InlineData("  objective: loss\n  trials: 2\n  parameters: [a]\n", "[a]", "sweep.parameters: expected a map")]
    [InlineData("  objective: loss\n  trials: 0\n  parameters: { a.b: [1] }\n", "0", "sweep.trials: expected an integer >= 1, got '0'")]
    [InlineData("  objective: loss\n  direction: up\n  trials: 1\n  parameters: { a.b: [1] }\n", "up", "sweep.direction: expected one of minimize|maximize")]
    [InlineData("  objective: loss\n  trials: 1\n  parameters: { a.b: [1] }\n  tpe: { gamma: 0.5 }\n", "{ gamma", "TPE settings only apply with method: tpe")]
    [InlineData("  method: tpe\n  objective: loss\n  trials: 1\n  parameters: { a.b: [1] }\n  tpe: { gamma: 1.5 }\n", "1.5", "sweep.tpe.gamma: expected a share between 0 and 1")]
    [InlineData("  objective: loss\n  trials: 1\n  parameters: { a.b: [1] }\n  pruner: { warmup: 3 }\n", "warmup", "sweep.pruner: unknown key 'warmup'; valid keys: type, metric, direction, warmup_steps, startup_trials")]
    [InlineData("  objective: loss\n  trials: 1\n  parameters: { a.b: [1] }\n  pruner: percentile\n", "percentile", "sweep.pruner: expected 'median' or a map")]
    public void Mistakes_are_reported_at_their_place(string sweep, string token, string message)
    {
        string path = WithSweep(sweep);
        string text = File.ReadAllText(path);
        int offset = text.IndexOf(token, text.IndexOf("\nsweep:", StringComparison.Ordinal), StringComparison.Ordinal);
        int line = text[..offset].Count(c => c == '\n') + 1;
        int column = offset - text.LastIndexOf('\n', offset - 1);

        var errors = Assert.Throws<PipelineValidationException>(() => PipelineBinder.Bind(PipelineLoader.Load(path), FakeCatalog.Instance)).Errors;

        var error = Assert.Single(errors, e => e.Message.Contains(message, StringComparison.Ordinal));
        Assert.Equal((line, column), (error.Location.Line, error.Location.Column));
    }

    /// <summary>Records of doubles compare by value already; this only makes the list comparison read well.</summary>
    private sealed class DistributionComparer : IEqualityComparer<SweepDistribution>
    {
        public bool Equals(SweepDistribution? x, SweepDistribution? y) => x is ChoiceDistribution a && y is ChoiceDistribution b
            ? a.Values.SequenceEqual(b.Values)
            : object.Equals(x, y);

        public int GetHashCode(SweepDistribution obj) => 0;
    }
}
