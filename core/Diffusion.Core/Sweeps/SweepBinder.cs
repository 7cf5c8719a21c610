using System.Globalization;
using Diffusion.Core.Options;
using Diffusion.Core.Pipelines;
using Diffusion.Tracking;

namespace Diffusion.Core.Sweeps;

/// <summary>
/// Reads a pipeline's <c>sweep:</c> block into a <see cref="SweepSpec"/>, reporting every problem at its
/// place in the file (see docs/tracking.md for the block).
/// </summary>
internal static class SweepBinder
{
    private static readonly string[] Keys = ["method", "objective", "direction", "trials", "seed", "parameters", "pruner", "tpe"];
    private static readonly string[] Methods = ["grid", "random", "tpe"];
    private static readonly string[] Directions = ["minimize", "maximize"];
    private static readonly string[] DistributionKinds = ["uniform", "log_uniform", "int_uniform", "choice"];
    private static readonly string[] PrunerKeys = ["type", "metric", "direction", "warmup_steps", "startup_trials"];
    private static readonly string[] TpeKeys = ["startup_trials", "gamma", "candidates"];

    /// <summary>The sweep of <paramref name="node"/> (the value of <c>sweep:</c>), or null when absent or wrong.</summary>
    /// <param name="node">The value of <c>sweep:</c>.</param>
    /// <param name="pipelineSeed">The pipeline's seed (the sweep's unless it sets its own).</param>
    /// <param name="errors">Where problems go.</param>
    /// <param name="declaredGoals">Metric goals the plugins declare (metric name to higher-is-better), for an unwritten direction.</param>
    public static SweepSpec? Bind(PipelineNode? node, long pipelineSeed, PipelineErrors errors, IReadOnlyDictionary<string, bool>? declaredGoals = null)
    {
        if (node is null or PipelineScalar { IsNull: true })
            return null;
        if (node is not PipelineMap map)
        {
            errors.Add(node.Location, $"sweep: expected a map with method, objective, trials and parameters, got {node.Describe()}");
            return null;
        }
        int before = errors.Count;
        foreach (var entry in map.Entries.Where(e => !Keys.Contains(e.Key)))
            errors.Add(entry.KeyLocation, $"sweep: unknown key '{entry.Key}'{Suggestions.DidYouMean(entry.Key, Keys)}; valid keys: {string.Join(", ", Keys)}");

        int beforeMethod = errors.Count;
        var method = Word(map, "method", Methods, "random", errors) switch { "grid" => SweepMethod.Grid, "tpe" => SweepMethod.Tpe, _ => SweepMethod.Random };
        // With a misspelt method, checks that depend on the method would only add noise.
        bool methodKnown = errors.Count == beforeMethod;
        string? objective = null;
        if (map["objective"] is not { } objectiveNode)
            errors.Add(map.Location, "sweep: no 'objective': name the metric that scores a trial, e.g. objective: eval/denoise_loss");
        else if (objectiveNode is PipelineScalar { IsNull: false } text && text.Text.Trim().Length > 0)
            objective = text.Text.Trim();
        else
            errors.Add(objectiveNode.Location, $"sweep.objective: expected a metric name, got {objectiveNode.Describe()}");
        // Unwritten, the direction is what the metric's plugin declares, else what its name says (accuracy up, loss down).
        string defaultDirection = objective is not null && MetricGoals.IsHigherBetter(objective, declaredGoals) ? "maximize" : "minimize";
        bool maximize = Word(map, "direction", Directions, defaultDirection, errors) == "maximize";
        long seed = map["seed"] is { } seedNode ? Integer(seedNode, "sweep.seed", long.MinValue, errors) ?? 0 : pipelineSeed;

        var parameters = Parameters(map, method, errors);
        int? trials = map["trials"] is { } trialsNode ? (int?)Integer(trialsNode, "sweep.trials", 1, errors) : null;
        int grid = method == SweepMethod.Grid
            ? parameters.Aggregate(1, (size, p) => (int)Math.Min(int.MaxValue, (long)size * ((p.Distribution as ChoiceDistribution)?.Values.Count ?? 1)))
            : 0;
        if (methodKnown && trials is null && map["trials"] is null && method != SweepMethod.Grid)
            errors.Add(map.Location, $"sweep: no 'trials': say how many trials a {method.ToString().ToLowerInvariant()} sweep runs, e.g. trials: 20");
        if (method == SweepMethod.Grid && trials > grid && parameters.Count > 0)
            errors.Add(map["trials"]!.Location, $"sweep.trials: {trials} is more than the grid's {grid} combinations");

        var pruner = Pruner(map["pruner"], objective ?? "", maximize, errors);
        var tpe = Tpe(map["tpe"], method, errors);
        if (errors.Count > before || objective is null)
            return null;
        return new SweepSpec(method, objective, maximize, trials ?? grid, seed, parameters, pruner, tpe, map.Location);
    }

    private static List<SweepParameter> Parameters(PipelineMap sweep, SweepMethod method, PipelineErrors errors)
    {
        var parameters = new List<SweepParameter>();
        switch (sweep["parameters"])
        {
            case null:
                errors.Add(sweep.Location, "sweep: no 'parameters': map dotted paths to their values, e.g. stages.train.lr: {log_uniform: [1e-4, 1e-2]}");
                return parameters;
            case PipelineMap { Entries.Count: > 0 } map:
                foreach (var entry in map.Entries)
                {
                    if (PipelinePaths.Split(entry.Key) is not { } segments || segments[0] is "sweep" or "extends")
                    {
                        errors.Add(entry.KeyLocation, $"sweep.parameters: '{entry.Key}' is not a path a sweep can set (a dotted path such as stages.train.lr)");
                        continue;
                    }
                    if (Distribution(entry, method, errors) is { } distribution)
                        parameters.Add(new SweepParameter(entry.Key, distribution, entry.KeyLocation));
                }
                return parameters;
            case var other:
                errors.Add(other.Location, $"sweep.parameters: expected a map of dotted paths to values, got {other.Describe()}");
                return parameters;
        }
    }

    /// <summary><c>[a, b]</c> (a choice), or a map of one kind: <c>{uniform: [lo, hi]}</c>, <c>{log_uniform: ...}</c>, <c>{int_uniform: ...}</c>, <c>{choice: [...]}</c>.</summary>
    private static SweepDistribution? Distribution(PipelineMapEntry entry, SweepMethod method, PipelineErrors errors)
    {
        string where = $"sweep.parameters.{entry.Key}";
        string kind;
        PipelineNode values;
        switch (entry.Value)
        {
            case PipelineSequence list:
                (kind, values) = ("choice", list);
                break;
            case PipelineMap { Entries.Count: 1 } map when DistributionKinds.Contains(map.Entries[0].Key):
                (kind, values) = (map.Entries[0].Key, map.Entries[0].Value);
                break;
            case PipelineMap { Entries.Count: 1 } map:
                errors.Add(map.Entries[0].KeyLocation,
                    $"{where}: unknown distribution '{map.Entries[0].Key}'{Suggestions.DidYouMean(map.Entries[0].Key, DistributionKinds)}; use {string.Join(", ", DistributionKinds)}");
                return null;
            default:
                errors.Add(entry.Value.Location,
                    $"{where}: expected a list of values or one of {{uniform|log_uniform|int_uniform|choice: [...]}}, got {entry.Value.Describe()}");
                return null;
        }

        if (values is not PipelineSequence { Items.Count: > 0 } items)
        {
            errors.Add(values.Location, $"{where}: {kind} takes a non-empty list, got {values.Describe()}");
            return null;
        }
        if (kind == "choice")
        {
            var texts = new List<string>();
            foreach (var item in items.Items)
            {
                if (OverrideText(item) is { } text)
                    texts.Add(text);
                else
                    errors.Add(item.Location, $"{where}: a choice is a plain value or a list of plain values, not {item.Describe()}");
            }
            return texts.Count == items.Items.Count ? new ChoiceDistribution(texts) : null;
        }
        if (method == SweepMethod.Grid)
        {
            errors.Add(values.Location, $"{where}: a grid sweep takes lists of values, not a {kind} range; write the grid's values, e.g. [1e-4, 1e-3, 1e-2]");
            return null;
        }
        if (items.Items.Count != 2)
        {
            errors.Add(values.Location, $"{where}: {kind} takes [low, high], got {items.Items.Count} value(s)");
            return null;
        }
        if (kind == "int_uniform")
        {
            long? low = Integer(items.Items[0], where, long.MinValue, errors), high = Integer(items.Items[1], where, long.MinValue, errors);
            if (low is null || high is null)
                return null;
            if (low > high)
            {
                errors.Add(values.Location, $"{where}: int_uniform needs low <= high, got [{low}, {high}]");
                return null;
            }
            return new IntUniformDistribution(low.Value, high.Value);
        }

        double? lo = Number(items.Items[0], where, errors), hi = Number(items.Items[1], where, errors);
        if (lo is null || hi is null)
            return null;
        if (!(lo < hi))
        {
            errors.Add(values.Location, $"{where}: {kind} needs low < high, got [{lo.Value.ToString(CultureInfo.InvariantCulture)}, {hi.Value.ToString(CultureInfo.InvariantCulture)}]");
            return null;
        }
        if (kind == "log_uniform" && lo <= 0)
        {
            errors.Add(items.Items[0].Location, $"{where}: log_uniform needs low > 0 (the logarithm of {lo.Value.ToString(CultureInfo.InvariantCulture)} is undefined)");
            return null;
        }
        return kind == "log_uniform" ? new LogUniformDistribution(lo.Value, hi.Value) : new UniformDistribution(lo.Value, hi.Value);
    }

    /// <summary>How a choice value is given as a <c>--set</c> value: plain text, a double-quoted string, or a flow list.</summary>
    internal static string? OverrideText(PipelineNode node) => node switch
    {
        PipelineScalar scalar => ScalarText(scalar, flow: false),
        PipelineSequence list when list.Items.All(i => i is PipelineScalar) =>
            "[" + string.Join(", ", list.Items.Cast<PipelineScalar>().Select(s => ScalarText(s, flow: true))) + "]",
        _ => null,
    };

    private static string ScalarText(PipelineScalar scalar, bool flow)
    {
        // --set takes text as it is unless it starts with a quote or bracket (then it is read as YAML).
        bool plain = !scalar.Quoted && !flow && scalar.Text.Length > 0 && scalar.Text == scalar.Text.Trim() && scalar.Text[0] is not ('[' or '{' or '"' or '\'');
        return plain ? scalar.Text : PipelineYamlWriter.Scalar(scalar.Text, scalar.Quoted, flow, isKey: false);
    }

    private static MedianPrunerSpec? Pruner(PipelineNode? node, string objective, bool maximize, PipelineErrors errors)
    {
        switch (node)
        {
            case null or PipelineScalar { IsNull: true }:
                return null;
            case PipelineScalar { Text: "median" }:
                return new MedianPrunerSpec(objective, maximize, 0, 3);
            case PipelineMap map:
                foreach (var entry in map.Entries.Where(e => !PrunerKeys.Contains(e.Key)))
                    errors.Add(entry.KeyLocation, $"sweep.pruner: unknown key '{entry.Key}'{Suggestions.DidYouMean(entry.Key, PrunerKeys)}; valid keys: {string.Join(", ", PrunerKeys)}");
                Word(map, "type", ["median"], "median", errors, "sweep.pruner");
                string metric = objective;
                if (map["metric"] is { } metricNode)
                {
                    if (metricNode is PipelineScalar { IsNull: false } text && text.Text.Trim().Length > 0)
                        metric = text.Text.Trim();
                    else
                        errors.Add(metricNode.Location, $"sweep.pruner.metric: expected a metric name, got {metricNode.Describe()}");
                }
                bool up = map["direction"] is null ? maximize : Word(map, "direction", Directions, "minimize", errors, "sweep.pruner") == "maximize";
                long warmup = map["warmup_steps"] is { } w ? Integer(w, "sweep.pruner.warmup_steps", 0, errors) ?? 0 : 0;
                int startup = map["startup_trials"] is { } s ? (int)(Integer(s, "sweep.pruner.startup_trials", 1, errors) ?? 3) : 3;
                return new MedianPrunerSpec(metric, up, warmup, startup);
            default:
                errors.Add(node.Location, $"sweep.pruner: expected 'median' or a map {{metric, warmup_steps, startup_trials, direction}}, got {node.Describe()}");
                return null;
        }
    }

    private static TpeSettings Tpe(PipelineNode? node, SweepMethod method, PipelineErrors errors)
    {
        var settings = new TpeSettings();
        if (node is null or PipelineScalar { IsNull: true })
            return settings;
        if (method != SweepMethod.Tpe)
        {
            errors.Add(node.Location, "sweep.tpe: TPE settings only apply with method: tpe");
            return settings;
        }
        if (node is not PipelineMap map)
        {
            errors.Add(node.Location, $"sweep.tpe: expected a map {{startup_trials, gamma, candidates}}, got {node.Describe()}");
            return settings;
        }
        foreach (var entry in map.Entries.Where(e => !TpeKeys.Contains(e.Key)))
            errors.Add(entry.KeyLocation, $"sweep.tpe: unknown key '{entry.Key}'{Suggestions.DidYouMean(entry.Key, TpeKeys)}; valid keys: {string.Join(", ", TpeKeys)}");
        if (map["startup_trials"] is { } startup)
            settings = settings with { StartupTrials = (int)(Integer(startup, "sweep.tpe.startup_trials", 1, errors) ?? settings.StartupTrials) };
        if (map["candidates"] is { } candidates)
            settings = settings with { Candidates = (int)(Integer(candidates, "sweep.tpe.candidates", 1, errors) ?? settings.Candidates) };
        if (map["gamma"] is { } gammaNode)
        {
            if (Number(gammaNode, "sweep.tpe.gamma", errors) is { } gamma)
            {
                if (gamma is > 0 and < 1)
                    settings = settings with { Gamma = gamma };
                else
                    errors.Add(gammaNode.Location, $"sweep.tpe.gamma: expected a share between 0 and 1 (exclusive), got {gamma.ToString(CultureInfo.InvariantCulture)}");
            }
        }
        return settings;
    }

    private static string Word(PipelineMap map, string key, string[] allowed, string fallback, PipelineErrors errors, string owner = "sweep")
    {
        if (map[key] is not { } node)
            return fallback;
        string? value = (node as PipelineScalar)?.Text.Trim().ToLowerInvariant();
        value = value switch { "min" => "minimize", "max" => "maximize", _ => value };
        if (value is not null && allowed.Contains(value))
            return value;
        errors.Add(node.Location, $"{owner}.{key}: expected one of {string.Join('|', allowed)}, got {node.Describe()}" +
            (node is PipelineScalar text ? Suggestions.DidYouMean(text.Text, allowed) : ""));
        return fallback;
    }

    private static long? Integer(PipelineNode node, string where, long minimum, PipelineErrors errors)
    {
        if (node is PipelineScalar { IsNull: false } text && OptionValues.TryParseInteger(text.Text, out long value) && value >= minimum)
            return value;
        errors.Add(node.Location, $"{where}: expected {(minimum == long.MinValue ? "an integer" : $"an integer >= {minimum}")}, got {node.Describe()}");
        return null;
    }

    private static double? Number(PipelineNode node, string where, PipelineErrors errors)
    {
        if (node is PipelineScalar { IsNull: false, Quoted: false } text && OptionValues.TryParseNumber(text.Text, out double value) && double.IsFinite(value))
            return value;
        errors.Add(node.Location, $"{where}: expected a number, got {node.Describe()}");
        return null;
    }
}
