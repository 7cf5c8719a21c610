namespace Diffusion.Tracking;

/// <summary>
/// The schema's history. Append a new <see cref="Migration"/> with the next version to change it; never edit
/// one that has shipped, since databases that already applied it will not run it again.
/// </summary>
internal static class Migrations
{
    public static IReadOnlyList<Migration> All { get; } =
    [
        new(1, "experiments, runs, params, metrics, tags, artifacts", V1),
    ];

    public static int Latest => All[^1].Version;

    // Times are unix milliseconds (UTC). A NULL metric value is a NaN (SQLite cannot store NaN).
    private const string V1 = """
        CREATE TABLE experiments (
            id      INTEGER PRIMARY KEY,
            name    TEXT NOT NULL UNIQUE,
            created INTEGER NOT NULL
        );

        CREATE TABLE runs (
            id            TEXT PRIMARY KEY,
            experiment_id INTEGER NOT NULL REFERENCES experiments(id),
            name          TEXT NOT NULL,
            status        TEXT NOT NULL CHECK (status IN ('RUNNING', 'COMPLETED', 'FAILED', 'KILLED')),
            start_time    INTEGER NOT NULL,
            end_time      INTEGER,
            heartbeat     INTEGER,
            seed          INTEGER NOT NULL,
            pipeline_path TEXT NOT NULL,
            pipeline_text TEXT NOT NULL,
            pipeline_hash TEXT NOT NULL,
            code_version  TEXT NOT NULL,
            host          TEXT NOT NULL,
            pid           INTEGER NOT NULL,
            parent_run_id TEXT REFERENCES runs(id),
            message       TEXT,
            deleted       INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX runs_by_start ON runs (start_time);
        CREATE INDEX runs_by_experiment ON runs (experiment_id, start_time);
        CREATE INDEX runs_by_status ON runs (status);
        CREATE INDEX runs_by_parent ON runs (parent_run_id);

        CREATE TABLE params (
            run_id     TEXT NOT NULL REFERENCES runs(id),
            key        TEXT NOT NULL,
            value_text TEXT NOT NULL,
            value_num  REAL,
            value_type TEXT NOT NULL CHECK (value_type IN ('int', 'float', 'bool', 'string')),
            PRIMARY KEY (run_id, key)
        ) WITHOUT ROWID;

        CREATE TABLE metrics (
            run_id TEXT NOT NULL REFERENCES runs(id),
            key    TEXT NOT NULL,
            step   INTEGER NOT NULL,
            value  REAL,
            time   INTEGER NOT NULL
        );
        CREATE INDEX metrics_by_run_key_step ON metrics (run_id, key, step);

        CREATE TABLE tags (
            run_id TEXT NOT NULL REFERENCES runs(id),
            key    TEXT NOT NULL,
            value  TEXT NOT NULL,
            PRIMARY KEY (run_id, key)
        ) WITHOUT ROWID;

        CREATE TABLE artifacts (
            run_id  TEXT NOT NULL REFERENCES runs(id),
            path    TEXT NOT NULL,
            kind    TEXT NOT NULL,
            sha256  TEXT NOT NULL,
            bytes   INTEGER NOT NULL,
            created INTEGER NOT NULL,
            PRIMARY KEY (run_id, path)
        ) WITHOUT ROWID;
        """;
}
