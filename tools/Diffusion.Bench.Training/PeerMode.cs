using System.Globalization;
using System.Reflection;
using System.Text.Json;
using Diffusion.Abstractions.Runs;
using Diffusion.Core.Host;
using Diffusion.Core.Pipelines;
using TorchSharp;

namespace Diffusion.Bench.Training;

/// <summary>
/// The project side of the PyTorch eager comparison (tools/bench-pytorch/run.sh, docs/benchmarks.md "Against PyTorch
/// eager"): the hand-written training step of the pipeline's train stage (model, batch, AdamW, clipping, weight average)
/// and sampling with the train stage's DDPM sampler, timed in one fresh process at a fixed thread count. It prints one
/// JSON line with the same fields as tools/bench-pytorch/peer.py.
/// </summary>
internal static class PeerMode
{
    public static int Run(string pipeline, string[] overrides, Func<string, string, string> arg)
    {
        if (!TryPositive(arg("--threads", "1"), "--threads", out int threads) || !TryPositive(arg("--steps", "20"), "--steps", out int steps) ||
            !TryPositive(arg("--warmup", "5"), "--warmup", out int warmup, allowZero: true) || !TryPositive(arg("--samples", "64"), "--samples", out int samples) ||
            !TryPositive(arg("--sample-steps", "50"), "--sample-steps", out int sampleSteps))
            return 2;
        // As `diffusion run --threads T` does: libtorch's intra-op pool (and its inter-op pool, once) before any work.
        ThreadSettings.Apply(threads);

        PipelineSpec spec;
        try
        {
            spec = Quickstart.Load(pipeline, overrides);
        }
        catch (PipelineValidationException e)
        {
            Console.Error.WriteLine(e.Message.Contains("error:", StringComparison.Ordinal) ? e.Message : $"error: {pipeline}: {e.Message}");
            return 2;
        }
        catch (Exception e) when (e is IOException or PluginInputException)
        {
            Console.Error.WriteLine($"error: {pipeline}: {e.Message}");
            return 2;
        }
        if (Unsupported(spec) is { } reason)
        {
            Console.Error.WriteLine($"error: {pipeline}: {reason}; the peer (tools/bench-pytorch/peer.py) re-implements an unconditional unet2d on image " +
                                    "data trained with a ddpm schedule, plain MSE and AdamW: use such a pipeline (pipelines/quickstart.yaml, pipelines/fashion-mnist.yaml)");
            return 2;
        }
        using var hand = new HandLoop(spec);
        if (arg("--check-out", "") is { Length: > 0 } folder)
            return WriteCheck(hand, folder);

        var (wall, _) = hand.Run(warmup + steps);
        var timed = wall.Skip(warmup).Order().ToArray();
        // One model evaluation at the full batch first, so neither side's timed sampling pays the first call's set-up.
        _ = hand.Sample(samples, 2);
        double sampling = hand.Sample(samples, sampleSteps);

        string config = Diffusion.Kernels.LibTorchContext.BuildConfiguration;
        var result = new Dictionary<string, object?>
        {
            ["side"] = "project",
            ["pipeline"] = pipeline,
            ["threads"] = threads,
            ["torch_threads"] = torch.get_num_threads(),
            ["parameters"] = hand.Parameters,
            ["batch_size"] = hand.Options.BatchSize,
            ["items"] = hand.Items,
            ["lr"] = hand.Options.Lr,
            ["weight_decay"] = hand.Options.WeightDecay,
            ["grad_clip"] = hand.Options.GradClip,
            ["ema_decay"] = hand.Options.EmaDecay,
            ["steps"] = steps,
            ["warmup"] = warmup,
            ["train_step_median_s"] = Median(timed),
            ["train_step_min_s"] = timed[0],
            ["train_step_max_s"] = timed[^1],
            ["samples"] = samples,
            ["sample_steps"] = sampleSteps,
            ["sampling_s"] = sampling,
            ["framework"] = "TorchSharp " + TorchSharpVersion(),
            ["torch_version"] = ConfigValue(config, "TORCH_VERSION") ?? "?",
            ["blas"] = $"{ConfigValue(config, "BLAS_INFO") ?? "?"} ({Diffusion.Kernels.LibTorchContext.MklVersion})",
            ["onednn"] = Diffusion.Kernels.LibTorchContext.OneDnnVersion,
            ["runtime"] = ".NET " + Environment.Version,
            ["host"] = $"malloc {ProcessSetup.Applied?.Allocator ?? "?"}; omp wait {ProcessSetup.Applied?.OpenMpWait ?? "?"}",
        };
        Console.WriteLine(JsonSerializer.Serialize(result));
        return 0;
    }

    /// <summary>
    /// Writes the freshly initialised network's weights and one forward pass (4 random items at 4 timesteps) to
    /// FOLDER/check.safetensors, for <c>peer.py --check FOLDER</c> to load into its own network (by name, every shape
    /// checked) and compare: the peer computes the project's function, not just a network of the same size.
    /// </summary>
    private static int WriteCheck(HandLoop hand, string folder)
    {
        Directory.CreateDirectory(folder);
        using var scope = torch.NewDisposeScope();
        using var generator = new torch.Generator(7, torch.CPU);
        var x = torch.randn([4, .. hand.ItemShape], generator: generator);
        var t = torch.tensor(new float[] { 0, 250, 600, 999 });
        torch.Tensor output;
        using (torch.no_grad())
            output = hand.Network.forward(x, t, null);
        var tensors = hand.Network.state_dict().Select(p => new KeyValuePair<string, torch.Tensor>("model." + p.Key, p.Value))
            .Append(new("check.x", x)).Append(new("check.t", t)).Append(new("check.output", output));
        string path = Path.Combine(folder, "check.safetensors");
        Diffusion.Abstractions.Checkpoints.SafeTensors.Write(path, tensors);
        Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object> { ["side"] = "project", ["check"] = path, ["parameters"] = hand.Parameters }));
        return 0;
    }

    /// <summary>Why the hand-written loop and the peer cannot run this pipeline's train stage as it is, or null when they can.</summary>
    private static string? Unsupported(PipelineSpec spec)
    {
        var trains = spec.Stages.Where(s => s.Type.Name == "train").ToList();
        if (trains.Count != 1) return $"it has {trains.Count} train stages (the loop times exactly one)";
        if (trains[0].Options is not { } options) return "its train stage has no options";
        object? Option(object target, string name) => target.GetType().GetProperty(name)?.GetValue(target);
        string Plugin(string option) => spec.Components.SingleOrDefault(c => c.Name == Option(options, option) as string)?.Plugin.Name ?? "?";
        if (Plugin("Model") != "unet2d") return $"the train stage's model is '{Plugin("Model")}', not unet2d";
        if (Plugin("Data") != "image") return $"the train stage's data is '{Plugin("Data")}', not image";
        if (Plugin("Sampler") != "ddpm") return $"the train stage's sampler is '{Plugin("Sampler")}', not ddpm";
        var model = spec.Components.Single(c => c.Name == (string)Option(options, "Model")!).Options;
        var sampler = spec.Components.Single(c => c.Name == (string)Option(options, "Sampler")!).Options;
        var checks = new (object? Target, string Name, object Expected)[]
        {
            (options, "GradAccumulation", 1), (options, "LowResScale", 0), (options, "NoiseOffset", 0.0), (options, "CondDropout", 0.0),
            (options, "LossWeighting", "Uniform"), (options, "Optimizer", "AdamW"),
            (model, "ClassConditional", false), (model, "ExtraInChannels", 0), (model, "ContextDim", 0), (model, "TextEncoderLayers", 0),
            (sampler, "PredictionType", "Epsilon"), (sampler, "RescaleZeroTerminalSnr", false),
        };
        foreach (var (target, name, expected) in checks)
        {
            object? value = target is null ? null : Option(target, name);
            if (value is not null && !Equals(value is Enum ? value.ToString() : value, expected))
                return $"{(ReferenceEquals(target, options) ? "the train stage" : ReferenceEquals(target, model) ? "the model" : "the noise schedule")} sets {name} = {value}";
        }
        return null;
    }

    private static bool TryPositive(string text, string name, out int value, bool allowZero = false)
    {
        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out value) && (value > 0 || (allowZero && value == 0))) return true;
        Console.Error.WriteLine($"error: {name} must be {(allowZero ? "a whole number >= 0" : "a whole number >= 1")} (got '{text}')");
        return false;
    }

    /// <summary>A KEY=VALUE entry of libtorch's build configuration (as torch.__config__.show() prints it), or null.</summary>
    private static string? ConfigValue(string config, string key)
    {
        int at = config.IndexOf(key + "=", StringComparison.Ordinal);
        if (at < 0) return null;
        int start = at + key.Length + 1;
        int end = config.IndexOfAny([',', '\n'], start);
        return (end < 0 ? config[start..] : config[start..end]).Trim();
    }

    private static string TorchSharpVersion()
    {
        string version = typeof(torch).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
                         ?? typeof(torch).Assembly.GetName().Version?.ToString() ?? "?";
        int plus = version.IndexOf('+');
        return plus < 0 ? version : version[..plus];
    }

    private static double Median(double[] sorted) =>
        sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
}
