using System.CommandLine;
using System.Diagnostics;
using Clearwing.Storage;

namespace Clearwing.Cli.Storage;

/// <summary>
/// clearwing backup PATH [--force] [--json] — a consistent copy of the SQLite database while servers and workers go on using it
/// (docs/backups.md). PostgreSQL is backed up with pg_dump; through --server there is no backup: it runs on the database's host.
/// </summary>
public static class BackupVerb
{
    public static Command Create(CliIO io)
    {
        var path = new Argument<string>("path") { Description = "The backup file to write (mode 0600, like the database)" };
        var force = new Option<bool>("--force") { Description = "Replace PATH if it exists" };
        var json = new Option<bool>("--json") { Description = "Print one JSON object: database, backup, bytes" };
        var command = new Command("backup",
            "Copy the SQLite database to PATH, consistent and whole, while servers and workers go on reading and writing it. " +
            "PostgreSQL: pg_dump (docs/backups.md).")
        {
            path, force, json,
        };
        command.SetAction(async (parsed, ct) =>
        {
            Backend.RequireDatabase(parsed, io, "backup", WholeDatabase);
            var spec = CliIO.DatabaseSpec(parsed);
            if (!Database.IsPostgres(spec) && !File.Exists(spec)) throw new FileNotFoundException($"No such database: {Path.GetFullPath(spec)}");
            await using var db = Database.Open(spec);
            if (db.Engine == Engine.Postgres)
                throw new BadInputException(
                    $"clearwing backup copies a SQLite database; back up the PostgreSQL database {db.Display} with pg_dump: " +
                    "pg_dump --format=custom --file=clearwing.pgdump \"$DATABASE_URL\" (docs/backups.md).");
            var clock = Stopwatch.StartNew();
            var bytes = await SqliteBackup.CopyAsync(db, parsed.GetValue(path)!, parsed.GetValue(force), ct);
            var backup = Path.GetFullPath(parsed.GetValue(path)!);

            if (parsed.GetValue(json))
            {
                await io.WriteJsonAsync(new { database = db.Display, backup, bytes });
                return ExitCode.Ok;
            }
            await io.Out.WriteLineAsync(
                $"Backed up {db.Display} to {backup}: {bytes / 1048576.0:N1} MiB in {clock.Elapsed.TotalSeconds:N1} s.");
            await io.Out.WriteLineAsync(
                "Keep the key file (" + Server.Access.KeyFile.DefaultPath(db) + " unless --key-file) too, apart from the backup (docs/backups.md).");
            return ExitCode.Ok;
        });
        return command;
    }

    /// <summary>Why backup and restore run on the database's host only.</summary>
    internal const string WholeDatabase =
        "a copy of the whole database holds every org's embargoed cases, more than any API token may carry (docs/backups.md)";
}
