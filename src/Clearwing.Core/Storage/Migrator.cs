using System.Data.Common;
using Dapper;

namespace Clearwing.Storage;

/// <summary>
/// Applies the numbered SQL scripts under Storage/Migrations/{engine}/ that the database has not seen,
/// each in its own transaction, at start-up. Several processes may start at once: PostgreSQL takes an
/// advisory lock, SQLite's immediate transaction serializes them.
/// </summary>
public static class Migrator
{
    /// <param name="time">When a script counts as applied.</param>
    public static async Task MigrateAsync(Database db, TimeProvider time, CancellationToken ct = default)
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
        var applied = (await connection.QueryAsync<long>("SELECT version FROM schema_migrations", transaction: tx)).ToHashSet();
        foreach (var (version, name, sql) in scripts)
        {
            if (applied.Contains(version)) continue;
            await connection.ExecuteAsync(sql, transaction: tx);
            await connection.ExecuteAsync(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (@version, @name, @at)",
                new { version, name, at = time.GetUtcNow().ToUnixTimeMilliseconds() }, tx);
        }
        await tx.CommitAsync(ct);
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
