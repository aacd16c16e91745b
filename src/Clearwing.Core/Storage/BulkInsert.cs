using System.Data.Common;
using Npgsql;

namespace Clearwing.Storage;

/// <summary>
/// Each engine's fast path for loading many rows inside one transaction: a <see cref="PreparedStatement"/>
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
        return new SqlitePrepared(PreparedStatement.Prepare(connection, sql));
    }

    public abstract ValueTask AddAsync(object?[] row, CancellationToken ct);

    /// <summary>Finishes the load; rows are visible to the transaction only after this.</summary>
    public abstract ValueTask CompleteAsync(CancellationToken ct);

    public abstract ValueTask DisposeAsync();

    sealed class SqlitePrepared(PreparedStatement statement) : BulkInsert
    {
        public override ValueTask AddAsync(object?[] row, CancellationToken ct)
        {
            statement.Run(row);
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
