using System.Diagnostics;
using System.Globalization;
using Diffusion.Tracking.Tests.Support;
using Xunit.Abstractions;

namespace Diffusion.Tracking.Tests.Benchmarks;

/// <summary>
/// The tracking figures of docs/benchmarks.md. Each prints what it measured; the asserts only guard the setup.
/// <c>DIFFUSION_BENCH_BACKEND=postgres</c> measures the PostgreSQL backend (on <c>DIFFUSION_TEST_POSTGRES</c>)
/// instead of SQLite; <c>tools/bench-tracking.sh</c> runs both side by side.
/// </summary>
[Trait("Category", "Benchmark")]
public sealed class TrackingBenchmarks(ITestOutputHelper output) : IDisposable
{
    private static readonly bool OnPostgres = Environment.GetEnvironmentVariable("DIFFUSION_BENCH_BACKEND") == "postgres";

    private readonly TestDatabase _db = OnPostgres ? new PostgresTestDatabase() : new SqliteTestDatabase();

    public void Dispose() => _db.Dispose();

    [BenchmarkFact]
    public void Insert_rate_of_one_recorder()
    {
        const int rows = 1_000_000;
        using var store = _db.Open(TrackingOptions.Default);
        using var run = store.StartRun(TestOptions.Run());
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        for (var step = 0; step < rows; step++)
        {
            // Three keys, as a training loop logs loss, learning rate and gradient norm.
            run.LogMetric((step % 3) switch { 0 => "train/loss", 1 => "train/lr", _ => "train/grad_norm" }, 1.0 / (step + 1), step / 3);
        }

        var enqueued = clock.Elapsed;
        run.Complete();
        var written = clock.Elapsed;
        var cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;

        Assert.Equal((long)rows, _db.Scalar("SELECT count(*) FROM metrics;"));
        Report($"{Backend}: insert: {rows:N0} metric rows logged in {enqueued.TotalMilliseconds:N0} ms ({rows / enqueued.TotalSeconds:N0} rows/s enqueued), " +
               $"all committed after {written.TotalMilliseconds:N0} ms: {rows / written.TotalSeconds:N0} rows/s written; " +
               $"{cpuSeconds:N1} s of CPU in all ({rows / cpuSeconds:N0} rows per CPU-second)");
    }

    /// <summary>
    /// What tracking itself costs a training loop, without the loop: five metrics a step at 50 steps a second
    /// (the enqueue on the calling thread, and the writer's batches, commits and heartbeats), as process CPU.
    /// </summary>
    [BenchmarkFact]
    public void Cpu_cost_of_logging_five_metrics_a_step_at_training_pace()
    {
        const int steps = 1000;
        using var store = _db.Open(TrackingOptions.Default);
        using var run = store.StartRun(TestOptions.Run());
        using var process = Process.GetCurrentProcess();
        // Once each first, so that JIT compilation and first-use costs fall outside the measurement.
        Measure(log: false, count: 50);
        Measure(log: true, count: 50);
        var idle = Measure(log: false, count: steps);
        var logging = Measure(log: true, count: steps);
        run.Complete();

        var perStep = (logging.Cpu - idle.Cpu).TotalMilliseconds / steps;
        var enqueue = logging.Enqueue.TotalMilliseconds * 1000 / (steps * 5);
        Report($"{Backend}: cost: {steps} steps at 50/s, 5 metrics a step: {perStep * 1000:N0} us of process CPU per step for tracking " +
               $"(logging {logging.Cpu.TotalMilliseconds:N0} ms vs idle {idle.Cpu.TotalMilliseconds:N0} ms of CPU in {logging.Wall.TotalSeconds:N1} s); " +
               $"{enqueue:N2} us per LogMetric call on the training thread");

        (TimeSpan Cpu, TimeSpan Wall, TimeSpan Enqueue) Measure(bool log, int count)
        {
            process.Refresh();
            var before = process.TotalProcessorTime;
            var wall = Stopwatch.StartNew();
            var enqueueTime = TimeSpan.Zero;
            for (var step = 0; step < count; step++)
            {
                if (log)
                {
                    var clock = Stopwatch.StartNew();
                    run.LogMetric("train/loss", 1.0 / (step + 1), step);
                    run.LogMetric("train/lr", 1e-3, step);
                    run.LogMetric("train/grad_norm", 0.5, step);
                    run.LogMetric("train/ema_loss", 1.0 / (step + 2), step);
                    run.LogMetric("train/samples", step * 16, step);
                    enqueueTime += clock.Elapsed;
                }

                Thread.Sleep(20);
            }

            run.Flush();
            process.Refresh();
            return (process.TotalProcessorTime - before, wall.Elapsed, enqueueTime);
        }
    }

    [BenchmarkFact]
    public async Task Eight_processes_logging_ten_thousand_metrics_each_at_once()
    {
        const int processes = 8, perProcess = 10_000;
        var clock = Stopwatch.StartNew();
        var children = Enumerable.Range(0, processes)
            .Select(_ => ChildProcess.Start("log", _db.Location, perProcess.ToString(CultureInfo.InvariantCulture), "bench"))
            .ToList();
        var ids = await Task.WhenAll(children.Select(c => ChildProcess.RunToEndAsync(c, TimeSpan.FromMinutes(5))));
        var elapsed = clock.Elapsed;

        using var store = _db.Open();
        var counts = ids.Select(id => Assert.Single(store.FindRun(id)!.Metrics).Count).ToList();
        Assert.All(counts, c => Assert.Equal(perProcess, c));
        Report($"{Backend}: concurrency: {processes} processes x {perProcess:N0} metrics: {counts.Sum():N0} rows, none lost, no errors, " +
               $"{elapsed.TotalSeconds:N1} s wall including process start-up ({counts.Sum() / elapsed.TotalSeconds:N0} rows/s overall)");
    }

    /// <summary>
    /// 10,000 runs with 1,000 metric rows each (10 million rows), then searches timed in-process. The database is
    /// kept at $DIFFUSION_BENCH_DB when set (and reused if it exists) so the CLI can be timed on it too.
    /// </summary>
    [BenchmarkFact]
    public void Search_over_ten_thousand_runs_with_a_thousand_metric_rows_each()
    {
        var path = Environment.GetEnvironmentVariable("DIFFUSION_BENCH_DB") ?? _db.Location;
        if (!TrackingStores.For(path).Exists || TrackingStores.Open(path).ListRuns(1).Count == 0)
        {
            var clock = Stopwatch.StartNew();
            Fill(path, runs: 10_000, stepsPerKey: 500);
            Report($"{Backend}: search: made 10,000 runs x 1,000 metric rows in {clock.Elapsed.TotalSeconds:N0} s");
        }

        string[][] searches =
        [
            ["params.lr < 0.003 AND metrics.\"train/loss\" < 0.5", "metrics.\"train/loss\""],
            ["(params.optimizer = 'adam' OR params.optimizer = 'sgd') AND metrics.eval.min < 0.2 AND NOT tags.note LIKE '%bad%'", "params.lr DESC"],
            ["status = 'COMPLETED' AND params.batch_size IN (16, 64)", "metrics.eval DESC"],
        ];
        foreach (var search in searches)
        {
            var clock = Stopwatch.StartNew();
            using var store = TrackingStores.Open(path);
            var found = store.SearchRuns(new RunSearch { Filter = search[0], OrderBy = search[1], Limit = 50 });
            var first = clock.Elapsed;
            clock.Restart();
            var all = store.SearchRuns(new RunSearch { Filter = search[0], OrderBy = search[1], Limit = 100_000 });
            Report($"{Backend}: search: --filter \"{search[0]}\" --order-by \"{search[1]}\": open + first 50 in {first.TotalMilliseconds:N0} ms; " +
                   $"all {all.Rows.Count:N0} matches in {clock.Elapsed.TotalMilliseconds:N0} ms");
            Assert.NotEmpty(found.Rows);
        }
    }

    /// <summary>Runs through the real recorder, several at a time so the writers' commits overlap as in a sweep.</summary>
    private static void Fill(string path, int runs, int stepsPerKey)
    {
        var random = new Random(1);
        string[] optimizers = ["adam", "sgd", "adamw"];
        int[] batches = [8, 16, 32, 64];
        using var store = TrackingStores.Open(path);
        const int together = 20;
        for (var batch = 0; batch < runs / together; batch++)
        {
            var recorders = Enumerable.Range(0, together).Select(i => store.StartRun(TestOptions.Run($"run {(batch * together) + i}", "bench"))).ToList();
            foreach (var run in recorders)
            {
                var lr = Math.Pow(10, -4 + (2 * random.NextDouble()));
                run.LogParam("lr", lr);
                run.LogParam("optimizer", optimizers[random.Next(optimizers.Length)]);
                run.LogParam("batch_size", batches[random.Next(batches.Length)]);
                run.SetTag("note", random.Next(10) == 0 ? "bad seed" : "ok");
                var floor = random.NextDouble() * 0.5;
                for (var step = 0; step < stepsPerKey; step++)
                {
                    run.LogMetric("train/loss", floor + (1.0 / (step + 1)) + (0.01 * random.NextDouble()), step);
                    run.LogMetric("eval", floor + (0.5 / (step + 1)), step);
                }
            }

            foreach (var run in recorders)
            {
                run.Complete();
                run.Dispose();
            }
        }
    }

    private static string Backend => OnPostgres ? "postgres" : "sqlite";

    private void Report(string line)
    {
        output.WriteLine(line);
        Console.WriteLine(line);
    }
}
