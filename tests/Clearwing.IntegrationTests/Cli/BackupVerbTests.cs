using System.Diagnostics;
using System.Text.Json;
using Clearwing.Access;
using Clearwing.IntegrationTests.Access;
using Clearwing.IntegrationTests.Storage;
using Clearwing.IntegrationTests.Support;
using Clearwing.Server.Access;
using Clearwing.Storage;
using Dapper;
using Npgsql;

namespace Clearwing.IntegrationTests.Cli;

/// <summary>
/// `clearwing backup` and `clearwing restore` on SQLite, and pg_dump with pg_restore on PostgreSQL (docs/backups.md): what comes
/// back holds every case, and `clearwing audit verify` holds its chain to the last head published before the backup. A restore
/// that cannot prove the backup leaves the database as it was.
/// </summary>
public sealed class BackupVerbTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    static Task<(int Exit, string Out, string Err)> Run(params string[] args) => CliTests.Run(args);

    /// <summary>A program with cases, a head its key file signed (as a server publishes one), and events after that head.</summary>
    sealed record Program(string Spec, string KeyFile, AuditHead Head);

    static async Task<Program> ProgramAsync(Engine engine)
    {
        var spec = await TestDatabases.CreateSpecAsync(engine);
        await Run("import", Some.SarifLog(Some.Results(5)), "--project", "alpha", "--revision", "r1", "--db", spec);
        await Run("import", Some.SarifLog(Some.Results(8)), "--project", "alpha", "--revision", "r2", "--db", spec);
        string path;
        PublishedHead head;
        await using (var db = Database.Open(spec))
        {
            path = TestDatabases.KeyFileFor(spec) ?? KeyFile.DefaultPath(db);
            head = (await new AuditHeadStore(db, TimeProvider.System).PublishAsync(KeyFile.Create(path).AuditHeads, ct: Ct))!;
        }
        await Run("import", Some.SarifLog(Some.Results(4)), "--project", "beta", "--revision", "r1", "--db", spec);
        return new Program(spec, path, head.Head);
    }

    static async Task<List<string>> CaseIdsAsync(string spec) =>
        [.. JsonDocument.Parse((await Run("cases", "list", "--json", "--db", spec)).Out).RootElement.EnumerateArray()
            .Select(c => c.GetProperty("id").GetString()!).Order(StringComparer.Ordinal)];

    /// <summary>`audit verify --json` on <paramref name="spec"/>: intact, and reaching <paramref name="head"/> with signatures checked.</summary>
    static async Task AssertVerifiesAgainstAsync(string spec, string keyFile, AuditHead head)
    {
        var (exit, output, err) = await Run("audit", "verify", "--json", "--key-file", keyFile, "--db", spec);
        Assert.True(exit == 0, output + err);
        var result = JsonDocument.Parse(output).RootElement;
        Assert.True(result.GetProperty("intact").GetBoolean());
        Assert.True(result.GetProperty("signaturesChecked").GetBoolean());
        var published = result.GetProperty("published");
        Assert.Equal(head, new AuditHead(published.GetProperty("seq").GetInt64(), published.GetProperty("hash").GetString()!));
    }

    static string NewFile(string extension) => Path.Combine(TestDatabases.Folder, $"{Guid.NewGuid():N}.{extension}");

    [Fact]
    public async Task A_sqlite_backup_restores_every_case_and_a_chain_that_reaches_the_last_published_head()
    {
        var program = await ProgramAsync(Engine.Sqlite);
        var cases = await CaseIdsAsync(program.Spec);
        var backup = NewFile("backup");

        var (exit, output, err) = await Run("backup", backup, "--db", program.Spec);
        Assert.True(exit == 0, err);
        Assert.StartsWith($"Backed up {program.Spec} to {backup}: ", output);
        Assert.Equal(FileModes.OwnerOnly, FileModes.Of(backup));
        // Work after the backup is not in it.
        await Run("import", Some.SarifLog(Some.Results(3)), "--project", "gamma", "--db", program.Spec);

        var target = NewFile("db");
        (exit, output, err) = await Run("restore", backup, "--db", target, "--key-file", program.KeyFile, "--head", program.Head.ToString(), "--json");
        Assert.True(exit == 0, err);
        var restored = JsonDocument.Parse(output).RootElement;
        Assert.Equal(target, restored.GetProperty("database").GetString());
        Assert.Empty(restored.GetProperty("migrated").EnumerateArray());
        Assert.Equal(3, restored.GetProperty("events").GetInt64());
        Assert.Equal(program.Head.Seq, restored.GetProperty("published").GetProperty("seq").GetInt64());
        Assert.True(restored.GetProperty("signaturesChecked").GetBoolean());
        Assert.Equal(FileModes.OwnerOnly, FileModes.Of(target));

        await AssertVerifiesAgainstAsync(target, program.KeyFile, program.Head);
        Assert.Equal(cases, await CaseIdsAsync(target));
        Assert.Empty(Directory.GetFiles(TestDatabases.Folder, $".{Path.GetFileName(target)}.restore-*"));
    }

    [Fact]
    public async Task The_json_of_backup_and_restore_is_as_approved()
    {
        var work = Directory.CreateTempSubdirectory("clearwing-snapshots-").FullName;
        try
        {
            var (db, backup, target) = (Path.Combine(work, "clearwing.db"), Path.Combine(work, "clearwing.backup"), Path.Combine(work, "restored.db"));
            await Run("import", Some.SarifLog(Some.Results(3)), "--project", "zlib", "--db", db);
            await using (var opened = Database.Open(db))
                await new AuditHeadStore(opened, TimeProvider.System).PublishAsync(KeyFile.Create(KeyFile.DefaultPath(opened)).AuditHeads, ct: Ct);
            File.Copy(db + ".key", target + ".key");

            var backedUp = (await Run("backup", backup, "--json", "--db", db)).Out;
            var bytes = JsonDocument.Parse(backedUp).RootElement.GetProperty("bytes").GetInt64();
            Assert.Equal(new FileInfo(backup).Length, bytes);
            var restored = await Run("restore", backup, "--json", "--db", target);
            Assert.True(restored.Exit == 0, restored.Err);

            Snapshot.Match("cli-json-backup",
                "## clearwing backup clearwing.backup --json\n" + backedUp.Replace($"\"bytes\": {bytes}", "\"bytes\": {bytes}", StringComparison.Ordinal) +
                "\n## clearwing restore clearwing.backup --json\n" + restored.Out, work);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(work, recursive: true);
        }
    }

    [Fact]
    public async Task A_restore_over_a_database_needs_force_and_brings_it_back_to_the_backup()
    {
        var program = await ProgramAsync(Engine.Sqlite);
        var cases = await CaseIdsAsync(program.Spec);
        var backup = NewFile("backup");
        await Run("backup", backup, "--db", program.Spec);
        await Run("import", Some.SarifLog(Some.Results(3)), "--project", "gamma", "--db", program.Spec);
        var later = await CaseIdsAsync(program.Spec);

        var (exit, _, err) = await Run("restore", backup, "--db", program.Spec);
        Assert.Equal(2, exit);
        Assert.Contains($"{program.Spec} holds a database: give --force to replace it", err);
        Assert.Equal(later, await CaseIdsAsync(program.Spec));

        (exit, var output, err) = await Run("restore", backup, "--db", program.Spec, "--force");
        Assert.True(exit == 0, err);
        Assert.Contains($"reaching the published head {program.Head}, every head signed by the key file.", output);
        Assert.Equal(cases, await CaseIdsAsync(program.Spec));
        await AssertVerifiesAgainstAsync(program.Spec, program.KeyFile, program.Head);
    }

    [Fact]
    public async Task A_restore_refuses_a_broken_chain_another_key_file_and_a_newer_schema_and_restores_nothing()
    {
        var program = await ProgramAsync(Engine.Sqlite);
        var backup = NewFile("backup");
        await Run("backup", backup, "--db", program.Spec);

        async Task<string> RefusedAsync(string file, params string[] more)
        {
            var target = NewFile("db");
            var (exit, _, err) = await Run(["restore", file, "--db", target, .. more]);
            Assert.Equal(2, exit);
            Assert.False(File.Exists(target), "a refused restore made the database");
            Assert.Empty(Directory.GetFiles(TestDatabases.Folder, $".{Path.GetFileName(target)}.restore-*"));
            return err;
        }

        var tampered = NewFile("backup");
        File.Copy(backup, tampered);
        await using (var db = Database.Open(tampered))
            await AuditLogTests.TamperAsync(db, "UPDATE events SET actor = 'mallory' WHERE seq = 1");
        Assert.Contains("The backup's audit chain is broken at event 1: hash mismatch", await RefusedAsync(tampered, "--key-file", program.KeyFile));

        var other = KeyFile.Create(NewFile("key")).Path;
        Assert.Contains($"is not signed by this installation's key", await RefusedAsync(backup, "--key-file", other));
        Assert.Contains($"truncated", await RefusedAsync(backup, "--key-file", program.KeyFile, "--head", $"99:{program.Head.Hash}"));

        var newer = NewFile("backup");
        File.Copy(backup, newer);
        await using (var db = Database.Open(newer))
        await using (var connection = await db.OpenAsync(Ct))
            await connection.ExecuteAsync("INSERT INTO schema_migrations (version, name, applied_at) VALUES (9001, '9001_next.sql', 0)");
        Assert.Contains("it has migration 9001_next.sql, which this program", await RefusedAsync(newer, "--key-file", program.KeyFile));

        var notADatabase = NewFile("backup");
        await File.WriteAllTextAsync(notADatabase, "not a backup", Ct);
        Assert.Contains("is not a SQLite database", await RefusedAsync(notADatabase));
    }

    [Fact]
    public async Task A_restore_needs_the_key_file_the_session_keys_were_encrypted_with_and_warns_when_there_is_none()
    {
        // The previous release's database: a server ran on it, so its web-session keys are stored, encrypted with the fixture's key file.
        var backup = await UpgradeTests.RestoreFixtureAsync(Engine.Sqlite);
        var key = NewFile("key");
        File.Copy(UpgradeTests.Fixture("previous-release.key"), key);
        var id = KeyFile.Read(key).Id;

        var other = KeyFile.Create(NewFile("key")).Path;
        var refused = NewFile("db");
        var (exit, _, err) = await Run("restore", backup, "--db", refused, "--key-file", other);
        Assert.Equal(2, exit);
        Assert.Contains($"The backup's web-session keys are encrypted with key file {id}, but {other} is key file ", err);
        Assert.False(File.Exists(refused));

        var without = NewFile("db");
        (exit, var output, err) = await Run("restore", backup, "--db", without);
        Assert.True(exit == 0, err);
        Assert.Contains("reaching the published head 1721:", output, StringComparison.Ordinal);
        Assert.DoesNotContain("signed", output, StringComparison.Ordinal);
        Assert.Contains($"warning: no key file at {without}.key: a server will not start on this database until key file {id} is there", err);

        var with = NewFile("db");
        File.Copy(key, with + ".key");
        (exit, output, err) = await Run("restore", backup, "--db", with);
        Assert.True(exit == 0, err);
        Assert.Equal("", err);
        Assert.Contains(", every head signed by the key file.", output);
    }

    [Fact]
    public async Task Backup_and_restore_run_on_the_database_host_never_through_a_server_and_point_postgres_to_pg_dump()
    {
        foreach (var verb in new[] { new[] { "backup", NewFile("backup") }, ["restore", NewFile("backup")] })
        {
            var (exit, _, err) = await Run([.. verb, "--server", "https://clearwing.example"]);
            Assert.Equal(2, exit);
            Assert.Contains($"{verb[0]} runs on the database's host (--db), not through a server", err);
        }
        const string Postgres = "Host=127.0.0.1;Port=1;Username=clearwing;Database=clearwing";
        var backup = await Run("backup", NewFile("backup"), "--db", Postgres);
        Assert.Equal(2, backup.Exit);
        Assert.Contains("back up the PostgreSQL database postgres://127.0.0.1:1/clearwing with pg_dump", backup.Err);
        var restore = await Run("restore", NewFile("backup"), "--db", Postgres);
        Assert.Equal(2, restore.Exit);
        Assert.Contains("restore PostgreSQL with pg_restore", restore.Err);
        var missing = NewFile("db");
        Assert.Equal(2, (await Run("backup", NewFile("backup"), "--db", missing)).Exit);
        Assert.False(File.Exists(missing), "backing up a database that is not there made one");
    }

    [Fact]
    public async Task A_postgres_dump_restored_with_pg_restore_holds_every_case_and_a_chain_that_reaches_the_last_published_head()
    {
        var program = await ProgramAsync(Engine.Postgres);
        var cases = await CaseIdsAsync(program.Spec);
        var dump = NewFile("pgdump");

        // As docs/backups.md says: pg_dump's custom format while the program runs, pg_restore into a new database.
        await PgAsync("pg_dump", "--format=custom", $"--file={dump}", $"--dbname={Conninfo(program.Spec)}");
        await Run("import", Some.SarifLog(Some.Results(3)), "--project", "gamma", "--db", program.Spec);
        var target = await TestDatabases.CreateSpecAsync(Engine.Postgres);
        await PgAsync("pg_restore", "--no-owner", "--exit-on-error", "--single-transaction", $"--dbname={Conninfo(target)}", dump);

        await AssertVerifiesAgainstAsync(target, program.KeyFile, program.Head);
        Assert.Equal(cases, await CaseIdsAsync(target));
    }

    /// <summary>A libpq connection string for the database an Npgsql one names.</summary>
    internal static string Conninfo(string spec)
    {
        var b = new NpgsqlConnectionStringBuilder(spec);
        return $"host={b.Host} port={b.Port} user={b.Username} dbname={b.Database}" + (b.Password is { } p ? $" password={p}" : "");
    }

    /// <summary>
    /// The PostgreSQL tool <paramref name="tool"/> (pg_dump, pg_restore, …) of the newest PostgreSQL installed where test.sh installs it
    /// (/usr/lib/postgresql/N/bin), or of PGBIN; missing, the test fails rather than skips.
    /// </summary>
    internal static async Task PgAsync(string tool, params string[] args)
    {
        var bin = Environment.GetEnvironmentVariable("PGBIN") is { Length: > 0 } set ? set
            : Directory.Exists("/usr/lib/postgresql")
                ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin"))
                    .OrderBy(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var major) ? major : 0).LastOrDefault()
                : null;
        var path = bin is null ? null : Path.Combine(bin, tool);
        Assert.True(path is not null && File.Exists(path), $"{tool} is not installed (/usr/lib/postgresql/*/bin, or set PGBIN): test.sh installs it");
        var start = new ProcessStartInfo(path!) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync(Ct);
        await process.StandardOutput.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct);
        Assert.True(process.ExitCode == 0, $"{tool} exited {process.ExitCode}: {await stderr}");
    }
}
