using System.Data.Common;
using System.Text;
using Dapper;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Clearwing.Storage;

/// <summary>
/// Reads a million rows of numbers and short texts without a string per value: an import loads its project's fingerprints
/// and tracks so, and parses what it needs (hashes as numbers) from the text's UTF-8 bytes. On SQLite the rows come through
/// SQLite's C API inside the connection's open transaction (a string per value cost a third of the load); other engines read
/// through ADO.NET, the text encoded into one reused buffer.
/// </summary>
internal abstract class RowReader : IDisposable
{
    /// <summary>Runs <paramref name="sql"/> with its one parameter <c>@projectId</c> inside <paramref name="tx"/>.</summary>
    public static RowReader Open(DbConnection connection, DbTransaction tx, string sql, long projectId) =>
        connection is SqliteConnection sqlite
            ? new SqliteRows(sqlite, sql, projectId)
            : new AdoRows((DbDataReader)connection.ExecuteReader(sql, new { projectId }, tx));

    /// <summary>Moves to the next row; false past the last.</summary>
    public abstract bool Read();

    /// <summary>Column <paramref name="i"/> (from 0) of the current row as a number.</summary>
    public abstract long Int64(int i);

    /// <summary>Column <paramref name="i"/> of the current row as UTF-8 text, valid until the next call.</summary>
    public abstract ReadOnlySpan<byte> Utf8(int i);

    public abstract void Dispose();

    sealed class SqliteRows : RowReader
    {
        readonly sqlite3 _db;
        readonly sqlite3_stmt _statement;

        public SqliteRows(SqliteConnection connection, string sql, long projectId)
        {
            _db = connection.Handle!;
            PreparedStatement.Check(_db, raw.sqlite3_prepare_v2(_db, sql, out _statement));
            PreparedStatement.Check(_db, raw.sqlite3_bind_int64(_statement, raw.sqlite3_bind_parameter_index(_statement, "@projectId"), projectId));
        }

        public override bool Read()
        {
            var rc = raw.sqlite3_step(_statement);
            if (rc == raw.SQLITE_ROW) return true;
            PreparedStatement.Check(_db, rc);
            return false;
        }

        public override long Int64(int i) => raw.sqlite3_column_int64(_statement, i);

        public override ReadOnlySpan<byte> Utf8(int i) => raw.sqlite3_column_blob(_statement, i);

        public override void Dispose() => _statement.Dispose();
    }

    sealed class AdoRows(DbDataReader reader) : RowReader
    {
        byte[] _buffer = new byte[256];

        public override bool Read() => reader.Read();

        public override long Int64(int i) => reader.GetInt64(i);

        public override ReadOnlySpan<byte> Utf8(int i)
        {
            var text = reader.GetString(i);
            var most = Encoding.UTF8.GetMaxByteCount(text.Length);
            if (most > _buffer.Length) _buffer = new byte[most];
            return _buffer.AsSpan(0, Encoding.UTF8.GetBytes(text, _buffer));
        }

        public override void Dispose() => reader.Dispose();
    }
}
