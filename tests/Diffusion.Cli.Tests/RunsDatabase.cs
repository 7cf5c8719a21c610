using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Diffusion.Cli.Tests;

/// <summary>
/// A tracking database for the runs commands, filled by SQL instead of by training (which takes seconds a run):
/// the CLI creates the schema from an empty file, then runs are written as the recorder writes them.
/// </summary>
internal sealed class RunsDatabase : IDisposable
{
    private int _runs;

    public RunsDatabase()
    {
        Directory.CreateDirectory(System.IO.Path.Combine(Work.Path, "runs"));
        File.WriteAllBytes(Path, []);
        var migrate = Cli.Run(Work.Path, "runs", "list");
        Assert.True(migrate.ExitCode == 0, migrate.Stderr);
        Execute("INSERT INTO experiments (id, name, created) VALUES (1, 'exp', 0);");
    }

    public WorkDir Work { get; } = new();

    public string Path => System.IO.Path.Combine(Work.Path, "runs", "tracking.db");

    /// <summary>Adds a COMPLETED run started a minute after the previous one; returns its id.</summary>
    public string Add(string name, (string Key, object Value)[] parameters, (string Key, double[] Values)[] metrics,
        (string Key, string Value)[]? tags = null, string? parent = null, string status = "COMPLETED")
    {
        var id = $"{++_runs:x2}{Guid.NewGuid():N}"[..10];
        long start = 1_700_000_000_000 + (_runs * 60_000L);
        Execute(
            """
            INSERT INTO runs (id, experiment_id, name, status, start_time, end_time, heartbeat, seed, pipeline_path, pipeline_text,
                              pipeline_hash, code_version, host, pid, parent_run_id)
            VALUES (@id, 1, @name, @status, @start, @end, @end, 1, 'p.yaml', '', 'abc', 'test', 'host', 1, @parent);
            """,
            ("@id", id), ("@name", name), ("@status", status), ("@start", start), ("@end", start + 30_000), ("@parent", parent));
        foreach (var (key, value) in parameters)
        {
            var (text, number, type) = value switch
            {
                int i => (i.ToString(CultureInfo.InvariantCulture), (double?)i, "int"),
                double d => (d.ToString("R", CultureInfo.InvariantCulture), d, "float"),
                _ => ((string)value, null, "string"),
            };
            Execute("INSERT INTO params VALUES (@id, @key, @text, @num, @type);", ("@id", id), ("@key", key), ("@text", text), ("@num", number), ("@type", type));
        }
        foreach (var (key, values) in metrics)
        {
            for (int step = 0; step < values.Length; step++)
                Execute("INSERT INTO metrics VALUES (@id, @key, @step, @value, 0);", ("@id", id), ("@key", key), ("@step", step), ("@value", values[step]));
            Execute("INSERT INTO latest_metrics VALUES (@id, @key, @step, @value, @min, @max, @count, 0);",
                ("@id", id), ("@key", key), ("@step", values.Length - 1), ("@value", values[^1]), ("@min", values.Min()), ("@max", values.Max()), ("@count", values.Length));
        }
        foreach (var (key, value) in tags ?? [])
            Execute("INSERT INTO tags VALUES (@id, @key, @value);", ("@id", id), ("@key", key), ("@value", value));
        return id;
    }

    public object? Scalar(string sql)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    public void Execute(string sql, params (string Name, object? Value)[] parameters)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        command.ExecuteNonQuery();
    }

    public Cli.Result Run(params string[] args) => Cli.Run(Work.Path, args);

    public void Dispose() => Work.Dispose();

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }
}
