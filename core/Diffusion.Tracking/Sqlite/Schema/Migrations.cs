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
        new(2, "latest_metrics and indexes for run search; sweeps and sweep_trials", V2),
        new(3, "runs.artifact_root: where a run's folder is", "ALTER TABLE runs ADD COLUMN artifact_root TEXT;"),
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

    // latest_metrics: one row per (run, metric key) kept up to date by the background writer, so a search over
    // many runs reads one row per run and key instead of scanning every logged value. Filled from metrics here
    // for databases written before it existed. The (key, ...) indexes serve filters and ordering by one key.
    // sweeps: a parent run's search settings; sweep_trials: one row per trial, claimed by worker processes.
    private const string V2 = """
        CREATE TABLE latest_metrics (
            run_id    TEXT NOT NULL REFERENCES runs(id),
            key       TEXT NOT NULL,
            step      INTEGER NOT NULL,
            value     REAL,
            min_value REAL,
            max_value REAL,
            count     INTEGER NOT NULL,
            time      INTEGER NOT NULL,
            PRIMARY KEY (run_id, key)
        ) WITHOUT ROWID;

        INSERT INTO latest_metrics (run_id, key, step, value, min_value, max_value, count, time)
        SELECT run_id, key, step, value, low, high, n, time FROM (
            SELECT run_id, key, step, value, time,
                   min(value) OVER whole AS low, max(value) OVER whole AS high, count(*) OVER whole AS n,
                   row_number() OVER (PARTITION BY run_id, key ORDER BY step DESC, rowid DESC) AS position
            FROM metrics
            WINDOW whole AS (PARTITION BY run_id, key))
        WHERE position = 1;

        CREATE INDEX latest_metrics_by_key_value ON latest_metrics (key, value);
        CREATE INDEX params_by_key_number ON params (key, value_num);
        CREATE INDEX params_by_key_text ON params (key, value_text);
        CREATE INDEX tags_by_key_value ON tags (key, value);

        CREATE TABLE sweeps (
            run_id        TEXT PRIMARY KEY REFERENCES runs(id),
            pipeline_path TEXT NOT NULL,
            pipeline_text TEXT NOT NULL,
            overrides     TEXT NOT NULL,
            method        TEXT NOT NULL,
            objective     TEXT NOT NULL,
            direction     TEXT NOT NULL CHECK (direction IN ('minimize', 'maximize')),
            budget        INTEGER NOT NULL,
            fail_fast     INTEGER NOT NULL DEFAULT 0,
            stale_after   INTEGER NOT NULL,
            state         TEXT NOT NULL CHECK (state IN ('RUNNING', 'COMPLETED', 'STOPPED')),
            message       TEXT,
            created       INTEGER NOT NULL
        );

        CREATE TABLE sweep_trials (
            sweep_id  TEXT NOT NULL REFERENCES sweeps(run_id),
            number    INTEGER NOT NULL,
            params    TEXT NOT NULL,
            state     TEXT NOT NULL CHECK (state IN ('PENDING', 'RUNNING', 'COMPLETED', 'FAILED', 'PRUNED')),
            worker    TEXT,
            heartbeat INTEGER,
            attempts  INTEGER NOT NULL DEFAULT 0,
            run_id    TEXT REFERENCES runs(id),
            value     REAL,
            message   TEXT,
            PRIMARY KEY (sweep_id, number)
        ) WITHOUT ROWID;
        CREATE INDEX sweep_trials_by_state ON sweep_trials (sweep_id, state);
        """;
}
