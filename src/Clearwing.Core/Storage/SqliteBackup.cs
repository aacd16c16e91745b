using Microsoft.Data.Sqlite;

namespace Clearwing.Storage;

/// <summary>
/// Copies of a SQLite database made with SQLite's online backup API (sqlite3_backup_step over every page in one step): the copy is
/// the database as one read transaction saw it, whole and consistent, while other connections go on reading and writing (in WAL
/// mode a reader blocks no writer). A file copy of a live database would not be: it misses what is still in the -wal file and can
/// tear a page a writer is checkpointing. docs/backups.md.
/// </summary>
public static class SqliteBackup
{
    static readonly byte[] Magic = "SQLite format 3\0"u8.ToArray();

    /// <summary>
    /// Writes a copy of <paramref name="db"/> to <paramref name="path"/>, mode 0600 as the database is (<see cref="PrivateFiles"/>):
    /// a self-contained file (rollback journal, no -wal beside it) that appears whole or not at all. An existing file is replaced
    /// only when <paramref name="overwrite"/> says so, and never the database itself.
    /// </summary>
    /// <returns>The copy's size in bytes.</returns>
    public static async Task<long> CopyAsync(Database db, string path, bool overwrite, CancellationToken ct = default)
    {
        var source = db.SqliteFile ?? throw new ArgumentException("Not a SQLite database.", nameof(db));
        var full = Path.GetFullPath(path);
        if (new[] { source, source + "-wal", source + "-shm" }.Contains(full, StringComparer.Ordinal))
            throw new BadInputException($"{full} is the database itself: give the backup another path.");
        if (Directory.Exists(full)) throw new BadInputException($"{full} is a folder: give the backup file's path.");
        if (File.Exists(full) && !overwrite)
            throw new ConflictException($"{full} exists: give --force to replace it, or another path.");
        if (!Directory.Exists(Path.GetDirectoryName(full)))
            throw new DirectoryNotFoundException($"No such folder: {Path.GetDirectoryName(full)}");

        // Written beside the target and renamed over it at the end, so a failed or interrupted backup leaves no half file behind
        // (and an older backup of the same name as it was).
        var draft = $"{full}.{Guid.NewGuid():N}.partial";
        try
        {
            PrivateFiles.Create(draft).Dispose();
            await using (var from = (SqliteConnection)await db.OpenAsync(ct))
                await CopyPagesAsync(from, draft, "DELETE", ct);
            await using (var file = new FileStream(draft, FileMode.Open, FileAccess.ReadWrite)) file.Flush(flushToDisk: true);
            File.Move(draft, full, overwrite);
            return new FileInfo(full).Length;
        }
        catch (IOException) when (!overwrite && File.Exists(full) && File.Exists(draft))
        {
            throw new ConflictException($"{full} exists: give --force to replace it, or another path.");
        }
        finally
        {
            DeleteWithSidecars(draft);
        }
    }

    /// <summary>
    /// Replaces the content of <paramref name="target"/> with the database in <paramref name="file"/>, in one write transaction on
    /// the target: its readers see the old database or the new one, never a mix, and a failure leaves the old one. Through SQLite
    /// rather than a rename, so a -wal file beside the target can never be replayed onto pages it was not written for.
    /// </summary>
    public static async Task ReplaceAsync(string file, Database target, CancellationToken ct = default)
    {
        var destination = target.SqliteFile ?? throw new ArgumentException("Not a SQLite database.", nameof(target));
        // Read and write where the file allows (SQLite falls back to reading on a write-protected one): a backup someone opened in WAL
        // mode needs its -shm file, which a read-only connection could not make. Copying pages writes nothing to the source.
        await using var from = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = Path.GetFullPath(file), Mode = SqliteOpenMode.ReadWrite, Pooling = false,
        }.ToString());
        await from.OpenAsync(ct);
        await CopyPagesAsync(from, destination, "WAL", ct);
    }

    /// <summary>Refuses, naming it, a file that is missing or not a SQLite database.</summary>
    public static void RequireDatabaseFile(string path)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full)) throw new FileNotFoundException($"No such file: {full}");
        var header = new byte[Magic.Length];
        using (var file = File.OpenRead(full))
            if (file.ReadAtLeast(header, header.Length, throwOnEndOfStream: false) < header.Length || !header.AsSpan().SequenceEqual(Magic))
                throw new BadInputException($"{full} is not a SQLite database (a Clearwing backup is one).");
    }

    /// <summary>SQLite's own full check of every page and index; refuses, with its first findings, a database that fails it.</summary>
    public static async Task CheckIntegrityAsync(Database db, CancellationToken ct = default)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var check = connection.CreateCommand();
        check.CommandText = "PRAGMA integrity_check(10)";
        var problems = new List<string>();
        await using (var reader = await check.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct)) problems.Add(reader.GetString(0));
        if (problems is not ["ok"])
            throw new BadInputException($"{db.Display} fails SQLite's integrity check: {string.Join("; ", problems)}");
    }

    /// <summary>Deletes a database file and the -wal and -shm files SQLite may have left beside it.</summary>
    public static void DeleteWithSidecars(string file)
    {
        foreach (var path in new[] { file, file + "-wal", file + "-shm", file + "-journal" }) File.Delete(path);
    }

    /// <param name="journalMode">DELETE for a backup, which stands alone (one file to move, or to read from a read-only medium);
    /// WAL for a live database, as <see cref="Database"/> opens it.</param>
    static async Task CopyPagesAsync(SqliteConnection from, string destination, string journalMode, CancellationToken ct)
    {
        // Its own unpooled connection: when it closes, SQLite has written everything into the file, with no -wal left open.
        await using var to = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = destination, Pooling = false }.ToString());
        await to.OpenAsync(ct);
        ct.ThrowIfCancellationRequested();
        from.BackupDatabase(to);
        await using var mode = to.CreateCommand();
        mode.CommandText = $"PRAGMA journal_mode={journalMode}";
        await mode.ExecuteNonQueryAsync(ct);
    }
}
