using System.Data.Common;
using Npgsql;

namespace Clearwing.Storage;

/// <summary>
/// PostgreSQL's fast path for loading many rows inside the open transaction: binary COPY. Values are
/// string, long, double or null, matching the column types TEXT, BIGINT and DOUBLE PRECISION. Outside Storage, load
/// through <see cref="BulkWriter"/>, which picks this or SQLite's <see cref="BatchedInsert"/>.
/// </summary>
internal sealed class BulkInsert : IAsyncDisposable
{
    readonly NpgsqlBinaryImporter _copy;
    readonly int _columns;

    BulkInsert(NpgsqlBinaryImporter copy, int columns) => (_copy, _columns) = (copy, columns);

    public static async Task<BulkInsert> StartAsync(DbConnection connection, string table, string[] columns, CancellationToken ct)
    {
        var pg = connection as NpgsqlConnection
            ?? throw new NotSupportedException("Binary COPY is PostgreSQL's fast path; on SQLite use PreparedStatement.");
        var copy = await pg.BeginBinaryImportAsync($"COPY {table} ({string.Join(", ", columns)}) FROM STDIN (FORMAT BINARY)", ct);
        return new BulkInsert(copy, columns.Length);
    }

    public async ValueTask AddAsync(object?[] row, CancellationToken ct)
    {
        if (row.Length != _columns) throw new ArgumentException($"The COPY takes {_columns} values a row; {row.Length} were given.", nameof(row));
        await _copy.StartRowAsync(ct);
        foreach (var value in row)
        {
            switch (value)
            {
                case null: await _copy.WriteNullAsync(ct); break;
                case string s: await _copy.WriteAsync(s, NpgsqlTypes.NpgsqlDbType.Text, ct); break;
                case long l: await _copy.WriteAsync(l, NpgsqlTypes.NpgsqlDbType.Bigint, ct); break;
                case double d: await _copy.WriteAsync(d, NpgsqlTypes.NpgsqlDbType.Double, ct); break;
                default: throw new ArgumentException($"Unsupported bulk value type {value.GetType()}");
            }
        }
    }

    /// <summary>Finishes the load; rows are visible to the transaction only after this.</summary>
    public async ValueTask CompleteAsync(CancellationToken ct) => await _copy.CompleteAsync(ct);

    public ValueTask DisposeAsync() => _copy.DisposeAsync();
}
