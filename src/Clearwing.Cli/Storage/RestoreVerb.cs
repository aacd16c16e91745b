using System.CommandLine;
using Clearwing.Access;
using Clearwing.Server.Access;
using Clearwing.Storage;

namespace Clearwing.Cli.Storage;

/// <summary>
/// clearwing restore BACKUP [--force] [--head SEQ:HASH] [--key-file PATH] [--json] — puts a SQLite backup in place of the database
/// (--db) only once it has proved itself on a staging copy: SQLite's integrity check, this program's migrations, the audit chain
/// verified against its published heads (and --head), and the key file the stored session keys need. Anything short of that
/// leaves the database as it was. PostgreSQL restores with pg_restore (docs/backups.md).
/// </summary>
public static class RestoreVerb
{
    public static Command Create(CliIO io)
    {
        var backup = new Argument<string>("backup") { Description = "The backup file (from 'clearwing backup')" };
        var force = new Option<bool>("--force")
        {
            Description = "Replace the database if it holds one (stop every serve and worker on it first)",
        };
        var head = new Option<string?>("--head")
        {
            Description = "An audit head published before the backup, from a copy kept outside the database (SEQ:HASH): the restored " +
                "chain must reach it unchanged",
        };
        var keyFile = new Option<string?>("--key-file")
        {
            Description = "The installation's key file (default: CLEARWING_KEY_FILE, else beside the restored database)",
        };
        var json = new Option<bool>("--json")
        {
            Description = "Print one JSON object: database, backup, migrated [names], events, head {seq, hash}, published {seq, hash} or null, " +
                "signaturesChecked, keyFile {path, id} or null",
        };
        var command = new Command("restore",
            "Check a SQLite backup (integrity, migrations, audit chain, key file) on a staging copy, then put it in place of the database.")
        {
            backup, force, head, keyFile, json,
        };
        command.SetAction(async (parsed, ct) =>
        {
            Backend.RequireDatabase(parsed, io, "restore", BackupVerb.WholeDatabase);
            var published = parsed.GetValue(head) is { } text ? AuditHead.Parse(text) : null;
            var spec = CliIO.DatabaseSpec(parsed);
            if (Database.IsPostgres(spec))
                throw new BadInputException(
                    "clearwing restore puts back a SQLite backup; restore PostgreSQL with pg_restore into a new database, then run " +
                    "'clearwing audit verify' on it (docs/backups.md).");
            var source = parsed.GetValue(backup)!;
            SqliteBackup.RequireDatabaseFile(source);
            var target = Path.GetFullPath(spec);
            if (target == Path.GetFullPath(source)) throw new BadInputException($"{target} is the backup itself: restore it into another --db.");
            if (File.Exists(target) && new FileInfo(target).Length > 0 && !parsed.GetValue(force))
                throw new ConflictException(
                    $"{target} holds a database: give --force to replace it (stop every serve and worker on it first), or restore into a new --db.");
            var key = parsed.GetValue(keyFile) ?? io.Environment("CLEARWING_KEY_FILE") ?? target + ".key";

            var staging = Path.Combine(Path.GetDirectoryName(target)!, $".{Path.GetFileName(target)}.restore-{Guid.NewGuid():N}");
            try
            {
                PrivateFiles.Create(staging).Dispose();
                Restored restored;
                await using (var copy = Database.Open(staging))
                {
                    await SqliteBackup.ReplaceAsync(source, copy, ct);
                    restored = await ProveAsync(copy, published, key, ct);
                }
                await using (var db = Database.Open(target)) await SqliteBackup.ReplaceAsync(staging, db, ct);
                await ReportAsync(io, parsed.GetValue(json), restored with { Database = target, Backup = Path.GetFullPath(source) });
                return ExitCode.Ok;
            }
            finally
            {
                SqliteBackup.DeleteWithSidecars(staging);
            }
        });
        return command;
    }

    sealed record Restored(string Database, string Backup, IReadOnlyList<string> Migrated, AuditVerification Audit, string KeyPath,
        KeyFile? Key, IReadOnlyList<string> KeyNeeded);

    /// <summary>Everything a restored database must pass before it replaces the live one; throws, naming what failed, otherwise.</summary>
    static async Task<Restored> ProveAsync(Database copy, AuditHead? published, string keyPath, CancellationToken ct)
    {
        await SqliteBackup.CheckIntegrityAsync(copy, ct);
        var migrated = await Migrator.MigrateAsync(copy, TimeProvider.System, ct);
        var needed = KeyFile.Needed(copy, TimeProvider.System);
        var key = File.Exists(keyPath) ? KeyFile.Read(keyPath) : null;
        if (key is not null && needed.FirstOrDefault(id => id != key.Id) is { } other)
            throw new BadInputException(
                $"The backup's web-session keys are encrypted with key file {other}, but {keyPath} is key file {key.Id}: a server would not " +
                "start on it. Give the key file the backed-up installation used (--key-file). Nothing was restored.");
        var audit = await new AuditLog(copy, TimeProvider.System).VerifyAsync(Caller.Local, published, key?.AuditHeads, ct: ct);
        if (audit.Break is { } b)
            throw new BadInputException(
                $"The backup's audit chain is broken at event {b.Seq}: {b.Reason}. {audit.Count:N0} events before it verified. " +
                "Nothing was restored.");
        return new Restored("", "", migrated, audit, keyPath, key, needed);
    }

    static async Task ReportAsync(CliIO io, bool json, Restored r)
    {
        if (json)
        {
            await io.WriteJsonAsync(new
            {
                database = r.Database, backup = r.Backup, migrated = r.Migrated, events = r.Audit.Count,
                head = r.Audit.Count > 0 ? r.Audit.Head : null, published = r.Audit.Published, signaturesChecked = r.Audit.SignaturesChecked,
                keyFile = r.Key is { } k ? new { path = k.Path, id = k.Id } : null,
            });
            return;
        }
        await io.Out.WriteLineAsync($"Restored {r.Backup} into {r.Database}.");
        await io.Out.WriteLineAsync(r.Migrated.Count == 0
            ? "Its schema is this program's: no migration to apply."
            : $"Migrated it to this program's schema: {string.Join(", ", r.Migrated)}.");
        await io.Out.WriteLineAsync($"Audit chain intact: {r.Audit.Count:N0} event{(r.Audit.Count == 1 ? "" : "s")}"
            + (r.Audit.Published is { } p ? $", reaching the published head {p}" : ", no published head to hold it to")
            + (r.Audit.SignaturesChecked ? ", every head signed by the key file." : "."));
        if (r.Key is null && r.KeyNeeded.Count > 0)
            await io.Error.WriteLineAsync(
                $"warning: no key file at {r.KeyPath}: a server will not start on this database until key file " +
                $"{r.KeyNeeded[0]} is there (or --key-file names it), or it starts once with --reset-session-keys (docs/backups.md).");
    }
}
