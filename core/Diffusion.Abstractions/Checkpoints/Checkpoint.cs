using System.Globalization;

namespace Diffusion.Abstractions.Checkpoints;

/// <summary>
/// A training checkpoint folder, <c>RUN_FOLDER/checkpoints/STAGE/step-NNNNNNNN/</c>: <c>model.safetensors</c> (weights,
/// readable by Python's safetensors), <c>ema.safetensors</c> (the averaged weights, when kept), <c>optimizer.bin</c>
/// (TorchSharp optimizer state) and <c>trainer.safetensors</c> (step, the noise schedule and the data spec), enough to
/// resume bit for bit on the CPU. The host finds the latest one to resume a stage and to export weights; the stage that
/// trains writes and reads the files.
/// </summary>
/// <param name="Folder">The checkpoint's folder.</param>
/// <param name="Step">The training steps completed when it was written.</param>
public sealed record Checkpoint(string Folder, long Step)
{
    /// <summary>The weights file.</summary>
    public string ModelPath => Path.Combine(Folder, "model.safetensors");

    /// <summary>The weight average (EMA) file, present when training kept one.</summary>
    public string EmaPath => Path.Combine(Folder, "ema.safetensors");

    /// <summary>The optimizer state file.</summary>
    public string OptimizerPath => Path.Combine(Folder, "optimizer.bin");

    /// <summary>The trainer state file, written last: a folder without it is incomplete.</summary>
    public string TrainerPath => Path.Combine(Folder, "trainer.safetensors");

    /// <summary>The checkpoints of a stage, in <paramref name="runFolder"/>/checkpoints/<paramref name="stage"/>/step-NNNNNNNN.</summary>
    public static string StageFolder(string runFolder, string stage) => Path.Combine(runFolder, "checkpoints", stage);

    /// <summary>The folder for a step.</summary>
    public static Checkpoint For(string runFolder, string stage, long step) =>
        new(Path.Combine(StageFolder(runFolder, stage), $"step-{step:D8}"), step);

    /// <summary>The complete checkpoint with the highest step, or null.</summary>
    public static Checkpoint? Latest(string runFolder, string stage)
    {
        string folder = StageFolder(runFolder, stage);
        if (!Directory.Exists(folder)) return null;
        return Directory.EnumerateDirectories(folder, "step-*")
            .Select(d => (Dir: d, Ok: long.TryParse(Path.GetFileName(d)["step-".Length..], NumberStyles.None, CultureInfo.InvariantCulture, out long s), Step: s))
            .Where(x => x.Ok && File.Exists(Path.Combine(x.Dir, "trainer.safetensors")))
            .OrderByDescending(x => x.Step)
            .Select(x => new Checkpoint(x.Dir, x.Step))
            .FirstOrDefault();
    }
}
