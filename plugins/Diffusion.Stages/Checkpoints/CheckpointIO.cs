using System.Globalization;
using System.Text.Json;

namespace Diffusion.Stages.Checkpoints;

/// <summary>Saves and loads <see cref="Checkpoint"/> folders.</summary>
public static class CheckpointIO
{
    /// <summary>Writes a checkpoint; the trainer file is written last, so a folder without it is incomplete and ignored.</summary>
    public static void Save(Checkpoint checkpoint, DenoiserModule network, DenoiserModule? average, optim.Optimizer? optimizer, TrainerState state)
    {
        Directory.CreateDirectory(checkpoint.Folder);
        var metadata = ModelMetadata(state.Schedule, state.Data, state.ShapesFromWeights);
        SafeTensors.Write(checkpoint.ModelPath, network.state_dict(), metadata);
        if (average is not null) SafeTensors.Write(checkpoint.EmaPath, average.state_dict(), metadata);
        if (optimizer is TorchSharp.Modules.OptimizerHelper helper) helper.save_state_dict(checkpoint.OptimizerPath);
        using var betas = tensor(state.Schedule.Betas.ToArray(), dtype: ScalarType.Float64);
        var trainer = new Dictionary<string, string>(metadata)
        {
            ["step"] = state.Step.ToString(CultureInfo.InvariantCulture),
            ["rng"] = RngScheme,
            ["seed"] = state.Seed?.ToString(CultureInfo.InvariantCulture) ?? "",
        };
        if (state.LossScale is { } scale)
        {
            trainer[LossScaleKey] = scale.ToString("R", CultureInfo.InvariantCulture);
            trainer[LossScaleGoodStepsKey] = state.LossScaleGoodSteps.ToString(CultureInfo.InvariantCulture);
        }
        SafeTensors.Write(checkpoint.TrainerPath, [new("schedule.betas", betas)], trainer);
    }

    /// <summary>Trainer-file key of the fp16 loss scale (<see cref="TrainerState.LossScale"/>).</summary>
    public const string LossScaleKey = "loss_scale";

    /// <summary>Trainer-file key of <see cref="TrainerState.LossScaleGoodSteps"/>.</summary>
    public const string LossScaleGoodStepsKey = "loss_scale_good_steps";

    /// <summary>How the trainer's random state follows from the seed and step, as recorded in trainer files.</summary>
    public const string RngScheme = "per-step: every generator of step k is seeded from (seed, k)";

    /// <summary>The metadata stored in a weights file: what a reader needs to rebuild the schedule and data shape.</summary>
    public static Dictionary<string, string> ModelMetadata(NoiseSchedule schedule, DataSpec data, bool shapesFromWeights = false)
    {
        var metadata = new Dictionary<string, string>
        {
            ["format"] = "diffusion-framework/denoiser",
            ["prediction_type"] = OptionNames.EnumValueName(schedule.Prediction),
            ["beta_schedule"] = OptionNames.EnumValueName(schedule.Kind),
            ["timesteps"] = schedule.Timesteps.ToString(CultureInfo.InvariantCulture),
            ["data_spec"] = JsonSerializer.Serialize(data),
        };
        if (shapesFromWeights) metadata[ArchitectureKey] = ShapesFromWeights;
        return metadata;
    }

    /// <summary>
    /// Metadata key marking weights whose layer shapes differ from what the denoiser's options build (a structurally
    /// pruned network): loading such a file resizes the network's layers to the stored shapes first.
    /// </summary>
    public const string ArchitectureKey = "architecture";

    /// <summary>The <see cref="ArchitectureKey"/> value of a pruned network: the stored shapes are the architecture.</summary>
    public const string ShapesFromWeights = "shapes-from-weights";

    /// <summary>
    /// Loads weights into <paramref name="network"/>; a tensor whose shape differs is an error naming it and both shapes,
    /// unless the file is marked <see cref="ShapesFromWeights"/> (then the layers are resized to it). Compressed files
    /// (int8, int4, half, see <see cref="CompressedWeightLayout"/>) are decoded; pruning masks are registered on their layers.
    /// </summary>
    /// <exception cref="CheckpointMismatchException">Names or shapes do not match the network.</exception>
    /// <returns>What the file records the model predicts (its <c>prediction_type</c> metadata); null for a file without it.</returns>
    public static PredictionType? LoadWeights(string path, DenoiserModule network)
    {
        var (stored, metadata) = SafeTensors.Read(path);
        var tensors = CompressedWeightLayout.Decode(stored);
        try
        {
            bool resize = metadata.TryGetValue(ArchitectureKey, out string? architecture) && architecture == ShapesFromWeights;
            NetworkShapes.AdoptShapes(network, tensors, resize);
            var own = network.state_dict();
            var problems = new List<string>();
            foreach (var (name, target) in own)
            {
                if (!tensors.TryGetValue(name, out var source)) { problems.Add($"tensor '{name}' is missing from the checkpoint"); continue; }
                if (!source.shape.SequenceEqual(target.shape))
                    problems.Add($"tensor '{name}' has shape [{string.Join(", ", source.shape)}] in the checkpoint but [{string.Join(", ", target.shape)}] in the model");
            }
            problems.AddRange(tensors.Keys.Where(k => !own.ContainsKey(k)).Select(k => $"the checkpoint has tensor '{k}' that the model does not"));
            if (problems.Count > 0)
                throw new CheckpointMismatchException($"{path} does not fit the model: {string.Join("; ", problems.Take(5))}{(problems.Count > 5 ? $"; and {problems.Count - 5} more" : "")}");
            using (no_grad())
            {
                foreach (var (name, target) in own) target.copy_(tensors[name]);
            }
            return metadata.TryGetValue("prediction_type", out string? prediction) ? TryParseEnum<PredictionType>(prediction) : null;
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
    }

    /// <summary>
    /// The error for weights that record a prediction type other than the schedule's: the network's output would be read
    /// as the wrong quantity. Null when they agree or the file records none.
    /// </summary>
    public static string? PredictionMismatch(string path, PredictionType? stored, NoiseSchedule schedule, string samplerComponent) =>
        stored is { } p && p != schedule.Prediction
            ? $"{path} holds a model that predicts {OptionNames.EnumValueName(p)}, but sampler '{samplerComponent}' reads its output as {OptionNames.EnumValueName(schedule.Prediction)}: set prediction_type: {OptionNames.EnumValueName(p)} on '{samplerComponent}' and on the samplers that draw from it"
            : null;

    /// <summary>Loads the trainer state of a checkpoint.</summary>
    public static TrainerState LoadTrainerState(Checkpoint checkpoint)
    {
        var (tensors, meta) = SafeTensors.Read(checkpoint.TrainerPath);
        using var betas = tensors["schedule.betas"];
        var schedule = NoiseSchedule.FromBetas(betas.data<double>().ToArray(),
            ParseEnum<PredictionType>(meta["prediction_type"]), ParseEnum<BetaSchedule>(meta["beta_schedule"]));
        var data = JsonSerializer.Deserialize<DataSpec>(meta["data_spec"])!;
        long? seed = meta.TryGetValue("seed", out string? text) && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long s)
            ? s
            : null;
        bool reshaped = meta.TryGetValue(ArchitectureKey, out string? architecture) && architecture == ShapesFromWeights;
        double? lossScale = meta.TryGetValue(LossScaleKey, out string? scaleText) ? double.Parse(scaleText, CultureInfo.InvariantCulture) : null;
        int goodSteps = meta.TryGetValue(LossScaleGoodStepsKey, out string? goodText) ? int.Parse(goodText, CultureInfo.InvariantCulture) : 0;
        return new TrainerState(long.Parse(meta["step"], CultureInfo.InvariantCulture), schedule, data, seed, reshaped, lossScale, goodSteps);
    }

    private static T ParseEnum<T>(string yaml) where T : struct, Enum =>
        TryParseEnum<T>(yaml) ?? throw new InvalidOperationException($"'{yaml}' is no {typeof(T).Name} value");

    /// <summary>The enum value whose option name (snake case, as pipelines and checkpoint metadata write it) is <paramref name="yaml"/>; null for none.</summary>
    private static T? TryParseEnum<T>(string yaml) where T : struct, Enum =>
        Enum.GetValues<T>().Where(v => OptionNames.EnumValueName(v) == yaml).Cast<T?>().FirstOrDefault();
}
