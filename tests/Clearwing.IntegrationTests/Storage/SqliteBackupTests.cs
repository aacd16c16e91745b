using Clearwing.Access;
using Clearwing.IntegrationTests.Cli;
using Clearwing.IntegrationTests.Server;
using Clearwing.IntegrationTests.Support;
using Clearwing.Storage;
using Dapper;

namespace Clearwing.IntegrationTests.Storage;

/// <summary>
/// SQLite backups through the online backup API: taken while a server goes on writing, each is one consistent database — it passes
/// SQLite's integrity check, its audit chain verifies, and every import in it is whole — and it is its owner's alone.
/// </summary>
public sealed class SqliteBackupTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;
    const int ResultsPerImport = 300;

    [Fact]
    public async Task Backups_taken_while_a_server_writes_are_each_a_whole_consistent_database()
    {
        await using var server = await TestServer.StartAsync(Engine.Sqlite);
        var log = Some.SarifLog(Some.Results(ResultsPerImport));
        var imported = 0;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        // Imports through the running server, one after another, each one transaction with its audit event.
        var writer = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var (exit, _, err) = await CliTests.RunAs(server.AdminToken,
                    "import", log, "--project", $"p{imported}", "--revision", "r1", "--server", server.BaseAddress.ToString());
                Assert.True(exit == 0, err);
                Interlocked.Increment(ref imported);
            }
        }, Ct);
        while (Volatile.Read(ref imported) < 2) await Task.Delay(20, Ct);

        // `clearwing backup`, one after another, until the server has committed three more imports meanwhile.
        var first = Volatile.Read(ref imported);
        var taken = 0;
        while (taken < 3 || Volatile.Read(ref imported) < first + 3)
        {
            var file = Path.Combine(TestDatabases.Folder, $"{Guid.NewGuid():N}.backup");
            var before = Volatile.Read(ref imported);
            var (exit, _, err) = await CliTests.Run("backup", file, "--db", server.Spec);
            Assert.True(exit == 0, err);
            await AssertWholeAsync(file, before, Volatile.Read(ref imported) + 1);
            SqliteBackup.DeleteWithSidecars(file);
            taken++;
        }
        await stop.CancelAsync();
        await writer;
    }

    /// <summary>A backup that passes SQLite's check, whose chain verifies, and which holds each import whole: between
    /// <paramref name="before"/> and <paramref name="after"/> of them (the one being written while it was taken, or not).</summary>
    static async Task AssertWholeAsync(string file, int before, int after)
    {
        Assert.Equal(FileModes.OwnerOnly, FileModes.Of(file));
        Assert.False(File.Exists(file + "-wal"), "a backup is one file");
        await using var copy = Database.Open(file);
        await SqliteBackup.CheckIntegrityAsync(copy, Ct);
        var audit = await new AuditLog(copy, TimeProvider.System).VerifyAsync(Caller.Local, null, null, ct: Ct);
        Assert.True(audit.Intact, audit.Break?.Reason);
        await using var connection = await copy.OpenAsync(Ct);
        var imports = (await connection.QueryAsync<(long Results, long Findings)>(
            "SELECT results, (SELECT COUNT(*) FROM findings f WHERE f.import_seq = i.seq) FROM imports i")).ToList();
        Assert.InRange(imports.Count, before, after);
        Assert.All(imports, i => Assert.Equal((ResultsPerImport, ResultsPerImport), (i.Results, i.Findings)));
        // Each import committed with its audit event, or neither did.
        Assert.Equal(imports.Count, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM events WHERE action = 'import'"));
    }

    [Fact]
    public async Task A_backup_replaces_an_existing_file_only_when_forced_and_never_the_database_itself()
    {
        var spec = await TestDatabases.CreateSpecAsync(Engine.Sqlite);
        await CliTests.Run("import", Some.SarifLog(Some.Results(3)), "--project", "demo", "--db", spec);
        await using var db = Database.Open(spec);
        var file = Path.Combine(TestDatabases.Folder, $"{Guid.NewGuid():N}.backup");
        await File.WriteAllTextAsync(file, "an older backup", Ct);

        var refused = await Assert.ThrowsAsync<ConflictException>(() => SqliteBackup.CopyAsync(db, file, overwrite: false, Ct));
        Assert.Contains($"{file} exists: give --force", refused.Message);
        Assert.Equal("an older backup", await File.ReadAllTextAsync(file, Ct));
        await Assert.ThrowsAsync<BadInputException>(() => SqliteBackup.CopyAsync(db, spec, overwrite: true, Ct));
        await Assert.ThrowsAsync<BadInputException>(() => SqliteBackup.CopyAsync(db, spec + "-wal", overwrite: true, Ct));

        await SqliteBackup.CopyAsync(db, file, overwrite: true, Ct);
        SqliteBackup.RequireDatabaseFile(file);
        Assert.Empty(Directory.GetFiles(TestDatabases.Folder, Path.GetFileName(file) + ".*.partial"));
    }
}
