using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Clearwing.Storage;

/// <summary>
/// Many rows into one table inside the connection's open transaction, each engine's fastest way: binary COPY on
/// PostgreSQL (<see cref="BulkInsert"/>), many rows to a prepared statement on SQLite (<see cref="BatchedInsert"/>).
/// Values are string, long, double or null (TEXT, BIGINT/INTEGER, DOUBLE PRECISION/REAL), one per column. The rows are
/// stored once <see cref="CompleteAsync"/> returns; a row that breaks a constraint fails the load on both engines. While
/// a writer is open on PostgreSQL the connection runs nothing else (COPY holds it).
/// </summary>
internal sealed class BulkWriter : IAsyncDisposable
{
    readonly BatchedInsert? _batched;
    readonly BulkInsert? _copy;

    BulkWriter(BatchedInsert? batched, BulkInsert? copy) => (_batched, _copy) = (batched, copy);

    /// <summary>Starts loading <paramref name="table"/>'s <paramref name="columns"/> on <paramref name="connection"/>.</summary>
    public static async Task<BulkWriter> OpenAsync(DbConnection connection, string table, string[] columns, CancellationToken ct) =>
        connection is SqliteConnection
            ? new BulkWriter(new BatchedInsert(connection, table, columns), null)
            : new BulkWriter(null, await BulkInsert.StartAsync(connection, table, columns, ct));

    /// <summary>Adds a row; its values are copied (or sent), so the caller may reuse the array.</summary>
    public ValueTask AddAsync(object?[] row, CancellationToken ct)
    {
        if (_copy is not null) return _copy.AddAsync(row, ct);
        _batched!.Add(row);
        return ValueTask.CompletedTask;
    }

    /// <summary>Stores the rows still waiting; on PostgreSQL, ends the COPY.</summary>
    public ValueTask CompleteAsync(CancellationToken ct)
    {
        if (_copy is not null) return _copy.CompleteAsync(ct);
        _batched!.Complete();
        return ValueTask.CompletedTask;
    }

    /// <summary>Without <see cref="CompleteAsync"/>: on PostgreSQL the COPY is cancelled; on SQLite rows still waiting are dropped.</summary>
    public ValueTask DisposeAsync()
    {
        _batched?.Dispose();
        return _copy?.DisposeAsync() ?? ValueTask.CompletedTask;
    }
}
