using System.Globalization;
using Diffusion.Abstractions.Checkpoints;

namespace Diffusion.Core.Export;

/// <summary>
/// Writes a run's trained weights as one safetensors file that PyTorch, diffusers and Python's safetensors read: the
/// tensors of the latest checkpoint of a train stage, with metadata naming the schedule, data spec, run, stage, step
/// and which weights they are.
/// </summary>
public static class WeightsExport
{
    /// <summary>The full output path, or an <see cref="ExportException"/> saying why it cannot be written.</summary>
    private static string CheckOutputPath(string outPath)
    {
        if (string.IsNullOrWhiteSpace(outPath))
            throw new ExportException("--out is empty; name the file to write, e.g. --out model.safetensors");
        string full = Path.GetFullPath(outPath);
        if (Directory.Exists(full))
            throw new ExportException($"--out {outPath} is a directory; name a file inside it, e.g. --out {Path.Combine(outPath, "model.safetensors")}");
        if (OperatingSystem.IsLinux() && SpecialRoots.Any(r => full == r || full.StartsWith(r + "/", StringComparison.Ordinal)))
            throw new ExportException($"--out {outPath} is on a system file system ({full.Split('/')[1]}), not a place for files; choose another path");
        return full;
    }

    private static readonly string[] SpecialRoots = ["/proc", "/sys", "/dev"];

    /// <summary>Exports from the run whose artifacts are in <paramref name="runFolder"/>.</summary>
    /// <param name="runFolder">The run's artifact folder.</param>
    /// <param name="runId">The run id, recorded in the metadata.</param>
    /// <param name="stage">The train stage to export, or null for the only one that has checkpoints.</param>
    /// <param name="weights">Which weights to write.</param>
    /// <param name="outPath">The file to write (its folder is created).</param>
    /// <param name="adapters">LoRA adapter files merged into the weights before writing, each with its weight (see <see cref="LoraWeights"/>).</param>
    /// <exception cref="ExportException">No checkpoint, several train stages and none named, no EMA weights when asked for them, or an adapter that does not fit.</exception>
    public static ExportResult Export(string runFolder, string runId, string? stage, ExportedWeights weights, string outPath,
        IReadOnlyList<(string Path, double Weight)>? adapters = null)
    {
        string full = CheckOutputPath(outPath);
        foreach (var (adapter, _) in adapters ?? [])
        {
            if (!File.Exists(Path.GetFullPath(adapter)))
                throw new ExportException($"--lora {adapter}: {Path.GetFullPath(adapter)} does not exist; name a lora stage's adapter.safetensors (lora/STAGE/adapter.safetensors in its run folder)");
        }
        string root = Path.Combine(runFolder, "checkpoints");
        var stages = Directory.Exists(root)
            ? Directory.EnumerateDirectories(root).Select(Path.GetFileName).OfType<string>().Where(s => Checkpoint.Latest(runFolder, s) is not null).Order(StringComparer.Ordinal).ToList()
            : [];
        if (stages.Count == 0)
            throw new ExportException($"run {runId} has no complete checkpoint in {root}: only runs with a train stage that saved a checkpoint can be exported");
        string chosen = stage ?? (stages.Count == 1
            ? stages[0]
            : throw new ExportException($"run {runId} has checkpoints of several train stages ({string.Join(", ", stages)}): choose one with --stage"));
        var checkpoint = Checkpoint.Latest(runFolder, chosen)
            ?? throw new ExportException($"run {runId} has no checkpoint of stage '{chosen}'; stages with checkpoints: {string.Join(", ", stages)}");

        bool hasEma = File.Exists(checkpoint.EmaPath);
        var written = weights switch
        {
            ExportedWeights.Ema when !hasEma => throw new ExportException(
                $"{checkpoint.Folder} has no EMA weights (the stage ran without ema_decay); export --weights model instead"),
            ExportedWeights.Model => ExportedWeights.Model,
            _ => hasEma ? ExportedWeights.Ema : ExportedWeights.Model,
        };
        var (tensors, metadata) = SafeTensors.Read(written == ExportedWeights.Ema ? checkpoint.EmaPath : checkpoint.ModelPath);
        try
        {
            metadata["run_id"] = runId;
            metadata["stage"] = chosen;
            metadata["step"] = checkpoint.Step.ToString(CultureInfo.InvariantCulture);
            metadata["weights"] = written == ExportedWeights.Ema ? "ema" : "model";
            foreach (var (adapter, weight) in adapters ?? [])
            {
                string adapterPath = Path.GetFullPath(adapter);
                try
                {
                    LoraWeights.MergeInto(tensors, adapterPath, weight);
                }
                catch (CheckpointMismatchException e)
                {
                    throw new ExportException($"--lora {adapter}: {e.Message}");
                }
            }
            if (adapters is { Count: > 0 })
                metadata["lora_merged"] = string.Join(",", adapters.Select(a => $"{Path.GetFileName(a.Path)}:{a.Weight.ToString("R", CultureInfo.InvariantCulture)}"));
            try
            {
                Directory.CreateDirectory(Path.GetDirectoryName(full)!);
                SafeTensors.Write(full, tensors, metadata);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new ExportException($"cannot write {full}: {e.Message}; choose a writable file path with --out");
            }
            return new ExportResult(chosen, checkpoint.Step, written, tensors.Count);
        }
        finally
        {
            foreach (var tensor in tensors.Values) tensor.Dispose();
        }
    }
}
