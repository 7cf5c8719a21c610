using Microsoft.Data.Sqlite;

namespace Diffusion.Tracking;

/// <summary>Writes a run's batches to SQLite: one BEGIN IMMEDIATE transaction per batch through prepared statements.</summary>
internal sealed class SqliteBatchSink : IBatchSink
{
    private readonly SqliteConnection _connection;
    private readonly WriterStatements _statements;

    /// <summary>Takes ownership of <paramref name="connection"/>.</summary>
    public SqliteBatchSink(SqliteConnection connection, string runId)
    {
        _connection = connection;
        _statements = new WriterStatements(connection, runId);
    }

    public void Write(IReadOnlyList<PendingWrite> batch, long? heartbeatMs) =>
        _connection.InWriteTransaction(() =>
        {
            if (heartbeatMs is { } now)
            {
                _statements.Heartbeat(now);
            }

            _statements.BeginBatch();
            foreach (var write in batch)
            {
                write.Apply(_statements);
            }

            _statements.EndBatch();
        });

    public bool IsTransient(Exception error) => error is SqliteException e && e.IsBusy();

    public void Dispose()
    {
        _statements.Dispose();
        _connection.Dispose();
    }
}
