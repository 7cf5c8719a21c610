using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
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
        var seed = new Option<long>("--seed") { Description = "Seed of the sampling noise.", DefaultValueFactory = _ => 1234 };
        var metric = new Option<string>("--metric") { Description = "The image metric to tabulate: fd (default) or kid on the in-project classifier's features, or fd-pixels.", DefaultValueFactory = _ => "fd" };
        var pipelineFile = new Option<string?>("--pipeline") { Description = "The pipeline that trains the model (default: the bundled samplers-model.yaml); its first stage must be the train stage." };
        var checkpointFolder = new Option<string?>("--checkpoint") { Description = "Sample from this trained checkpoint (e.g. runs/RUN/checkpoints/train/step-02500, made with --pipeline) instead of training." };
        var set = new Option<string[]>("--set") { Description = "Override a value of the model pipeline (repeatable), e.g. --set stages.train.steps=500.", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("samplers", "Image quality (fd-pixels, fd or kid) of every sampler at several NFE budgets on one trained model.")
        {
            samples, batch, nfe, longSamplers, only, cache, seed, metric, pipelineFile, checkpointFolder, set,
        };
        command.SetAction(result => Run(new Settings(
            result.GetValue(samples), result.GetValue(batch),
            [.. result.GetValue(nfe)!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(int.Parse)],
            result.GetValue(longSamplers)!, result.GetValue(only), result.GetValue(cache)!, result.GetValue(seed), result.GetValue(set) ?? [],
            result.GetValue(metric)!, result.GetValue(pipelineFile), result.GetValue(checkpointFolder))));
        return command;
    }

    private sealed record Settings(int Samples, int BatchSize, int[] Nfe, string AboveHundred, string? Only, string Cache, long Seed, string[] Overrides,
        string Metric, string? Pipeline, string? Checkpoint);

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
        var device = cuda.is_available() ? CUDA : CPU;
        var overrides = settings.Overrides.ToList();
        const string fashionMnist = "/usr/share/datasets/fashion-mnist";
        if (!File.Exists(Path.Combine(fashionMnist, "train-images-idx3-ubyte.gz")) && !File.Exists(Path.Combine(fashionMnist, "train-images-idx3-ubyte")))
        {
            logger.LogWarning("Fashion-MNIST is not installed ({Folder}); using the built-in shapes", fashionMnist);
            overrides.Insert(0, "components.data.dataset=shapes");
        }
        string pipeline = settings.Pipeline ?? Path.Combine(AppContext.BaseDirectory, "pipelines", "samplers-model.yaml");
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
        var context = new BenchRunContext(Path.Combine(outputFolder, "grids"), settings.Seed, logger);
        using var reference = bench.Data.Load(DataSplit.Test);
        using var services = new ServiceCollection().AddSingleton<ILogger>(logger).BuildServiceProvider();

        // Finished cells are kept on disk, so an interrupted run (or one with more samplers or budgets) picks up where it stopped.
        string metricPart = settings.Metric == "fd-pixels" ? "" : "-" + settings.Metric;
        string cellsFile = Path.Combine(outputFolder, $"cells-{bench.Key}-n{settings.Samples}-seed{settings.Seed}{metricPart}.json");
        var floors = new Dictionary<string, double>();
        var cells = File.Exists(cellsFile)
            ? JsonSerializer.Deserialize<Dictionary<string, Cell>>(File.ReadAllText(cellsFile))!
            : [];
        foreach (string name in names)
        {
            var (pluginName, options) = SamplerBenchOptions.Parse(name, bench.Catalog);
            var plugin = bench.Catalog.Find(PluginKind.Sampler, pluginName)!;
            var sampler = (ISampler)ComponentFactory.Create(services, plugin, options);
            foreach (int budget in settings.Nfe)
            {
                if (budget > 100 && !longNames.Contains(name)) continue;
                if (cells.ContainsKey($"{name}@{budget}")) continue;
                int steps = TwoEvaluationsPerStep.Contains(pluginName) ? (budget + 1) / 2 : budget;
                var watch = Stopwatch.StartNew();
                var (x, evaluations) = Draw(bench, sampler, steps, settings, device);
                using (x)
                {
                    var scores = bench.Data.Evaluate(x, reference, context);
                    double fd = scores[settings.Metric];
                    if (scores.TryGetValue(settings.Metric + "-floor", out double floor)) floors[settings.Metric] = floor;
                    cells[$"{name}@{budget}"] = new Cell(fd, evaluations, watch.Elapsed.TotalSeconds);
                    Directory.CreateDirectory(outputFolder);
                    File.WriteAllText(cellsFile, JsonSerializer.Serialize(cells));
                    logger.LogInformation("{Sampler} NFE {Nfe} ({Steps} steps, {Evaluations} evaluations): {Metric} {Fd:0.000} in {Seconds:0.0} s",
                        name, budget, steps, evaluations, settings.Metric, fd, watch.Elapsed.TotalSeconds);
                    if (budget == 10 || (name == "ddpm" && budget == settings.Nfe.Max()))
                        bench.Data.WriteSamples(x.narrow(0, 0, Math.Min(64, x.shape[0])), $"{name.Replace(':', '-').Replace(';', '-').Replace('=', '-')}-nfe{budget}", context);
                }
            }
        }

        string table = Table(names, settings, cells, bench, clock.Elapsed, floors.TryGetValue(settings.Metric, out double f) ? f : null);
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
    private static (Tensor Samples, int Evaluations) Draw(BenchModel bench, ISampler sampler, int steps, Settings settings, Device device)
    {
        var parts = new List<Tensor>();
        int evaluations = 0;
        using (no_grad())
        {
            for (int first = 0; first < settings.Samples; first += settings.BatchSize)
            {
                using var scope = NewDisposeScope();
                int n = Math.Min(settings.BatchSize, settings.Samples - first);
                using var generators = new SampleGenerators(settings.Seed, "sample", first, n);
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
    internal sealed record Cell(double Fd, int Evaluations, double Seconds);

    private static string Table(IReadOnlyList<string> names, Settings settings, Dictionary<string, Cell> cells, BenchModel bench, TimeSpan elapsed, double? floor)
    {
        var text = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        text.AppendLine(inv, $"{settings.Metric} of {settings.Samples} samples (lower is better; same noise seeds for every sampler), default options of each sampler.");
        if (floor is { } real) text.AppendLine(inv, $"Real-vs-real floor of {settings.Metric}: {real:0.000}.");
        text.AppendLine();
        text.AppendLine("| sampler | " + string.Join(" | ", settings.Nfe.Select(n => $"NFE {n}")) + " |");
        text.AppendLine("|---|" + string.Concat(settings.Nfe.Select(_ => "---|")));
        foreach (string name in names)
        {
            var row = settings.Nfe.Select(n => cells.TryGetValue($"{name}@{n}", out var c)
                ? c.Evaluations == n ? c.Fd.ToString("0.000", inv) : $"{c.Fd.ToString("0.000", inv)} ({c.Evaluations})"
                : "–");
            text.AppendLine(inv, $"| {name} | {string.Join(" | ", row)} |");
        }
        text.AppendLine();
        text.AppendLine("A number in parentheses is the NFE actually spent where it differs from the column (two evaluations per step, the last step one).");
        // The reference is ddpm at the most steps measured on this model so far (1000 by default), whether or not this run asked for it.
        var reference = cells.Where(c => c.Key.StartsWith("ddpm@", StringComparison.Ordinal))
            .Select(c => (Steps: int.Parse(c.Key[5..], CultureInfo.InvariantCulture), c.Value)).OrderByDescending(c => c.Steps).FirstOrDefault();
        if (reference.Value is not null)
        {
            var best = cells.Where(c => c.Key.EndsWith("@10", StringComparison.Ordinal) && names.Contains(c.Key[..^3])).OrderBy(c => c.Value.Fd).FirstOrDefault();
            if (best.Value is not null)
                text.AppendLine(inv, $"Best at 10 NFE: {best.Key[..^3]} {best.Value.Fd:0.000} against ddpm at {reference.Steps} steps {reference.Value.Fd:0.000}: ratio {best.Value.Fd / reference.Value.Fd:0.00}.");
        }
        double total = cells.Values.Sum(c => c.Seconds);
        text.AppendLine(inv, $"Sampling time {total / 60:0.0} min in all (this run {elapsed.TotalMinutes:0.0} min, cells already on disk reused); per cell (s): {string.Join(", ", cells.Select(c => $"{c.Key} {c.Value.Seconds:0}"))}.");
        text.AppendLine(inv, $"Model {bench.CheckpointFolder}.");
        return text.ToString();
    }
}
