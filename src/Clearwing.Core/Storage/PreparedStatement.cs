using System.Data.Common;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Clearwing.Storage;

/// <summary>
/// One SQLite statement prepared once and run many times through SQLite's C API, inside the
/// connection's open transaction. The ADO.NET command path costs several times more per row, which a
/// million-row import feels. Values are string, long, double or null, one per <c>?</c> of the statement.
/// </summary>
/// <remarks>
/// When SQLitePCLRaw's provider is e_sqlite3 (the bundle this project pins), a run calls that library directly
/// (<see cref="Direct"/>); with any other provider it goes through SQLitePCLRaw's ordinary calls, which are correct
/// everywhere and only slower.
/// </remarks>
internal sealed unsafe class PreparedStatement : IDisposable
{
    /// <summary>The native library the direct calls are compiled against (SQLitePCLRaw's provider name for it).</summary>
    const string DirectLibrary = "e_sqlite3";

    readonly sqlite3 _db;
    readonly sqlite3_stmt _statement;
    readonly int _parameters;
    readonly IntPtr _handle, _mutex;
    // A run's text is encoded here, all of it before any is bound, and bound in place (SQLITE_STATIC): SQLite copies it
    // into the row as it stores it, so no value needs a copy of its own, managed or native.
    byte* _text;
    nuint _capacity;

    PreparedStatement(sqlite3 db, sqlite3_stmt statement, bool direct)
    {
        _db = db;
        _statement = statement;
        _parameters = raw.sqlite3_bind_parameter_count(statement);
        Direct = direct;
        if (!direct) return;
        _handle = statement.DangerousGetHandle();
        _mutex = MutexOf(db);
        _capacity = 4096;
        _text = (byte*)NativeMemory.Alloc(_capacity);
    }

    /// <summary>
    /// Prepares <paramref name="sql"/> (with <c>?</c> placeholders) on a SQLite connection. <paramref name="direct"/> false
    /// keeps to SQLitePCLRaw's ordinary calls even when e_sqlite3 is loaded (tests compare the two).
    /// </summary>
    public static PreparedStatement Prepare(DbConnection connection, string sql, bool direct = true)
    {
        var db = (connection as SqliteConnection)?.Handle
            ?? throw new NotSupportedException("Prepared statements through the C API are a SQLite fast path.");
        Check(db, raw.sqlite3_prepare_v2(db, sql, out var statement));
        return new PreparedStatement(db, statement, direct && CanCallDirectly);
    }

    /// <summary>
    /// Whether SQLitePCLRaw runs on e_sqlite3, the library <see cref="Sqlite"/> binds to. Another provider (SQLCipher, the
    /// system's sqlite3) is another library: its connection handles mean nothing to e_sqlite3, if that is loaded at all.
    /// Asked once a provider is set (a SQLite connection has been opened).
    /// </summary>
    public static bool CanCallDirectly => raw.GetNativeLibraryName() == DirectLibrary;

    /// <summary>True when runs call e_sqlite3 directly; false when they use SQLitePCLRaw's ordinary calls.</summary>
    public bool Direct { get; }

    /// <summary>Binds the values in order, runs the statement to completion and resets it.</summary>
    /// <exception cref="ArgumentException">Not one value per parameter of the statement (a bug in the caller).</exception>
    public void Run(object?[] values)
    {
        if (values.Length != _parameters)
            throw new ArgumentException($"The statement takes {_parameters} values; {values.Length} were given.", nameof(values));
        if (Direct) RunDirect(values);
        else RunOrdinary(values);
    }

    void RunOrdinary(object?[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            var rc = values[i] switch
            {
                null => raw.sqlite3_bind_null(_statement, i + 1),
                string s => raw.sqlite3_bind_text(_statement, i + 1, s),
                long l => raw.sqlite3_bind_int64(_statement, i + 1, l),
                double d => raw.sqlite3_bind_double(_statement, i + 1, d),
                var other => throw new ArgumentException($"Unsupported value type {other.GetType()}"),
            };
            Check(_db, rc);
        }
        Check(_db, raw.sqlite3_step(_statement));
        Check(_db, raw.sqlite3_reset(_statement));
    }

    // The direct calls stay in methods of their own, never inlined: compiling a method that names Sqlite may run its static
    // initializer (which loads e_sqlite3), and the ordinary path must not touch it.
    [MethodImpl(MethodImplOptions.NoInlining)]
    static IntPtr MutexOf(sqlite3 db) => Sqlite.DbMutex(db.DangerousGetHandle());

    [MethodImpl(MethodImplOptions.NoInlining)]
    void RunDirect(object?[] values)
    {
        nuint most = 0;
        foreach (var value in values)
            if (value is string s) most += (nuint)Encoding.UTF8.GetMaxByteCount(s.Length);
        if (most > _capacity)
        {
            _capacity = Math.Max(most, _capacity * 2);
            _text = (byte*)NativeMemory.Realloc(_text, _capacity);
        }
        // Every call below takes the connection's mutex again; held here first, each of those is a recursive re-entry by
        // its owner, which costs a fraction of taking it (a run binds up to a few thousand values).
        Sqlite.MutexEnter(_mutex);
        try
        {
            nuint used = 0;
            for (var i = 0; i < values.Length; i++)
            {
                var rc = values[i] switch
                {
                    null => Sqlite.BindNull(_handle, i + 1),
                    string s => BindText(i + 1, s, ref used),
                    long l => Sqlite.BindInt64(_handle, i + 1, l),
                    double d => Sqlite.BindDouble(_handle, i + 1, d),
                    var other => throw new ArgumentException($"Unsupported value type {other.GetType()}"),
                };
                Check(_db, rc);
            }
            Check(_db, Sqlite.Step(_handle));
            Check(_db, Sqlite.Reset(_handle));
        }
        finally
        {
            Sqlite.MutexLeave(_mutex);
        }
    }

    int BindText(int index, string text, ref nuint used)
    {
        var at = _text + used;
        var length = Encoding.UTF8.GetBytes(text, new Span<byte>(at, (int)(_capacity - used)));
        used += (nuint)length;
        return Sqlite.BindText(_handle, index, at, length, IntPtr.Zero);
    }

    /// <summary>Rows the last statement on this connection inserted, updated or deleted.</summary>
    public int Changes => raw.sqlite3_changes(_db);

    /// <summary>The rowid the last insert on this connection made.</summary>
    public long LastInsertRowId => raw.sqlite3_last_insert_rowid(_db);

    /// <summary>Throws SQLite's message for a result code other than OK or DONE.</summary>
    internal static void Check(sqlite3 db, int rc)
    {
        if (rc is not (raw.SQLITE_OK or raw.SQLITE_DONE))
            throw new InvalidOperationException($"SQLite error {rc}: {raw.sqlite3_errmsg(db).utf8_to_string()}");
    }

    public void Dispose()
    {
        _statement.Dispose();
        if (_text is not null) NativeMemory.Free(_text);
        _text = null;
    }

    /// <summary>
    /// The few calls a bulk load makes tens of millions of times, straight into the SQLite library SQLitePCLRaw loaded:
    /// no safe-handle reference counting or marshalling stub per call. Binding a value re-enters a mutex its thread holds
    /// and makes a few stores, so those calls skip the GC transition as well.
    /// </summary>
    static class Sqlite
    {
        static readonly IntPtr Library = NativeLibrary.Load("e_sqlite3", typeof(SQLite3Provider_e_sqlite3).Assembly, null);
        public static readonly delegate* unmanaged[Cdecl, SuppressGCTransition]<IntPtr, int, int> BindNull =
            (delegate* unmanaged[Cdecl, SuppressGCTransition]<IntPtr, int, int>)NativeLibrary.GetExport(Library, "sqlite3_bind_null");
        public static readonly delegate* unmanaged[Cdecl, SuppressGCTransition]<IntPtr, int, long, int> BindInt64 =
            (delegate* unmanaged[Cdecl, SuppressGCTransition]<IntPtr, int, long, int>)NativeLibrary.GetExport(Library, "sqlite3_bind_int64");
        public static readonly delegate* unmanaged[Cdecl, SuppressGCTransition]<IntPtr, int, double, int> BindDouble =
            (delegate* unmanaged[Cdecl, SuppressGCTransition]<IntPtr, int, double, int>)NativeLibrary.GetExport(Library, "sqlite3_bind_double");
        public static readonly delegate* unmanaged[Cdecl, SuppressGCTransition]<IntPtr, int, byte*, int, IntPtr, int> BindText =
            (delegate* unmanaged[Cdecl, SuppressGCTransition]<IntPtr, int, byte*, int, IntPtr, int>)
                NativeLibrary.GetExport(Library, "sqlite3_bind_text");
        public static readonly delegate* unmanaged[Cdecl, SuppressGCTransition]<IntPtr, IntPtr> DbMutex =
            (delegate* unmanaged[Cdecl, SuppressGCTransition]<IntPtr, IntPtr>)NativeLibrary.GetExport(Library, "sqlite3_db_mutex");
        // Entering may wait (another thread may hold the connection, such as the GC's finalizing a forgotten statement).
        public static readonly delegate* unmanaged[Cdecl]<IntPtr, void> MutexEnter =
            (delegate* unmanaged[Cdecl]<IntPtr, void>)NativeLibrary.GetExport(Library, "sqlite3_mutex_enter");
        public static readonly delegate* unmanaged[Cdecl, SuppressGCTransition]<IntPtr, void> MutexLeave =
            (delegate* unmanaged[Cdecl, SuppressGCTransition]<IntPtr, void>)NativeLibrary.GetExport(Library, "sqlite3_mutex_leave");
        public static readonly delegate* unmanaged[Cdecl]<IntPtr, int> Step =
            (delegate* unmanaged[Cdecl]<IntPtr, int>)NativeLibrary.GetExport(Library, "sqlite3_step");
        public static readonly delegate* unmanaged[Cdecl]<IntPtr, int> Reset =
            (delegate* unmanaged[Cdecl]<IntPtr, int>)NativeLibrary.GetExport(Library, "sqlite3_reset");
    }
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
internal sealed class BatchedInsert : IDisposable
{
    public const int RowsPerStatement = 64;
    readonly DbConnection _connection;
    readonly string _head, _table;
    readonly int _columns;
    readonly bool _direct;
    readonly PreparedStatement _many;
    PreparedStatement? _one;
    readonly object?[] _values;
    int _rows;

    /// <param name="direct">False keeps the statements to SQLitePCLRaw's ordinary calls (see <see cref="PreparedStatement.Prepare"/>).</param>
    public BatchedInsert(DbConnection connection, string table, string[] columns, bool direct = true)
    {
        _connection = connection;
        _columns = columns.Length;
        _table = table;
        _direct = direct;
        _head = $"INSERT OR IGNORE INTO {table} ({string.Join(", ", columns)}) VALUES ";
        _many = PreparedStatement.Prepare(connection, _head + string.Join(", ", Enumerable.Repeat(Placeholders(_columns), RowsPerStatement)), direct);
        _values = new object?[_columns * RowsPerStatement];
    }

    static string Placeholders(int columns) => $"({string.Join(", ", Enumerable.Repeat("?", columns))})";

    /// <summary>Adds a row; its values are copied, so the caller may reuse the array.</summary>
    public void Add(object?[] row)
    {
        if (row.Length != _columns) throw new ArgumentException($"{_table} takes {_columns} values a row; {row.Length} were given.", nameof(row));
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
        _one ??= PreparedStatement.Prepare(_connection, _head + Placeholders(_columns), _direct);
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
            throw new InvalidOperationException($"{rows - _many.Changes} of {rows} rows were not stored in {_table}: " +
                "a row breaks a constraint of the table (a duplicate key or a missing value).");
    }

    public void Dispose()
    {
        _many.Dispose();
        _one?.Dispose();
    }
}
