using Diffusion.Stages.Checkpoints;

namespace Diffusion.Stages.Lora;

/// <summary>
/// Loads one or several LoRA adapters, each with a weight, onto a trained model for the later stages (a sample stage
/// then draws from the adapted model); with <c>merge: true</c> folds them into the weights and writes the merged
/// weights to <c>lora/STAGE/merged.safetensors</c>.
/// </summary>
[Plugin(PluginKind.Stage, "lora-apply", Options = typeof(LoraApplyStageOptions), Description = "Loads LoRA adapters (with weights) onto a trained model; optionally merges them into its weights.")]
public sealed class LoraApplyStage(LoraApplyStageOptions options) : IStage
{
    /// <summary>The merged weights of a stage, relative to the run's artifact folder.</summary>
    public static string MergedPath(string stage) => Path.Combine("lora", stage, "merged.safetensors");

    /// <inheritdoc />
    public void Run(IRunContext context)
    {
        var model = StageHelpers.TrainedModel(context, options.Model);
        for (int i = 0; i < options.Adapters.Length; i++)
        {
            string path = Path.GetFullPath(options.Adapters[i]);
            double weight = options.Weights?[i] ?? 1.0;
            LoraAdapter adapter;
            try
            {
                adapter = LoraAdapter.Load(model.Network, path, weight);
            }
            catch (CheckpointMismatchException e)
            {
                throw new PluginInputException($"adapters[{i}]: {e.Message}", e);
            }
            context.Logger.LogInformation("lora-apply: {Path} on '{Model}' ({Layers} layers, rank {Rank}, weight {Weight})",
                path, options.Model, adapter.Layers.Count, adapter.Rank, weight);
            if (options.Merge)
            {
                adapter.Merge();
                adapter.Dispose();
            }
            else
            {
                context.State.Set($"lora.{context.StageName}.{i}", adapter);
            }
        }
        if (options.Merge) WriteMerged(model.Network, model.Schedule, model.Data, context);
    }

    /// <summary>Writes the (merged) network's weights as <c>lora/STAGE/merged.safetensors</c>, readable like a checkpoint's.</summary>
    internal static void WriteMerged(DenoiserModule network, NoiseSchedule schedule, DataSpec spec, IRunContext context)
    {
        string path = context.Artifacts.Write(MergedPath(context.StageName), "lora-merged-model",
            stream => SafeTensors.Write(stream, network.state_dict(), CheckpointIO.ModelMetadata(schedule, spec)));
        context.Logger.LogInformation("lora: merged weights written to {Path}", path);
    }
}
