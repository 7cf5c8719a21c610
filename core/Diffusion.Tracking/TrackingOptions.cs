namespace Diffusion.Tracking;

/// <summary>How a tracking store writes and when it gives up on a silent run. The defaults suit training.</summary>
public sealed record TrackingOptions
{
    /// <summary>The defaults.</summary>
    public static TrackingOptions Default { get; } = new();

    /// <summary>How often a recording process stamps its run's heartbeat. Default 5 s.</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// A RUNNING run whose heartbeat is older than this is reported KILLED. Default 30 s.
    /// Must exceed <see cref="HeartbeatInterval"/> comfortably.
    /// </summary>
    public TimeSpan StaleAfter { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The longest a logged value waits in memory before it is written. Default 100 ms.</summary>
    public TimeSpan FlushInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The most values written in one transaction; a full batch is written at once. Default 1000.</summary>
    public int MaxBatchSize { get; init; } = 1000;

    /// <summary>How long one statement waits for another process's lock (SQLite busy timeout). Default 10 s.</summary>
    public TimeSpan BusyTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long the background writer keeps retrying a batch the database is too busy to take. Default 2 min.</summary>
    public TimeSpan WriteRetryLimit { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Open for reading only (a dashboard, a report): nothing is created, migrated or written, and any write is
    /// refused. A RUNNING run whose process is gone is reported KILLED without being recorded so. The store must
    /// exist and have the schema this build writes. Default false.
    /// </summary>
    public bool ReadOnly { get; init; }

    internal void Validate()
    {
        Positive(HeartbeatInterval, nameof(HeartbeatInterval));
        Positive(FlushInterval, nameof(FlushInterval));
        Positive(BusyTimeout, nameof(BusyTimeout));
        if (WriteRetryLimit < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(WriteRetryLimit), WriteRetryLimit, "must not be negative");
        }

        if (StaleAfter <= HeartbeatInterval)
        {
            throw new ArgumentOutOfRangeException(nameof(StaleAfter), StaleAfter, $"must exceed {nameof(HeartbeatInterval)} ({HeartbeatInterval})");
        }

        if (MaxBatchSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxBatchSize), MaxBatchSize, "must be at least 1");
        }
    }

    private static void Positive(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(name, value, "must be positive");
        }
    }
}
