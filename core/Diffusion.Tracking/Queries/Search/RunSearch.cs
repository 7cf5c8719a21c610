namespace Diffusion.Tracking;

/// <summary>What <see cref="ITrackingStore.SearchRuns"/> looks for. The language is described in docs/tracking.md.</summary>
public sealed record RunSearch
{
    /// <summary>
    /// A filter such as <c>params.lr &gt;= 1e-3 AND metrics."train/loss" &lt; 0.1 OR tags.note LIKE '%ema%'</c>;
    /// null or blank for every run.
    /// </summary>
    public string? Filter { get; init; }

    /// <summary>Keys to sort by, such as <c>metrics.loss ASC, start_time DESC</c>; null for newest first. Missing values sort last.</summary>
    public string? OrderBy { get; init; }

    /// <summary>
    /// Extra fields to return with each run, comma-separated (<c>params.lr, metrics.loss.min</c>). The params,
    /// metrics and tags that <see cref="Filter"/> and <see cref="OrderBy"/> name are returned too.
    /// </summary>
    public string? Columns { get; init; }

    /// <summary>At most this many runs. Default 100.</summary>
    public int Limit { get; init; } = 100;

    /// <summary>How many of the matching runs (in order) to pass over first, for paging. Default 0.</summary>
    public int Offset { get; init; }

    /// <summary>Only runs of this experiment, or null for all.</summary>
    public string? Experiment { get; init; }

    /// <summary>Only the children of this run (a sweep's trials), or null for all.</summary>
    public string? ParentRunId { get; init; }

    /// <summary>Search the deleted runs instead of the others.</summary>
    public bool Deleted { get; init; }

    /// <summary>Reads the filter, order-by and columns without a database, so a mistake is reported even when there are no runs.</summary>
    /// <exception cref="FilterSyntaxException">An expression cannot be read; <see cref="FilterSyntaxException.Clause"/> says which.</exception>
    public void CheckSyntax() => RunSearchQuery.Compile(this);
}
