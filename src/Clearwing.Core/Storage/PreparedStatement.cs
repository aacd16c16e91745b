using System.Data.Common;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Clearwing.Storage;

/// <summary>
/// One SQLite statement prepared once and run many times through SQLite's C API, inside the
/// connection's open transaction. The ADO.NET command path costs several times more per row, which a
/// million-row import feels. Values are string, long, double or null.
/// </summary>
public sealed class PreparedStatement : IDisposable
{
    readonly sqlite3 _db;
    readonly sqlite3_stmt _statement;
    // Text is encoded here and bound as a copy (SQLITE_TRANSIENT), so one buffer serves every value: no array per value.
    byte[] _utf8 = new byte[256];

    PreparedStatement(sqlite3 db, sqlite3_stmt statement)
    {
        _db = db;
        _statement = statement;
    }

    /// <summary>Prepares <paramref name="sql"/> (with <c>?</c> placeholders) on a SQLite connection.</summary>
    public static PreparedStatement Prepare(DbConnection connection, string sql)
    {
        var db = (connection as SqliteConnection)?.Handle
            ?? throw new NotSupportedException("Prepared statements through the C API are a SQLite fast path.");
        Check(db, raw.sqlite3_prepare_v2(db, sql, out var statement));
        return new PreparedStatement(db, statement);
    }

    /// <summary>Binds the values in order, runs the statement to completion and resets it.</summary>
    public void Run(object?[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            var rc = values[i] switch
            {
                null => raw.sqlite3_bind_null(_statement, i + 1),
                string s => BindText(i + 1, s),
                long l => raw.sqlite3_bind_int64(_statement, i + 1, l),
                double d => raw.sqlite3_bind_double(_statement, i + 1, d),
                var other => throw new ArgumentException($"Unsupported value type {other.GetType()}"),
            };
            Check(_db, rc);
        }
        Check(_db, raw.sqlite3_step(_statement));
        Check(_db, raw.sqlite3_reset(_statement));
    }

    int BindText(int index, string text)
    {
        var most = System.Text.Encoding.UTF8.GetMaxByteCount(text.Length);
        if (most > _utf8.Length) _utf8 = new byte[Math.Max(most, _utf8.Length * 2)];
        var length = System.Text.Encoding.UTF8.GetBytes(text, _utf8);
        return raw.sqlite3_bind_text(_statement, index, _utf8.AsSpan(0, length));
    }

    /// <summary>Rows the last statement on this connection inserted, updated or deleted.</summary>
    public int Changes => raw.sqlite3_changes(_db);

    /// <summary>The rowid the last insert on this connection made.</summary>
    public long LastInsertRowId => raw.sqlite3_last_insert_rowid(_db);

    static void Check(sqlite3 db, int rc)
    {
        if (rc is not (raw.SQLITE_OK or raw.SQLITE_DONE))
            throw new InvalidOperationException($"SQLite error {rc}: {raw.sqlite3_errmsg(db).utf8_to_string()}");
    }

    public void Dispose() => _statement.Dispose();
}

/// <summary>
/// Many rows into one SQLite table inside the open transaction, <see cref="RowsPerStatement"/> rows to a statement:
/// each run of an INSERT opens and closes its table and index cursors, and sharing that among many rows makes a
/// bulk load markedly cheaper than one statement per row. Call <see cref="Complete"/> to store the last rows.
/// </summary>
/// <remarks>
/// A statement that writes several rows and may abort half-way makes SQLite keep a statement journal: a copy of
/// every page the statement touches, which costs more than the rows themselves (and spills to a file past 64 KiB).
/// So the statement is <c>INSERT OR IGNORE</c>, which cannot abort, and every run checks that it stored all its
/// rows: a row that breaks a constraint still fails the load, and the caller's transaction rolls back.
/// </remarks>
public sealed class BatchedInsert : IDisposable
{
    public const int RowsPerStatement = 64;
    readonly DbConnection _connection;
    readonly string _head, _table;
    readonly int _columns;
    readonly PreparedStatement _many;
    PreparedStatement? _one;
    readonly object?[] _values;
    int _rows;

    public BatchedInsert(DbConnection connection, string table, string[] columns)
    {
        _connection = connection;
        _columns = columns.Length;
        _table = table;
        _head = $"INSERT OR IGNORE INTO {table} ({string.Join(", ", columns)}) VALUES ";
        _many = PreparedStatement.Prepare(connection, _head + string.Join(", ", Enumerable.Repeat(Placeholders(_columns), RowsPerStatement)));
        _values = new object?[_columns * RowsPerStatement];
    }

    static string Placeholders(int columns) => $"({string.Join(", ", Enumerable.Repeat("?", columns))})";

    /// <summary>Adds a row; its values are copied, so the caller may reuse the array.</summary>
    public void Add(object?[] row)
    {
        Array.Copy(row, 0, _values, _rows * _columns, _columns);
        if (++_rows < RowsPerStatement) return;
        _rows = 0;
        _many.Run(_values);
        Stored(RowsPerStatement);
    }

    /// <summary>Stores the rows still waiting.</summary>
    public void Complete()
    {
        var rows = _rows;
        _rows = 0;
        if (rows == 0) return;
        _one ??= PreparedStatement.Prepare(_connection, _head + Placeholders(_columns));
        var row = new object?[_columns];
        for (var r = 0; r < rows; r++)
        {
            Array.Copy(_values, r * _columns, row, 0, _columns);
            _one.Run(row);
            Stored(1);
        }
    }

    void Stored(int rows)
    {
        if (_many.Changes != rows)
            throw new InvalidOperationException($"{rows - _many.Changes} of {rows} rows were not stored in {_table}: a row breaks a constraint of the table (a duplicate key or a missing value).");
    }

    public void Dispose()
    {
        _many.Dispose();
        _one?.Dispose();
    }
}
