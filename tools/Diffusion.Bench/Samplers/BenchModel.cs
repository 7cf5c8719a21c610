using System.Security.Cryptography;
using System.Text;
using Diffusion.Abstractions.Checkpoints;
using Diffusion.Abstractions.Denoisers;
using Diffusion.Abstractions.Modalities;
using Diffusion.Abstractions.Plugins;
using Diffusion.Core.Pipelines;
using Diffusion.Core.Plugins;
using Diffusion.Core.Runs;
using Diffusion.Stages.Checkpoints;
using Diffusion.Tracking;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TorchSharp;
using static TorchSharp.torch;

namespace Diffusion.Bench.Samplers;

/// <summary>
/// The model a benchmark samples from: trained once by running the pipeline with the framework's runner, then loaded
/// from the cached checkpoint (EMA weights) on later runs. The cache key is a hash of the resolved pipeline text, so any
/// change to the pipeline or its overrides trains a new model. <c>scoringOverrides</c> change only the modality that
/// scores the samples (its metrics, say), not the key: scoring with another metric reuses the trained model.
/// </summary>
internal sealed record BenchModel(TrainedModel Model, IModality Data, PluginCatalog Catalog, string Key, string CheckpointFolder, bool Trained) : IDisposable
{
    public static BenchModel TrainOrLoad(string pipelinePath, IReadOnlyList<string> overrides, IReadOnlyList<string> scoringOverrides, string cacheFolder, string? checkpointPath, ILogger logger, Device device)
    {
        var document = PipelineLoader.Load(pipelinePath, overrides);
        var catalog = PluginDiscovery.Discover(PluginSource.Defaults(document.PluginFolders));
        foreach (var problem in catalog.Problems) logger.LogWarning("plugin skipped: {Problem}", problem);
        var spec = PipelineBinder.Bind(document, catalog);

        // A given checkpoint (trained by `diffusion run`) joins the key, so its cells are cached apart from the bench's own model.
        string keyText = checkpointPath is null ? spec.ResolvedText : spec.ResolvedText + "\n" + Path.GetFullPath(checkpointPath);
        string key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(keyText)))[..12];
        string modelFolder = Path.GetFullPath(Path.Combine(cacheFolder, "model-" + key));
        string marker = Path.Combine(modelFolder, "checkpoint.txt");
        bool trained = false;
        string? checkpointFolder = checkpointPath is not null ? Path.GetFullPath(checkpointPath)
            : File.Exists(marker) ? File.ReadAllText(marker).Trim() : null;
        if (checkpointPath is not null && !File.Exists(Path.Combine(checkpointFolder!, "model.safetensors")))
            throw new InvalidOperationException($"--checkpoint {checkpointPath}: no checkpoint there (give a folder like runs/RUN/checkpoints/train/step-02500)");
        if (checkpointFolder is null || !Directory.Exists(checkpointFolder))
        {
            logger.LogInformation("training the benchmark model ({Pipeline}, key {Key}); later runs reuse it", pipelinePath, key);
            Directory.CreateDirectory(modelFolder);
            var runner = new PipelineRunner(logger, ConsoleProgress.ForStandardError());
            var result = runner.Run(new RunRequest(spec, Path.Combine(modelFolder, "tracking.db"), modelFolder), CancellationToken.None);
            if (result.Status != RunStatus.Completed)
                throw new InvalidOperationException($"training the benchmark model failed: {result.Message}");
            checkpointFolder = Checkpoint.Latest(result.RunFolder, spec.Stages[0].Name)?.Folder
                               ?? throw new InvalidOperationException($"the training run left no checkpoint in {result.RunFolder}");
            File.WriteAllText(marker, checkpointFolder);
            trained = true;
        }

        using var services = new ServiceCollection().AddSingleton(logger).BuildServiceProvider();
        var scoring = scoringOverrides.Count == 0 ? spec : PipelineBinder.Bind(PipelineLoader.Load(pipelinePath, [.. overrides, .. scoringOverrides]), catalog);
        object Create(PipelineSpec from, PluginKind kind)
        {
            var component = from.Components.First(c => c.Plugin.Kind == kind);
            return ComponentFactory.Create(services, component.Plugin, component.Options);
        }
        var data = (IModality)Create(scoring, PluginKind.Modality);
        var denoiser = (IDenoiser)Create(spec, PluginKind.Denoiser);

        var checkpoint = new Checkpoint(checkpointFolder, 0);
        var state = CheckpointIO.LoadTrainerState(checkpoint);
        var network = denoiser.Build(state.Data);
        CheckpointIO.LoadWeights(File.Exists(checkpoint.EmaPath) ? checkpoint.EmaPath : checkpoint.ModelPath, network);
        network.to(device);
        network.eval();
        return new BenchModel(new TrainedModel(network, state.Schedule, state.Data), data, catalog, key, checkpointFolder, trained);
    }

    public void Dispose() => Model.Network.Dispose();
}
