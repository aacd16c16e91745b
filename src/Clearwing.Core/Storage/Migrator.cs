using System.Data.Common;
using Dapper;

namespace Clearwing.Storage;

/// <summary>
/// Applies the numbered SQL scripts under Storage/Migrations/{engine}/ that the database has not seen,
/// all in one transaction, at start-up; a database with a script this program does not know is refused untouched. Several
/// processes may start at once: PostgreSQL takes an advisory lock, SQLite's immediate transaction serializes them.
/// </summary>
public static class Migrator
{
    /// <param name="time">When a script counts as applied.</param>
    /// <returns>The scripts applied now, by name, oldest first (none when the database was up to date).</returns>
    /// <exception cref="NewerDatabaseException">The database has a migration this program does not know; nothing was changed.</exception>
    public static async Task<IReadOnlyList<string>> MigrateAsync(Database db, TimeProvider time, CancellationToken ct = default)
    {
        await using var connection = await db.OpenAsync(ct);
        var folder = db.Engine == Engine.Sqlite ? "sqlite" : "postgres";
        var scripts = Scripts(folder);
        await using var tx = await db.BeginAsync(connection, ct);
        if (db.Engine == Engine.Postgres)
            await connection.ExecuteAsync("SELECT pg_advisory_xact_lock(7220130001)", transaction: tx);
        await connection.ExecuteAsync(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
            transaction: tx);
        var recorded = (await connection.QueryAsync<(long Version, string Name)>(
            "SELECT version, name FROM schema_migrations ORDER BY version", transaction: tx)).ToList();
        var applied = recorded.Select(m => m.Version).ToHashSet();
        var unknown = recorded.Where(m => !scripts.Exists(s => s.Version == m.Version)).Select(m => m.Name).ToList();
        // Before any script runs: an older program would apply its missing scripts over a schema they were never written for,
        // and then serve it with queries that do not know its columns. The transaction ends unused, so nothing changes.
        if (unknown.Count > 0) throw new NewerDatabaseException(db.Display, unknown, scripts.Count > 0 ? scripts[^1].Name : null);
        var now = new List<string>();
        foreach (var (version, name, sql) in scripts)
        {
            if (applied.Contains(version)) continue;
            now.Add(name);
            await connection.ExecuteAsync(sql, transaction: tx);
            await connection.ExecuteAsync(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (@version, @name, @at)",
                new { version, name, at = time.GetUtcNow().ToUnixTimeMilliseconds() }, tx);
        }
        await tx.CommitAsync(ct);
        return now;
    }

    static List<(long Version, string Name, string Sql)> Scripts(string folder)
    {
        var assembly = typeof(Migrator).Assembly;
        var prefix = $"Clearwing.Storage.Migrations.{folder}.";
        var scripts = new List<(long, string, string)>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(prefix, StringComparison.Ordinal)))
        {
            var name = resource[prefix.Length..];
            var version = long.Parse(name[..name.IndexOf('_')], System.Globalization.CultureInfo.InvariantCulture);
            using var reader = new StreamReader(assembly.GetManifestResourceStream(resource)!);
            scripts.Add((version, name, reader.ReadToEnd()));
        }
        return scripts.OrderBy(s => s.Item1).ToList();
    }
}

/// <summary>
/// The database holds migrations this program does not know: a newer release wrote it. Nothing was changed; run that release
/// (or a later one) on it, or restore a backup taken before the upgrade (docs/backups.md).
/// </summary>
public sealed class NewerDatabaseException(string database, IReadOnlyList<string> unknown, string? newest)
    : ConflictException(
        $"The database {database} was written by a newer release of Clearwing: it has migration{(unknown.Count == 1 ? "" : "s")} " +
        $"{string.Join(", ", unknown)}, which this program (Clearwing {ProgramVersion.Text}, migrations up to {newest ?? "none"}) " +
        "does not know. Nothing was changed: run that release or a later one on it (docs/backups.md#upgrades).")
{
    /// <summary>The migrations the database has and this program does not, by name (0043_x.sql).</summary>
    public IReadOnlyList<string> Unknown { get; } = unknown;
}
