using Diffusion.Tracking;

namespace Diffusion.Ui;

/// <summary>The tracking store the dashboard reads, opened read-only once, and where each run's folder is.</summary>
internal sealed class DashboardData : IDisposable
{
    private readonly string? _explicitArtifactRoot;
    private readonly string _defaultArtifactRoot;

    public DashboardData(DashboardOptions options)
    {
        var backend = TrackingStores.For(options.Database);
        var readOnly = TrackingOptions.Default with { ReadOnly = true };
        Location = backend.Location;
        Runs = backend.Open(readOnly);
        try
        {
            Sweeps = backend.OpenSweeps(readOnly);
        }
        catch
        {
            Runs.Dispose();
            throw;
        }

        _explicitArtifactRoot = options.ArtifactRoot is { } root ? Path.GetFullPath(root) : null;
        _defaultArtifactRoot = Path.GetFullPath(backend.DefaultArtifactRoot);
    }

    /// <summary>Where the store lives, without a password.</summary>
    public string Location { get; }

    public ITrackingStore Runs { get; }

    public ISweepStore Sweeps { get; }

    /// <summary>The run's folder: under the explicit artifact root if one was given, else where the run recorded it, else the default.</summary>
    public string RunFolder(RunDetails run) => Path.Combine(_explicitArtifactRoot ?? run.ArtifactRoot ?? _defaultArtifactRoot, run.Run.Id);

    /// <summary>The run with this id or unique prefix, or null (also for an ambiguous prefix, which the caller reports).</summary>
    public RunDetails? Find(string id) => id.Length is > 0 and <= 64 && id.All(char.IsAsciiLetterOrDigit) ? Runs.FindRun(id) : null;

    public void Dispose()
    {
        Sweeps.Dispose();
        Runs.Dispose();
    }
}
