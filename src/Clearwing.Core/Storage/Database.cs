using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Clearwing.Storage;

/// <summary>The database engines: SQLite embedded, PostgreSQL shared.</summary>
public enum Engine { Sqlite, Postgres }

/// <summary>
/// The one handle on Clearwing's store: opens connections on either engine, applies migrations,
/// and carries the <see cref="Dialect"/> for the few places the engines differ.
/// </summary>
public sealed class Database : IAsyncDisposable
{
    readonly DbDataSource? _postgres;
    readonly string? _sqlite;
    readonly string _pageCache;

    Database(Engine engine, string? sqlite, DbDataSource? postgres, string display, int pageCacheMiB)
    {
        _pageCache = $"PRAGMA cache_size=-{pageCacheMiB * 1024};";
        Engine = engine;
        SqliteFile = engine == Engine.Sqlite ? display : null;
        _sqlite = sqlite;
        _postgres = postgres;
        Display = display;
        Dialect = Dialect.For(engine);
    }

    public Engine Engine { get; }
    public Dialect Dialect { get; }
    /// <summary>The database as a person would name it: the file path, or host/database without the password.</summary>
    public string Display { get; }
    /// <summary>The SQLite database file's full path; null on PostgreSQL.</summary>
    public string? SqliteFile { get; }

    /// <summary>The default when neither <c>--db</c> nor <c>CLEARWING_DB</c> is given.</summary>
    public const string DefaultPath = "clearwing.db";

    /// <summary>
    /// SQLite's page cache per connection for everyday work, MiB (a bulk import takes 128 while it runs). A command works on one
    /// connection at a time; a server holds a pool of them, as many as requests came at once, each with a cache of its own over
    /// pages the kernel caches once for all: the soak measured the same latencies with 8 MiB as with 64, and a server's memory
    /// flat instead of growing as the caches filled (docs/performance.md).
    /// </summary>
    public const int CommandPageCacheMiB = 64, ServerPageCacheMiB = 8;

    /// <summary>
    /// A file path means SQLite; a connection string (<c>Host=…</c>) or a <c>postgres://</c> URL means PostgreSQL.
    /// </summary>
    public static Database Open(string? spec, int pageCacheMiB = CommandPageCacheMiB)
    {
        spec = string.IsNullOrWhiteSpace(spec) ? DefaultPath : spec.Trim();
        if (IsPostgres(spec))
        {
            var builder = new NpgsqlConnectionStringBuilder(ToKeyValue(spec));
            // Each connection prepares the statements it runs again and again: PostgreSQL plans a store's joins in a few
            // milliseconds, often longer than it runs them (a case page's twenty queries: 90 ms planned each time, 25 ms prepared).
            // A connection string that says otherwise wins (Max Auto Prepare=0 behind a pooler that cannot keep statements).
            if (!spec.Replace(" ", "", StringComparison.Ordinal).Contains("AutoPrepare", StringComparison.OrdinalIgnoreCase))
                builder.MaxAutoPrepare = 128;
            var source = new NpgsqlDataSourceBuilder(builder.ConnectionString).Build();
            return new Database(Engine.Postgres, null, source, $"postgres://{builder.Host}:{builder.Port}/{builder.Database}", pageCacheMiB);
        }
        _ = SqliteProcessSettings.Value;
        var full = Path.GetFullPath(spec);
        CreatePrivately(full);
        var cs = new SqliteConnectionStringBuilder
        {
            DataSource = full,
            Pooling = true,
            // Writers wait for each other rather than failing with SQLITE_BUSY (seconds).
            DefaultTimeout = 120,
        }.ToString();
        return new Database(Engine.Sqlite, cs, null, full, pageCacheMiB);
    }

    /// <summary>
    /// Process-wide SQLite settings, taken before the first connection opens (SQLite refuses them later, and then keeps its
    /// defaults, which are safe): without memory statistics SQLite's allocator takes no global lock. SQLite stays in
    /// serialized mode, with a mutex on every call into a connection, though an ADO.NET connection is never used by two
    /// threads at once: a command nobody disposed is finalized on the GC's thread, and without that mutex its
    /// sqlite3_finalize could run inside another thread's use of the connection.
    /// </summary>
    static readonly Lazy<bool> SqliteProcessSettings = new(() =>
    {
        SQLitePCL.Batteries_V2.Init();
        const int memoryStatistics = 9;
        return SQLitePCL.raw.sqlite3_config(memoryStatistics, 0) == SQLitePCL.raw.SQLITE_OK;
    });

    /// <summary>
    /// SQLite would create a new database file 0644 (readable by every user of the machine); created here first, it is 0600,
    /// and SQLite gives its -wal and -shm files the database file's mode. An existing file keeps the mode it has; a missing
    /// folder is left for SQLite to report.
    /// </summary>
    static void CreatePrivately(string file)
    {
        if (File.Exists(file) || !Directory.Exists(Path.GetDirectoryName(file))) return;
        try
        {
            PrivateFiles.Create(file).Dispose();
        }
        catch (IOException) when (File.Exists(file))
        {
            // Another process created it in between; SQLite opens that one.
        }
    }

    /// <summary>Whether a --db value names a PostgreSQL database (else it is a SQLite file's path).</summary>
    public static bool IsPostgres(string spec) =>
        spec.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase)
        || spec.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase)
        || (spec.Contains('=') && spec.Contains("host", StringComparison.OrdinalIgnoreCase));

    static string ToKeyValue(string spec)
    {
        if (!spec.Contains("://")) return spec;
        var uri = new Uri(spec);
        var b = new NpgsqlConnectionStringBuilder { Host = uri.Host, Database = uri.AbsolutePath.Trim('/') };
        if (uri.Port > 0) b.Port = uri.Port;
        var user = uri.UserInfo.Split(':', 2);
        if (user[0].Length > 0) b.Username = Uri.UnescapeDataString(user[0]);
        if (user.Length > 1) b.Password = Uri.UnescapeDataString(user[1]);
        return b.ConnectionString;
    }

    public async Task<DbConnection> OpenAsync(CancellationToken ct = default)
    {
        if (_postgres is not null)
        {
            try
            {
                return await _postgres.OpenConnectionAsync(ct);
            }
            catch (NpgsqlException e) when (!ct.IsCancellationRequested)
            {
                // Not a bug and not the request's fault: the database is down, unreachable or refusing connections.
                throw new UnavailableException($"The database {Display} cannot be reached: {e.Message}", e);
            }
        }
        var connection = new SqliteConnection(_sqlite);
        await connection.OpenAsync(ct);
        await using var pragma = connection.CreateCommand();
        // WAL lets readers run beside the one writer; NORMAL is durable at each WAL checkpoint.
        // 16 KiB pages (taken only when the file is created) make bulk inserts split pages less often.
        pragma.CommandText = "PRAGMA page_size=16384; PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; " +
            _pageCache + " PRAGMA temp_store=FILE;";
        await pragma.ExecuteNonQueryAsync(ct);
        return connection;
    }

    /// <summary>
    /// Readies a SQLite connection for one bulk import, or returns it to everyday settings: a 128 MiB page
    /// cache instead of the everyday one (the indexes a million-row import touches), and no per-row foreign-key checks (the
    /// importer only references the project row it has just looked up). 256 MiB was no faster and held 130 MiB more
    /// at the peak of a re-import of a million results (docs/performance.md). No-op on PostgreSQL. Must run outside a transaction.
    /// </summary>
    public async Task SetBulkModeAsync(DbConnection connection, bool bulk)
    {
        if (connection is not SqliteConnection) return;
        await using var pragma = connection.CreateCommand();
        pragma.CommandText = bulk
            ? "PRAGMA cache_size=-131072; PRAGMA temp.cache_size=-131072; PRAGMA foreign_keys=OFF;"
            : _pageCache + " PRAGMA temp.cache_size=-2000; PRAGMA foreign_keys=ON;";
        await pragma.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// After a bulk load into <paramref name="tables"/>: gives PostgreSQL's planner their new statistics at once, rather than
    /// when autovacuum next looks (a query joining freshly loaded tables without them can pick nested loops over sequential
    /// scans and take minutes). SQLite plans without statistics: nothing to do.
    /// </summary>
    public static async Task AnalyzeAsync(DbConnection connection, DbTransaction tx, params string[] tables)
    {
        if (connection is not NpgsqlConnection) return;
        await using var analyze = connection.CreateCommand();
        analyze.Transaction = tx;
        analyze.CommandText = $"ANALYZE {string.Join(", ", tables)}";
        await analyze.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// Begins a write transaction. On SQLite it takes the write lock at once (BEGIN IMMEDIATE), so two
    /// writers queue instead of deadlocking on lock upgrade.
    /// </summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1822",
        Justification = "Begins a transaction of this database: every store calls it on db")]
    public async Task<DbTransaction> BeginAsync(DbConnection connection, CancellationToken ct = default) =>
        connection is SqliteConnection sqlite
            ? sqlite.BeginTransaction(deferred: false)
            : await connection.BeginTransactionAsync(ct);

    public ValueTask DisposeAsync()
    {
        if (_sqlite is not null) SqliteConnection.ClearAllPools();
        return _postgres?.DisposeAsync() ?? ValueTask.CompletedTask;
    }
}
