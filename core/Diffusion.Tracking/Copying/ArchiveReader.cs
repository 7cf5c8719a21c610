using System.Data.Common;
using System.Globalization;
using System.Text.Json;

namespace Diffusion.Tracking;

/// <summary>
/// Reads whole runs and sweeps through plain ADO.NET, the same SQL on SQLite and PostgreSQL (their tables are the same;
/// only the column that keeps insertion order differs: SQLite's rowid, PostgreSQL's seq).
/// </summary>
internal class ArchiveReader(DbConnection connection, string insertionOrder) : IRunArchiveReader
{
    protected DbConnection Connection { get; } = connection;

    public IReadOnlyList<string> RunIds()
    {
        var runs = Rows("SELECT id, parent_run_id FROM runs ORDER BY start_time, id;", r => (Id: r.GetString(0), Parent: r.IsDBNull(1) ? null : r.GetString(1)));
        // Parents before children: a run goes out once its parent has.
        var done = new HashSet<string>(StringComparer.Ordinal);
        var order = new List<string>(runs.Count);
        var known = runs.Select(r => r.Id).ToHashSet(StringComparer.Ordinal);
        while (order.Count < runs.Count)
        {
            var before = order.Count;
            foreach (var run in runs.Where(r => !done.Contains(r.Id) && (r.Parent is null || done.Contains(r.Parent) || !known.Contains(r.Parent))))
            {
                done.Add(run.Id);
                order.Add(run.Id);
            }

            if (order.Count == before)
            {
                order.AddRange(runs.Where(r => !done.Contains(r.Id)).Select(r => r.Id));
                break;
            }
        }

        return order;
    }

    public RunDump Read(string runId)
    {
        var run = Rows(
            """
            SELECT r.id, e.name, e.created, r.name, r.status, r.start_time, r.end_time, r.heartbeat, r.seed, r.pipeline_path, r.pipeline_text,
                   r.pipeline_hash, r.code_version, r.host, r.pid, r.parent_run_id, r.message, r.deleted, r.artifact_root
            FROM runs r JOIN experiments e ON e.id = r.experiment_id WHERE r.id = @id;
            """,
            r => new RunRow(r.GetString(0), r.GetString(1), Long(r, 2), r.GetString(3), r.GetString(4), Long(r, 5), NullableLong(r, 6), NullableLong(r, 7),
                Long(r, 8), r.GetString(9), r.GetString(10), r.GetString(11), r.GetString(12), r.GetString(13), (int)Long(r, 14), Text(r, 15), Text(r, 16),
                Long(r, 17) != 0, Text(r, 18)),
            ("id", runId)).Single();
        return new RunDump(
            run,
            Rows("SELECT key, value_text, value_num, value_type FROM params WHERE run_id = @id ORDER BY key;",
                r => new ParamRow(r.GetString(0), r.GetString(1), r.IsDBNull(2) ? null : Double(r, 2), r.GetString(3)), ("id", runId)),
            Rows($"SELECT key, step, value, time FROM metrics WHERE run_id = @id ORDER BY {insertionOrder};",
                r => new MetricRow(r.GetString(0), Long(r, 1), r.IsDBNull(2) ? double.NaN : Double(r, 2), Long(r, 3)), ("id", runId)),
            Rows("SELECT key, step, value, min_value, max_value, count, time FROM latest_metrics WHERE run_id = @id ORDER BY key;",
                r => new LatestMetricRow(r.GetString(0), Long(r, 1), NaN(r, 2), NaN(r, 3), NaN(r, 4), Long(r, 5), Long(r, 6)), ("id", runId)),
            Rows("SELECT key, value FROM tags WHERE run_id = @id ORDER BY key;", r => new TagValue(r.GetString(0), r.GetString(1)), ("id", runId)),
            Rows("SELECT path, kind, sha256, bytes, created FROM artifacts WHERE run_id = @id ORDER BY path;",
                r => new ArtifactRow(r.GetString(0), r.GetString(1), r.GetString(2), Long(r, 3), Long(r, 4)), ("id", runId)));
    }

    public IReadOnlyList<SweepDump> Sweeps()
    {
        var sweeps = Rows(
            """
            SELECT run_id, pipeline_path, pipeline_text, overrides, method, objective, direction, budget, fail_fast, stale_after, state, message, created
            FROM sweeps ORDER BY created, run_id;
            """,
            r => (Definition: new SweepDefinition(r.GetString(0), r.GetString(1), r.GetString(2), JsonSerializer.Deserialize<List<string>>(r.GetString(3)) ?? [],
                    r.GetString(4), r.GetString(5), r.GetString(6) == "maximize", (int)Long(r, 7), Long(r, 8) != 0, TimeSpan.FromMilliseconds(Long(r, 9))),
                State: r.GetString(10), Message: Text(r, 11), Created: Long(r, 12)));
        return sweeps.Select(s => new SweepDump(s.Definition, s.State, s.Message, s.Created, Rows(
            "SELECT number, params, state, worker, heartbeat, attempts, run_id, value, message FROM sweep_trials WHERE sweep_id = @id ORDER BY number;",
            r => new TrialRow((int)Long(r, 0), r.GetString(1), r.GetString(2), Text(r, 3), NullableLong(r, 4), (int)Long(r, 5), Text(r, 6),
                r.IsDBNull(7) ? null : Double(r, 7), Text(r, 8)),
            ("id", s.Definition.Id)))).ToList();
    }

    public virtual void Dispose() => Connection.Dispose();

    protected List<T> Rows<T>(string sql, Func<DbDataReader, T> read, params (string Name, object? Value)[] parameters)
    {
        using var command = Connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value ?? DBNull.Value;
            command.Parameters.Add(parameter);
        }

        using var reader = command.ExecuteReader();
        var rows = new List<T>();
        while (reader.Read())
        {
            rows.Add(read(reader));
        }

        return rows;
    }

    private static long Long(DbDataReader r, int i) => Convert.ToInt64(r.GetValue(i), CultureInfo.InvariantCulture);

    private static long? NullableLong(DbDataReader r, int i) => r.IsDBNull(i) ? null : Long(r, i);

    private static double Double(DbDataReader r, int i) => Convert.ToDouble(r.GetValue(i), CultureInfo.InvariantCulture);

    private static double NaN(DbDataReader r, int i) => r.IsDBNull(i) ? double.NaN : Double(r, i);

    private static string? Text(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);
}
