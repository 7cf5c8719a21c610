using System.Text;
using System.Text.RegularExpressions;
using Diffusion.Tracking;

namespace Diffusion.Core.Runs;

/// <summary>
/// What <c>--resume</c> allows: a run that did not complete, continued with the pipeline it was started with (the
/// resolved text, so <c>--set</c> overrides must be given again). With <see cref="RunRequest.AcceptLengthChange"/> the
/// stages' <c>steps:</c> may differ. On another number of ranks a stage's per-rank <c>batch_size:</c> may differ as long
/// as the global batch (per-rank batch × ranks) stays the same: that is the same experiment.
/// </summary>
internal static partial class ResumeCheck
{
    private const int MaxShownLines = 20;

    /// <summary>
    /// Null when the run may be resumed as it is; otherwise the accepted change of stage lengths, as
    /// "stage: old -> new" entries, when <paramref name="acceptLengthChange"/> allows it.
    /// </summary>
    /// <exception cref="ResumeRefusedException">The run completed, or the pipeline changed in a way not accepted.</exception>
    public static string? Check(RunDetails run, string pipelineText, bool acceptLengthChange, int worldSize = 1)
    {
        if (run.Run.Status == RunStatus.Completed)
            throw new ResumeRefusedException(
                $"run {run.Run.Id} is COMPLETED: there is nothing to resume; run the pipeline again for a new run " +
                "(or use init_from with its checkpoint to train further)");

        if (Normalize(run.PipelineText) == Normalize(pipelineText))
            return null;

        var before = Lines(run.PipelineText);
        var after = Lines(pipelineText);
        int recordedWorld = run.Params.FirstOrDefault(p => p.Key == "distributed.world_size")?.Value is { } w
            ? Convert.ToInt32(w, System.Globalization.CultureInfo.InvariantCulture) : 1;
        var lengths = LengthChanges(before, after, recordedWorld, worldSize);
        if (lengths is "")
            return null;
        if (lengths is not null && acceptLengthChange)
            return lengths;

        var text = new StringBuilder();
        text.Append($"the pipeline differs from the one run {run.Run.Id} was started with");
        text.Append(lengths is null
            ? "; resume it with the same file and the same --set values"
            : "; only stage lengths changed: pass --accept-length-change to continue with the new lengths (recorded as a tag)");
        text.AppendLine(" (- recorded, + now):");
        var diff = Diff(before, after);
        foreach (var line in diff.Take(MaxShownLines)) text.AppendLine("  " + line);
        if (diff.Count > MaxShownLines) text.AppendLine($"  ... and {diff.Count - MaxShownLines} more changed lines");
        throw new ResumeRefusedException(text.ToString().TrimEnd());
    }

    private static string Normalize(string text) => text.Replace("\r\n", "\n").TrimEnd();

    private static List<string> Lines(string text) => Normalize(text).Split('\n').ToList();

    /// <summary>
    /// "stage: old -> new" for each changed <c>steps:</c> when nothing else changed (but per-rank batch sizes that keep
    /// the global batch), "" when only such batch sizes changed, else null.
    /// </summary>
    private static string? LengthChanges(List<string> before, List<string> after, int recordedWorld, int worldSize)
    {
        if (before.Count != after.Count)
            return null;
        var changes = new List<string>();
        string stage = "?";
        for (int i = 0; i < before.Count; i++)
        {
            if (StageName().Match(after[i]) is { Success: true } name)
                stage = name.Groups[1].Value.Trim();
            if (before[i] == after[i])
                continue;
            var oldBatch = BatchSize().Match(before[i]);
            var newBatch = BatchSize().Match(after[i]);
            if (oldBatch.Success && newBatch.Success && oldBatch.Groups[1].Value == newBatch.Groups[1].Value
                && long.Parse(oldBatch.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture) * recordedWorld
                   == long.Parse(newBatch.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture) * worldSize)
                continue;
            var old = Steps().Match(before[i]);
            var now = Steps().Match(after[i]);
            if (!old.Success || !now.Success || old.Groups[1].Value != now.Groups[1].Value)
                return null;
            changes.Add($"{stage}: {old.Groups[2].Value} -> {now.Groups[2].Value}");
        }
        return string.Join(", ", changes);
    }

    /// <summary>A line diff (longest common subsequence): removed lines as "- ", added as "+ ".</summary>
    private static List<string> Diff(List<string> a, List<string> b)
    {
        var common = new int[a.Count + 1, b.Count + 1];
        for (int i = a.Count - 1; i >= 0; i--)
            for (int j = b.Count - 1; j >= 0; j--)
                common[i, j] = a[i] == b[j] ? common[i + 1, j + 1] + 1 : Math.Max(common[i + 1, j], common[i, j + 1]);
        var lines = new List<string>();
        int x = 0, y = 0;
        while (x < a.Count || y < b.Count)
        {
            if (x < a.Count && y < b.Count && a[x] == b[y]) { x++; y++; }
            else if (x < a.Count && (y == b.Count || common[x + 1, y] >= common[x, y + 1])) lines.Add($"- {a[x++]}");
            else lines.Add($"+ {b[y++]}");
        }
        return lines;
    }

    [GeneratedRegex(@"^\s*-\s+name:\s*(.+)$")]
    private static partial Regex StageName();

    [GeneratedRegex(@"^(\s*(?:-\s+)?)steps:\s*(\d+)\s*$")]
    private static partial Regex Steps();

    [GeneratedRegex(@"^(\s*(?:-\s+)?)batch_size:\s*(\d+)\s*$")]
    private static partial Regex BatchSize();
}
