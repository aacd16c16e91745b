using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;
using SQLitePCL;

namespace Clearwing.Storage;

/// <summary>
/// Each engine's fast path for loading many rows inside one transaction: a prepared, reused insert
/// through SQLite's C API; binary COPY on PostgreSQL. Values are string, long, double or null, matching the
/// column types TEXT, BIGINT and DOUBLE PRECISION.
/// </summary>
public abstract class BulkInsert : IAsyncDisposable
{
    public static async Task<BulkInsert> StartAsync(DbConnection connection, DbTransaction tx, string table, string[] columns, CancellationToken ct)
    {
        if (connection is NpgsqlConnection pg)
        {
            var copy = await pg.BeginBinaryImportAsync($"COPY {table} ({string.Join(", ", columns)}) FROM STDIN (FORMAT BINARY)", ct);
            return new PostgresCopy(copy);
        }
        var sql = $"INSERT INTO {table} ({string.Join(", ", columns)}) VALUES ({string.Join(", ", columns.Select(_ => "?"))})";
        var handle = ((SqliteConnection)connection).Handle!;
        Check(handle, raw.sqlite3_prepare_v2(handle, sql, out var statement));
        return new SqlitePrepared(handle, statement);
    }

    static void Check(sqlite3 handle, int rc)
    {
        if (rc is not (raw.SQLITE_OK or raw.SQLITE_DONE))
            throw new InvalidOperationException($"SQLite error {rc}: {raw.sqlite3_errmsg(handle).utf8_to_string()}");
    }

    public abstract ValueTask AddAsync(object?[] row, CancellationToken ct);

    /// <summary>Finishes the load; rows are visible to the transaction only after this.</summary>
    public abstract ValueTask CompleteAsync(CancellationToken ct);

    public abstract ValueTask DisposeAsync();

    /// <summary>
    /// Binds and steps one prepared statement directly through SQLite's C API: the ADO.NET command path
    /// costs several times more per row, which a million-row import feels. It runs inside the
    /// connection's open transaction.
    /// </summary>
    sealed class SqlitePrepared(sqlite3 handle, sqlite3_stmt statement) : BulkInsert
    {
        public override ValueTask AddAsync(object?[] row, CancellationToken ct)
        {
            for (var i = 0; i < row.Length; i++)
            {
                var rc = row[i] switch
                {
                    null => raw.sqlite3_bind_null(statement, i + 1),
                    string s => raw.sqlite3_bind_text(statement, i + 1, s),
                    long l => raw.sqlite3_bind_int64(statement, i + 1, l),
                    double d => raw.sqlite3_bind_double(statement, i + 1, d),
                    var other => throw new ArgumentException($"Unsupported bulk value type {other.GetType()}"),
                };
                Check(handle, rc);
            }
            Check(handle, raw.sqlite3_step(statement));
            Check(handle, raw.sqlite3_reset(statement));
            return ValueTask.CompletedTask;
        }

        public override ValueTask CompleteAsync(CancellationToken ct) => ValueTask.CompletedTask;

        public override ValueTask DisposeAsync()
        {
            statement.Dispose();
            return ValueTask.CompletedTask;
        }
    }

    sealed class PostgresCopy(NpgsqlBinaryImporter copy) : BulkInsert
    {
        public override async ValueTask AddAsync(object?[] row, CancellationToken ct)
        {
            await copy.StartRowAsync(ct);
            foreach (var value in row)
            {
                switch (value)
                {
                    case null: await copy.WriteNullAsync(ct); break;
                    case string s: await copy.WriteAsync(s, NpgsqlTypes.NpgsqlDbType.Text, ct); break;
                    case long l: await copy.WriteAsync(l, NpgsqlTypes.NpgsqlDbType.Bigint, ct); break;
                    case double d: await copy.WriteAsync(d, NpgsqlTypes.NpgsqlDbType.Double, ct); break;
                    default: throw new ArgumentException($"Unsupported bulk value type {value.GetType()}");
                }
            }
        }

        public override async ValueTask CompleteAsync(CancellationToken ct) => await copy.CompleteAsync(ct);

        public override ValueTask DisposeAsync() => copy.DisposeAsync();
    }
}
