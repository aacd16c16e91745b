using System.Data.Common;
using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Clearwing.IntegrationTests.Cli;
using Clearwing.Storage;
using Dapper;

namespace Clearwing.IntegrationTests.Storage;

/// <summary>
/// A database the previous release wrote (Storage/Fixtures: the demo program, OSV advisories and signed audit heads, made by the
/// product itself with make-previous-release.sh) migrates to this program's schema without loss, on both engines: every table keeps
/// its rows, each one as it was in the columns it had, and the audit chain still reaches the head published before the upgrade.
/// </summary>
public sealed class UpgradeTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    internal static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Storage", "Fixtures", name);

    /// <summary>
    /// Tables a migration rewrites on purpose, with the reason: their rows are compared by count only. Empty while no migration since
    /// the fixture's release changes data it kept.
    /// </summary>
    static readonly Dictionary<string, string> Rewritten = [];

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_database_of_the_previous_release_migrates_to_this_one_with_every_row_kept_and_its_audit_chain_intact(Engine engine)
    {
        var spec = await RestoreFixtureAsync(engine);
        await using var db = Database.Open(spec);
        var before = await ContentsAsync(db, null);
        Assert.True(before["cases"].Rows > 300 && before["findings"].Rows > 2000 && before["events"].Rows > 1000
            && before["advisory_versions"].Rows > 10 && before["osv_advisories"].Rows > 10, "the fixture holds a program");

        var applied = await Migrator.MigrateAsync(db, TimeProvider.System, Ct);

        var after = await ContentsAsync(db, before);
        foreach (var (table, was) in before)
        {
            Assert.True(after.ContainsKey(table), $"the migrations ({string.Join(", ", applied)}) dropped the table {table}");
            var now = after[table];
            Assert.True(was.Rows == now.Rows, $"{table}: {was.Rows} rows before the migrations ({string.Join(", ", applied)}), {now.Rows} after");
            if (!Rewritten.ContainsKey(table))
                Assert.True(was.Digest == now.Digest, $"{table}: rows changed by the migrations ({string.Join(", ", applied)})");
        }
        var head = (await File.ReadAllTextAsync(Fixture($"previous-release.{Name(engine)}.head"), Ct)).Trim();
        var key = Path.Combine(TestDatabases.Folder, $"{Guid.NewGuid():N}.key");
        File.Copy(Fixture("previous-release.key"), key);
        var (exit, output, err) = await CliTests.Run("audit", "verify", "--head", head, "--key-file", key, "--json", "--db", spec);
        Assert.True(exit == 0, output + err);
        var verified = JsonDocument.Parse(output).RootElement;
        Assert.True(verified.GetProperty("signaturesChecked").GetBoolean());
        Assert.Equal(before["events"].Rows, verified.GetProperty("count").GetInt64());
        Assert.Equal(head, $"{verified.GetProperty("published").GetProperty("seq").GetInt64()}:{verified.GetProperty("published").GetProperty("hash")}");
    }

    static string Name(Engine engine) => engine == Engine.Sqlite ? "sqlite" : "postgres";

    /// <summary>The fixture as a new database: the SQLite file unpacked, or the dump restored with pg_restore.</summary>
    internal static async Task<string> RestoreFixtureAsync(Engine engine)
    {
        var spec = await TestDatabases.CreateSpecAsync(engine);
        if (engine == Engine.Postgres)
        {
            await BackupVerbTests.PgAsync("pg_restore", "--no-owner", "--exit-on-error", "--single-transaction",
                $"--dbname={BackupVerbTests.Conninfo(spec)}", Fixture("previous-release.pgdump"));
            return spec;
        }
        await using var packed = File.OpenRead(Fixture("previous-release.db.gz"));
        await using var gzip = new GZipStream(packed, CompressionMode.Decompress);
        await using var file = PrivateFiles.Create(spec);
        await gzip.CopyToAsync(file, Ct);
        return spec;
    }

    sealed record Table(IReadOnlyList<string> Columns, long Rows, string Digest);

    /// <summary>
    /// Every table but schema_migrations: its row count and a digest of its rows, in the columns it had in <paramref name="before"/>
    /// (all of them the first time) — new columns a migration adds are not loss. Rows are compared as a sorted set, so a migration
    /// that rebuilds a table in another physical order still matches.
    /// </summary>
    static async Task<Dictionary<string, Table>> ContentsAsync(Database db, Dictionary<string, Table>? before)
    {
        await using var connection = await db.OpenAsync(Ct);
        var tables = await TablesAsync(connection, db.Engine);
        var contents = new Dictionary<string, Table>(StringComparer.Ordinal);
        foreach (var table in tables.Where(t => t != "schema_migrations"))
        {
            var columns = before?.GetValueOrDefault(table)?.Columns ?? await ColumnsAsync(connection, db.Engine, table);
            await using var select = connection.CreateCommand();
            select.CommandText = $"SELECT {string.Join(", ", columns.Select(c => $"\"{c}\""))} FROM \"{table}\"";
            var rows = new List<string>();
            await using (var reader = await select.ExecuteReaderAsync(Ct))
                while (await reader.ReadAsync(Ct)) rows.Add(Row(reader));
            rows.Sort(StringComparer.Ordinal);
            var digest = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', rows))));
            contents[table] = new Table(columns, rows.Count, digest);
        }
        return contents;
    }

    /// <summary>The database's tables, SQLite's own left out.</summary>
    internal static async Task<IReadOnlyList<string>> TablesAsync(DbConnection connection, Engine engine) =>
        [.. await connection.QueryAsync<string>(engine == Engine.Sqlite
            ? "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            : "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'")];

    internal static async Task<IReadOnlyList<string>> ColumnsAsync(DbConnection connection, Engine engine, string table) =>
        [.. await connection.QueryAsync<string>(engine == Engine.Sqlite
            ? "SELECT name FROM pragma_table_info(@table)"
            : "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = @table", new { table })];

    static string Row(DbDataReader reader) => string.Join('\u001f', Values(reader));

    /// <summary>The reader's current row, each value as invariant text (bytes in hex, NULL as ␀).</summary>
    internal static IEnumerable<string> Values(DbDataReader reader) =>
        Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? "\u2400" : reader.GetValue(i) switch
        {
            byte[] bytes => Convert.ToHexString(bytes),
            IFormattable value => value.ToString(null, CultureInfo.InvariantCulture),
            var value => value.ToString() ?? "",
        });
}
