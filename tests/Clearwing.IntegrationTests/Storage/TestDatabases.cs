using Clearwing.Storage;
using Npgsql;

namespace Clearwing.IntegrationTests.Storage;

/// <summary>
/// Fresh, migrated databases for tests, one per call: a temporary SQLite file, or a new database on the
/// PostgreSQL server named by CLEARWING_TEST_POSTGRES (the test script starts one). Without that
/// variable PostgreSQL tests are skipped, except under CI, where they fail so they can never silently vanish.
/// </summary>
public static class TestDatabases
{
    public static readonly TheoryData<Engine> Engines = new() { Engine.Sqlite, Engine.Postgres };

    public static string? PostgresServer => Environment.GetEnvironmentVariable("CLEARWING_TEST_POSTGRES");

    public static async Task<Database> CreateAsync(Engine engine)
    {
        var spec = await CreateSpecAsync(engine);
        var db = Database.Open(spec);
        await Migrator.MigrateAsync(db, TimeProvider.System, TestContext.Current.CancellationToken);
        return db;
    }

    /// <summary>
    /// The --key-file for a server on <paramref name="spec"/>: the default (beside the file) on SQLite; on PostgreSQL one in the
    /// tests' folder, not the user's data folder.
    /// </summary>
    public static string? KeyFileFor(string spec) =>
        spec.Contains('=', StringComparison.Ordinal) ? Path.Combine(Folder, $"{new NpgsqlConnectionStringBuilder(spec).Database}.key") : null;

    /// <summary>
    /// The test process's own folder for databases and files, gone when the process ends: a run makes thousands of SQLite
    /// databases, and left behind they filled the disk run after run.
    /// </summary>
    internal static string Folder { get; } = CreateFolder();

    static string CreateFolder()
    {
        var folder = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "clearwing-tests", $"run-{Environment.ProcessId}")).FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            // Best effort: a failure here must not turn a passing run into a failed one.
            try { Directory.Delete(folder, recursive: true); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        };
        return folder;
    }

    /// <summary>The --db value for a new empty database of the engine (not migrated).</summary>
    public static async Task<string> CreateSpecAsync(Engine engine)
    {
        if (engine == Engine.Sqlite)
        {
            return Path.Combine(Folder, $"{Guid.NewGuid():N}.db");
        }
        var server = PostgresServer;
        if (string.IsNullOrEmpty(server))
        {
            if (Environment.GetEnvironmentVariable("CI") == "true")
                Assert.Fail("CLEARWING_TEST_POSTGRES is not set under CI: the PostgreSQL half of the storage suite cannot run.");
            Assert.Skip("PostgreSQL tests need CLEARWING_TEST_POSTGRES (a connection string); run ./test.sh to start one.");
        }
        var name = "t_" + Guid.NewGuid().ToString("N");
        await using (var admin = new NpgsqlConnection(server))
        {
            await admin.OpenAsync(TestContext.Current.CancellationToken);
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", admin);
            await create.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }
        return new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
    }
}
