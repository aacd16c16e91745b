using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Clearwing.Storage;

/// <summary>
/// Each engine's fast path for loading many rows inside one transaction: a prepared, reused insert
/// on SQLite; binary COPY on PostgreSQL. Values are string, long, double or null, matching the
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
        var command = (SqliteCommand)connection.CreateCommand();
        command.Transaction = (SqliteTransaction)tx;
        command.CommandText = $"INSERT INTO {table} ({string.Join(", ", columns)}) VALUES ({string.Join(", ", columns.Select((_, i) => "$p" + i))})";
        var parameters = columns.Select((_, i) => command.Parameters.Add(new SqliteParameter("$p" + i, null))).ToArray();
        command.Prepare();
        return new SqlitePrepared(command, parameters);
    }

    public abstract ValueTask AddAsync(object?[] row, CancellationToken ct);

    /// <summary>Finishes the load; rows are visible to the transaction only after this.</summary>
    public abstract ValueTask CompleteAsync(CancellationToken ct);

    public abstract ValueTask DisposeAsync();

    sealed class SqlitePrepared(SqliteCommand command, SqliteParameter[] parameters) : BulkInsert
    {
        public override ValueTask AddAsync(object?[] row, CancellationToken ct)
        {
            for (var i = 0; i < parameters.Length; i++) parameters[i].Value = row[i] ?? DBNull.Value;
            // Synchronous on purpose: SQLite has no async I/O and the async wrapper costs per row.
            command.ExecuteNonQuery();
            return ValueTask.CompletedTask;
        }

        public override ValueTask CompleteAsync(CancellationToken ct) => ValueTask.CompletedTask;

        public override ValueTask DisposeAsync() => command.DisposeAsync();
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
