using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Diffusion.Abstractions.Modalities;
using Diffusion.Abstractions.Plugins;
using Diffusion.Abstractions.Runs;
using Diffusion.Abstractions.Samplers;
using Diffusion.Core.Pipelines;
using Diffusion.Core.Plugins;
using Diffusion.Core.Runs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using static TorchSharp.torch;

namespace Diffusion.Bench.Samplers;

/// <summary>
/// <c>diffusion-bench samplers</c>: trains (or loads) one model, then draws the same samples (same seeds) with every
/// sampler plugin at several budgets of network evaluations (NFE) and scores them with the modality's
/// <c>fd-pixels</c> (or the metric <c>--metric</c> names, e.g. <c>fd</c> on the in-project classifier's features). Prints a markdown table for docs/benchmarks.md.
/// </summary>
internal static class SamplersCommand
{
    /// <summary>Samplers that evaluate the network twice per step (except the last): they get ⌈NFE/2⌉ steps.</summary>
    private static readonly string[] TwoEvaluationsPerStep = ["heun", "dpm2", "dpmpp-2s-ancestral", "edm"];

    public static Command Create()
    {
        var samples = new Option<int>("--samples") { Description = "Samples per sampler and NFE (the same seeds for all).", DefaultValueFactory = _ => 256 };
        var batch = new Option<int>("--batch-size") { Description = "Samples per network call (does not change the samples).", DefaultValueFactory = _ => 256 };
        var nfe = new Option<string>("--nfe") { Description = "Comma-separated NFE budgets.", DefaultValueFactory = _ => "5,10,20,50,100,1000" };
        var longSamplers = new Option<string>("--above-100") { Description = "Samplers that also run budgets above 100 NFE ('all' for every one).", DefaultValueFactory = _ => "ddpm,ddim,euler" };
        var only = new Option<string?>("--samplers")
        {
            Description = "Comma-separated samplers (default: every sampler plugin found); NAME:KEY=VALUE;KEY=VALUE sets options, e.g. unipc:sigma_schedule=karras.",
        };
        var cache = new Option<string>("--cache") { Description = "Folder for the trained model, sample grids and results.", DefaultValueFactory = _ => "artifacts/bench/samplers" };
        var seed = new Option<long>("--seed") { Description = "Seed of the sampling noise (the first of --seeds).", DefaultValueFactory = _ => 1234 };
        var seeds = new Option<int>("--seeds") { Description = "How many noise seeds (seed, seed + 1, ...): each cell is the mean ± spread over them.", DefaultValueFactory = _ => 3 };
        var metric = new Option<string>("--metric") { Description = "The image metric to tabulate: fd (default) or kid on the in-project classifier's features, or fd-pixels.", DefaultValueFactory = _ => "fd" };
        var pipelineFile = new Option<string?>("--pipeline") { Description = "The pipeline that trains the model (default: the bundled samplers-model.yaml); its first stage must be the train stage." };
        var checkpointFolder = new Option<string?>("--checkpoint") { Description = "Sample from this trained checkpoint (e.g. runs/RUN/checkpoints/train/step-02500, made with --pipeline) instead of training." };
        var set = new Option<string[]>("--set") { Description = "Override a value of the model pipeline (repeatable), e.g. --set stages.train.steps=500.", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("samplers", "Image quality (fd-pixels, fd or kid) of every sampler at several NFE budgets on one trained model.")
        {
            samples, batch, nfe, longSamplers, only, cache, seed, seeds, metric, pipelineFile, checkpointFolder, set,
        };
        command.SetAction(result => Run(new Settings(
            result.GetValue(samples), result.GetValue(batch),
            [.. result.GetValue(nfe)!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(int.Parse)],
            result.GetValue(longSamplers)!, result.GetValue(only), result.GetValue(cache)!, result.GetValue(seed), result.GetValue(seeds), result.GetValue(set) ?? [],
            result.GetValue(metric)!, result.GetValue(pipelineFile), result.GetValue(checkpointFolder), Environment.GetCommandLineArgs()[1..])));
        return command;
    }

    private sealed record Settings(int Samples, int BatchSize, int[] Nfe, string AboveHundred, string? Only, string Cache, long Seed, int Seeds, string[] Overrides,
        string Metric, string? Pipeline, string? Checkpoint, string[] Arguments)
    {
        /// <summary>The noise seeds every cell is drawn with.</summary>
        public long[] SeedList => [.. Enumerable.Range(0, Seeds).Select(i => Seed + i)];
    }

    private static readonly string[] Metrics = ["fd-pixels", "fd", "kid"];

    private static int Run(Settings settings)
    {
        var logger = new ConsoleLogger(ConsoleProgress.ForStandardError());
        if (!Metrics.Contains(settings.Metric))
        {
            Console.Error.WriteLine($"error: --metric {settings.Metric} is not one of {string.Join(", ", Metrics)}");
            return 2;
        }
        if (settings.Pipeline is not null && !File.Exists(settings.Pipeline))
        {
            Console.Error.WriteLine($"error: --pipeline {settings.Pipeline}: no such file");
            return 2;
        }
        if (settings.Checkpoint is not null && !File.Exists(Path.Combine(settings.Checkpoint, "model.safetensors")))
        {
            Console.Error.WriteLine($"error: --checkpoint {settings.Checkpoint}: no model.safetensors there; give a checkpoint folder such as runs/RUN/checkpoints/train/step-00002500");
            return 2;
        }
        if (settings.Seeds < 1)
        {
            Console.Error.WriteLine($"error: --seeds {settings.Seeds}: give at least 1");
            return 2;
        }
        var device = cuda.is_available() ? CUDA : CPU;
        var overrides = settings.Overrides.ToList();
        string pipeline = settings.Pipeline ?? Path.Combine(AppContext.BaseDirectory, "pipelines", "samplers-model.yaml");
        string dataset;
        string? dataPath;
        try
        {
            (dataset, dataPath) = DatasetOf(pipeline, overrides);
        }
        catch (PipelineValidationException e)
        {
            foreach (var error in e.Errors) Console.Error.WriteLine(error);
            return 2;
        }
        // The benchmark never swaps data sets behind the reader's back: a missing Fashion-MNIST stops it with the fix.
        string fashionMnist = dataPath ?? "/usr/share/datasets/fashion-mnist";
        if (dataset == "fashion-mnist" && settings.Checkpoint is null
            && !File.Exists(Path.Combine(fashionMnist, "train-images-idx3-ubyte.gz")) && !File.Exists(Path.Combine(fashionMnist, "train-images-idx3-ubyte")))
        {
            Console.Error.WriteLine($"error: {pipeline}: the benchmark model trains on Fashion-MNIST, which is not in {fashionMnist}; " +
                                    "install it (sudo apt-get install dataset-fashion-mnist), or ask for the built-in shapes with --set components.data.dataset=shapes (the table then says so)");
            return 2;
        }
        var clock = Stopwatch.StartNew();
        // The classifier metrics are the scoring modality's setting only: asking for them does not retrain the model.
        string[] scoring = settings.Metric == "fd-pixels" ? [] : [$"components.data.metrics=[fd-pixels, {settings.Metric}]"];
        BenchModel bench;
        try
        {
            // Sampler names and options are checked before the model is trained or loaded (training can take hours).
            if (settings.Only is not null && CheckSamplers(settings.Only, pipeline, overrides) is { } problem)
            {
                Console.Error.WriteLine($"error: --samplers: {problem}");
                return 2;
            }
            bench = BenchModel.TrainOrLoad(pipeline, overrides, scoring, settings.Cache, settings.Checkpoint, logger, device);
        }
        catch (PipelineValidationException e)
        {
            foreach (var error in e.Errors) Console.Error.WriteLine(error);
            Console.Error.WriteLine($"{e.Errors.Count} error{(e.Errors.Count == 1 ? "" : "s")} in {pipeline} and its --set overrides.");
            return 2;
        }
        using var benchModel = bench;
        logger.LogInformation("model from {Checkpoint} ({Seconds:0} s{Trained})", bench.CheckpointFolder, clock.Elapsed.TotalSeconds, bench.Trained ? ", trained now" : "");

        // Every sampler plugin for continuous data; token samplers (mdlm, d3pm-uniform) sample text, not images.
        var names = settings.Only?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                    ?? [.. bench.Catalog.NamesOf(PluginKind.Sampler)
                        .Where(n => !typeof(ITokenSampler).IsAssignableFrom(bench.Catalog.Find(PluginKind.Sampler, n)!.Implementation))];
        var longNames = settings.AboveHundred == "all" ? names : settings.AboveHundred.Split(',', StringSplitOptions.TrimEntries);
        string outputFolder = Path.GetFullPath(settings.Cache);
        using var reference = bench.Data.Load(DataSplit.Test);
        using var services = new ServiceCollection().AddSingleton<ILogger>(logger).BuildServiceProvider();

        // Finished cells are kept on disk (one file per seed), so an interrupted run (or one with more samplers, budgets or
        // seeds) picks up where it stopped.
        string metricPart = settings.Metric == "fd-pixels" ? "" : "-" + settings.Metric;
        var floors = new Dictionary<string, double>();
        var cellsBySeed = new Dictionary<long, Dictionary<string, Cell>>();
        foreach (long seed in settings.SeedList)
        {
            var context = new BenchRunContext(Path.Combine(outputFolder, "grids"), seed, logger);
            string cellsFile = Path.Combine(outputFolder, $"cells-{bench.Key}-n{settings.Samples}-seed{seed}{metricPart}.json");
            var cells = File.Exists(cellsFile)
                ? JsonSerializer.Deserialize<Dictionary<string, Cell>>(File.ReadAllText(cellsFile))!
                : [];
            cellsBySeed[seed] = cells;
            foreach (string name in names)
            {
                var (pluginName, options) = SamplerBenchOptions.Parse(name, bench.Catalog);
                var plugin = bench.Catalog.Find(PluginKind.Sampler, pluginName)!;
                var sampler = (ISampler)ComponentFactory.Create(services, plugin, options);
                // A cell is reused only for the same resolved options: a cell computed before a default changed is recomputed.
                string resolved = JsonSerializer.Serialize(options, options.GetType(), ResolvedOptionsFormat);
                foreach (int budget in settings.Nfe)
                {
                    if (budget > 100 && !longNames.Contains(name)) continue;
                    if (cells.TryGetValue($"{name}@{budget}", out var cached) && cached.Options == resolved) continue;
                    int steps = TwoEvaluationsPerStep.Contains(pluginName) ? (budget + 1) / 2 : budget;
                    var watch = Stopwatch.StartNew();
                    var (x, evaluations) = Draw(bench, sampler, steps, settings, seed, device);
                    using (x)
                    {
                        var scores = bench.Data.Evaluate(x, reference, context);
                        double fd = scores[settings.Metric];
                        if (scores.TryGetValue(settings.Metric + "-floor", out double floor)) floors[settings.Metric] = floor;
                        cells[$"{name}@{budget}"] = new Cell(fd, evaluations, watch.Elapsed.TotalSeconds, resolved);
                        Directory.CreateDirectory(outputFolder);
                        File.WriteAllText(cellsFile, JsonSerializer.Serialize(cells));
                        logger.LogInformation("{Sampler} NFE {Nfe} ({Steps} steps, {Evaluations} evaluations), seed {Seed}: {Metric} {Fd:0.000} in {Seconds:0.0} s",
                            name, budget, steps, evaluations, seed, settings.Metric, fd, watch.Elapsed.TotalSeconds);
                        if (seed == settings.Seed && (budget == 10 || (name == "ddpm" && budget == settings.Nfe.Max())))
                            bench.Data.WriteSamples(x.narrow(0, 0, Math.Min(64, x.shape[0])), $"{name.Replace(':', '-').Replace(';', '-').Replace('=', '-')}-nfe{budget}", context);
                    }
                }
            }
        }

        string table = Table(names, settings, cellsBySeed, bench, dataset, clock.Elapsed, floors.TryGetValue(settings.Metric, out double f) ? f : null);
        File.WriteAllText(Path.Combine(outputFolder, "results.md"), table);
        Console.WriteLine(table);
        return 0;
    }

    /// <summary>The first problem with the <c>--samplers</c> list (unknown name or option, a token sampler), or null.</summary>
    private static string? CheckSamplers(string only, string pipeline, IReadOnlyList<string> overrides)
    {
        var document = PipelineLoader.Load(pipeline, overrides);
        var catalog = PluginDiscovery.Discover(PluginSource.Defaults(document.PluginFolders));
        foreach (string name in only.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            try
            {
                var (plugin, _) = SamplerBenchOptions.Parse(name, catalog);
                if (typeof(ITokenSampler).IsAssignableFrom(catalog.Find(PluginKind.Sampler, plugin)!.Implementation))
                    return $"{plugin} samples tokens (text), not images; leave it out";
            }
            catch (Exception e) when (e is ArgumentException or FormatException or InvalidCastException or OverflowException)
            {
                return $"{name}: {e.Message}";
            }
        }
        return null;
    }

    /// <summary>Draws the benchmark's samples (sample i from generator (seed, i), as the sample stage does), clamped to [−1, 1] as the quickstart's post-processing does.</summary>
    private static (Tensor Samples, int Evaluations) Draw(BenchModel bench, ISampler sampler, int steps, Settings settings, long seed, Device device)
    {
        var parts = new List<Tensor>();
        int evaluations = 0;
        using (no_grad())
        {
            for (int first = 0; first < settings.Samples; first += settings.BatchSize)
            {
                using var scope = NewDisposeScope();
                int n = Math.Min(settings.BatchSize, settings.Samples - first);
                using var generators = new SampleGenerators(seed, "sample", first, n);
                var noise = generators.Randn(bench.Model.Data.ItemShape, device);
                var context = new SamplingContext(bench.Model, steps, generators);
                var x = sampler.Sample(noise, context);
                evaluations = context.Evaluations;
                parts.Add(scope.MoveToOuter(x.clamp(-1, 1).cpu()));
            }
        }
        var all = cat(parts.ToArray());
        foreach (var p in parts) p.Dispose();
        return (all, evaluations);
    }

    /// <summary>One sampler at one budget: the score, the evaluations one sample took, and the sampling time.</summary>
    /// <summary>One scored cell; <paramref name="Options"/> is the sampler's resolved options as JSON (null in caches written before it was kept).</summary>
    internal sealed record Cell(double Fd, int Evaluations, double Seconds, string? Options = null);

    private static readonly JsonSerializerOptions ResolvedOptionsFormat = new() { Converters = { new JsonStringEnumConverter() } };

    /// <summary>The data set the model trains on and its folder, if the pipeline (with its overrides) gives one.</summary>
    private static (string Dataset, string? Path) DatasetOf(string pipeline, IReadOnlyList<string> overrides)
    {
        var document = PipelineLoader.Load(pipeline, overrides);
        var path = document.Find("components.data.path") as PipelineScalar;
        return ((document.Find("components.data.dataset") as PipelineScalar)?.Text ?? "?", path is null || path.IsNull ? null : path.Text);
    }

    /// <summary>Mean and spread (sample standard deviation; 0 for one seed) of a cell over the seeds that have it.</summary>
    internal static (double Mean, double Spread, int Count) Summary(IReadOnlyList<double> values)
    {
        double mean = values.Average();
        double spread = values.Count < 2 ? 0 : Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
        return (mean, spread, values.Count);
    }

    private static string Table(IReadOnlyList<string> names, Settings settings, Dictionary<long, Dictionary<string, Cell>> cellsBySeed, BenchModel bench,
        string dataset, TimeSpan elapsed, double? floor)
    {
        var text = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        var machine = Diffusion.Kernels.MachineSignature.Current();
        long[] seeds = settings.SeedList;
        List<double> Values(string key) => [.. seeds.Select(s => cellsBySeed[s].TryGetValue(key, out var c) ? c.Fd : double.NaN).Where(v => !double.IsNaN(v))];
        string Format(double v) => v >= 100 ? v.ToString("0", inv) : v >= 10 ? v.ToString("0.0", inv) : v.ToString("0.000", inv);
        text.AppendLine(inv, $"{settings.Metric} on **{dataset}** ({bench.Data.GetType().Name}), {settings.Samples} samples per cell, mean ± spread (sample std) over " +
                             $"{seeds.Length} noise seed{(seeds.Length == 1 ? "" : "s")} ({string.Join(", ", seeds)}; the same seeds for every sampler); lower is better.");
        text.AppendLine(inv, $"Machine: {machine.CpuModel}, {machine.LogicalCpus} logical CPUs, {(cuda.is_available() ? "CUDA" : "CPU")}; .NET {Environment.Version}, TorchSharp {machine.TorchSharpVersion}.");
        text.AppendLine(inv, $"Command: `diffusion-bench {string.Join(' ', settings.Arguments.Select(a => a.Contains(' ') || a.Contains(';') ? $"\"{a}\"" : a))}`.");
        text.AppendLine(inv, $"Model: {bench.CheckpointFolder} (training run {RunIdOf(bench.CheckpointFolder)}).");
        if (floor is { } real) text.AppendLine(inv, $"Real-vs-real floor of {settings.Metric}: {real:0.000}.");
        text.AppendLine();
        text.AppendLine("| sampler | " + string.Join(" | ", settings.Nfe.Select(n => $"NFE {n}")) + " |");
        text.AppendLine("|---|" + string.Concat(settings.Nfe.Select(_ => "---|")));
        foreach (string name in names)
        {
            var row = settings.Nfe.Select(n =>
            {
                var values = Values($"{name}@{n}");
                if (values.Count == 0) return "–";
                var (mean, spread, count) = Summary(values);
                var spent = seeds.Select(s => cellsBySeed[s].TryGetValue($"{name}@{n}", out var c) ? c.Evaluations : n).First();
                string cell = count > 1 ? $"{Format(mean)} ± {Format(spread)}" : Format(mean);
                if (count < seeds.Length) cell += $" [{count} seed{(count == 1 ? "" : "s")}]";
                return spent == n ? cell : $"{cell} ({spent})";
            });
            text.AppendLine(inv, $"| {name} | {string.Join(" | ", row)} |");
        }
        text.AppendLine();
        text.AppendLine("A number in parentheses is the NFE actually spent where it differs from the column (two evaluations per step, the last step one).");
        // The reference is ddpm at the most steps measured on this model so far (1000 by default), whether or not this run asked for it.
        var reference = cellsBySeed[seeds[0]].Keys.Where(k => k.StartsWith("ddpm@", StringComparison.Ordinal))
            .Select(k => int.Parse(k[5..], CultureInfo.InvariantCulture)).OrderDescending().Select(n => (int?)n).FirstOrDefault();
        if (reference is { } referenceSteps)
        {
            // Best at 10 NFE by mean; the ratio's spread is over the seeds, each seed's cell against the same seed's ddpm.
            var best = names.Select(n => (Name: n, Values: Values($"{n}@10"))).Where(p => p.Values.Count == seeds.Length)
                .OrderBy(p => p.Values.Average()).FirstOrDefault();
            if (best.Name is not null)
            {
                var ratios = seeds.Where(s => cellsBySeed[s].ContainsKey($"ddpm@{referenceSteps}"))
                    .Select(s => cellsBySeed[s][$"{best.Name}@10"].Fd / cellsBySeed[s][$"ddpm@{referenceSteps}"].Fd).ToList();
                var (ratio, ratioSpread, _) = Summary(ratios);
                var (referenceMean, referenceSpread, _) = Summary(Values($"ddpm@{referenceSteps}"));
                text.AppendLine(inv, $"Best at 10 NFE: {best.Name} {Format(best.Values.Average())} against ddpm at {referenceSteps} steps {Format(referenceMean)} ± {Format(referenceSpread)}: " +
                                     $"ratio {ratio:0.00} ± {ratioSpread:0.00} over {ratios.Count} seed{(ratios.Count == 1 ? "" : "s")}.");
            }
        }
        var all = cellsBySeed.Values.SelectMany(c => c.Values).ToList();
        text.AppendLine(inv, $"Sampling time {all.Sum(c => c.Seconds) / 60:0.0} min in all (this run {elapsed.TotalMinutes:0.0} min, cells already on disk reused).");
        return text.ToString();
    }

    /// <summary>The run id in a checkpoint path (runs/RUN/checkpoints/...), or the folder itself when it has none.</summary>
    private static string RunIdOf(string checkpointFolder)
    {
        var parts = checkpointFolder.Split(Path.DirectorySeparatorChar);
        int at = Array.LastIndexOf(parts, "checkpoints");
        return at > 0 ? parts[at - 1] : checkpointFolder;
    }
}
