using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Diffusion.Tracking;

/// <summary>What <see cref="TrackingCopy.Copy"/> did.</summary>
/// <param name="Copied">Runs copied now.</param>
/// <param name="AlreadyThere">Runs the target held already (copied before), left as they are.</param>
/// <param name="MetricRows">Metric rows copied now.</param>
/// <param name="SweepsCopied">Sweeps (with their trials) copied now.</param>
/// <param name="Failed">Runs that could not be copied, with why; none of their rows is in the target.</param>
/// <param name="Mismatched">Runs whose checksum differs between source and target.</param>
/// <param name="SourceRuns">Runs in the source.</param>
/// <param name="TargetRuns">Runs in the target now.</param>
public sealed record CopySummary(
    int Copied, int AlreadyThere, long MetricRows, int SweepsCopied,
    IReadOnlyList<(string RunId, string Error)> Failed, IReadOnlyList<string> Mismatched, int SourceRuns, int TargetRuns);

/// <summary>
/// Copies every run (params, metrics, summaries, tags, artifact records) and sweep of one tracking store into another,
/// e.g. a local SQLite file to the team's PostgreSQL server (<c>diffusion runs migrate</c>). Each run is copied in one
/// transaction, so a failure leaves no half-copied run; a run the target already holds is left alone, so copying again
/// copies nothing twice. Afterwards every run's checksum (over all its rows) is compared between the two.
/// </summary>
public static class TrackingCopy
{
    /// <summary>Copies <paramref name="from"/> into <paramref name="to"/> (both as <see cref="TrackingStores.For"/> takes them).</summary>
    /// <param name="from">The source location; it must exist.</param>
    /// <param name="to">The target location; its schema is created or brought up to date.</param>
    /// <param name="progress">Told each run id as it is copied or skipped.</param>
    /// <exception cref="TrackingStoreException">A store cannot be opened, or the target backend cannot take copies.</exception>
    public static CopySummary Copy(string from, string to, Action<string, bool>? progress = null)
    {
        var source = TrackingStores.For(from);
        var target = TrackingStores.For(to);
        if (source is not IArchiveBackend readable || target is not IArchiveBackend writable)
        {
            throw new TrackingStoreException("runs migrate copies between SQLite and PostgreSQL stores only");
        }

        if (source.Location == target.Location)
        {
            throw new TrackingStoreException($"the source and the target are the same store ({source.Location})");
        }

        using (target.Open())
        {
            // Opening creates or migrates the target's schema.
        }

        using var reader = readable.OpenReader();
        using var writer = writable.OpenWriter() ?? throw new TrackingStoreException($"runs cannot be copied into {target.Location}: copy into a postgresql:// database");
        int copied = 0, there = 0;
        long metrics = 0;
        var failed = new List<(string, string)>();
        var ids = reader.RunIds();
        foreach (var id in ids)
        {
            if (writer.HasRun(id))
            {
                there++;
                progress?.Invoke(id, false);
                continue;
            }

            var dump = reader.Read(id);
            if (dump.Run.ParentRunId is { } parent && !writer.HasRun(parent))
            {
                failed.Add((id, $"its parent run {parent} was not copied"));
                continue;
            }

            try
            {
                writer.Write(dump);
                copied++;
                metrics += dump.Metrics.Count;
                progress?.Invoke(id, true);
            }
            catch (TrackingStoreException e)
            {
                failed.Add((id, e.Message));
            }
        }

        var sweeps = 0;
        foreach (var sweep in reader.Sweeps())
        {
            if (writer.HasSweep(sweep.Definition.Id) || !writer.HasRun(sweep.Definition.Id) || sweep.Trials.Any(t => t.RunId is { } run && !writer.HasRun(run)))
            {
                continue;
            }

            writer.Write(sweep);
            sweeps++;
        }

        var mismatched = ids.Where(id => writer.HasRun(id) && Checksum(reader.Read(id)) != Checksum(writer.Read(id))).ToList();
        return new CopySummary(copied, there, metrics, sweeps, failed, mismatched, ids.Count, writer.RunIds().Count);
    }

    /// <summary>SHA-256 over every stored value of a run, in a fixed order: equal on two backends when the rows are equal.</summary>
    internal static string Checksum(RunDump dump)
    {
        var text = new StringBuilder();
        void Field(object? value) => text.Append(value switch
        {
            null => "\u2400",
            double d => d.ToString("R", CultureInfo.InvariantCulture),
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString(),
        }).Append('\u001f');

        var r = dump.Run;
        foreach (var value in new object?[]
                 {
                     r.Id, r.Experiment, r.Name, r.Status, r.StartTime, r.EndTime, r.Heartbeat, r.Seed, r.PipelinePath, r.PipelineText,
                     r.PipelineHash, r.CodeVersion, r.Host, r.Pid, r.ParentRunId, r.Message, r.Deleted, r.ArtifactRoot,
                 })
        {
            Field(value);
        }

        foreach (var p in dump.Params.OrderBy(p => p.Key, StringComparer.Ordinal)) { Field(p.Key); Field(p.Text); Field(p.Number); Field(p.Type); }
        foreach (var m in dump.Metrics) { Field(m.Key); Field(m.Step); Field(m.Value); Field(m.Time); }
        foreach (var l in dump.Latest.OrderBy(l => l.Key, StringComparer.Ordinal)) { Field(l.Key); Field(l.Step); Field(l.Value); Field(l.Min); Field(l.Max); Field(l.Count); Field(l.Time); }
        foreach (var t in dump.Tags.OrderBy(t => t.Key, StringComparer.Ordinal)) { Field(t.Key); Field(t.Value); }
        foreach (var a in dump.Artifacts.OrderBy(a => a.Path, StringComparer.Ordinal)) { Field(a.Path); Field(a.Kind); Field(a.Sha256); Field(a.Bytes); Field(a.Created); }
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }
}
