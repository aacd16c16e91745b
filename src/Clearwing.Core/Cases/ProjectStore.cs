using System.Data.Common;
using Clearwing.Storage;
using Dapper;

namespace Clearwing.Cases;

/// <summary>Projects: created on first import, looked up by name.</summary>
internal static class ProjectStore
{
    public static async Task<long> EnsureAsync(DbConnection connection, DbTransaction tx, string name, long now, CancellationToken ct)
    {
        await connection.ExecuteAsync(
            "INSERT INTO projects (name, created_at) VALUES (@name, @now) ON CONFLICT (name) DO NOTHING",
            new { name, now }, tx);
        return await connection.ExecuteScalarAsync<long>("SELECT id FROM projects WHERE name = @name", new { name }, tx);
    }

    /// <summary>
    /// Makes what changes a project's case membership take turns on PostgreSQL (SQLite has one writer at a time already):
    /// an import, which holds the project's fingerprints in memory from its start, and a merge or split, which moves them.
    /// Held until the transaction ends. Taken before any row lock on the project's cases and before the audit chain's, so
    /// every transaction takes its locks in the same order.
    /// </summary>
    public static Task LockAsync(DbConnection connection, DbTransaction tx, Engine engine, long projectId) =>
        engine == Engine.Sqlite
            ? Task.CompletedTask
            : connection.ExecuteAsync("SELECT pg_advisory_xact_lock(72201, CAST(@projectId AS INTEGER))", new { projectId }, tx);
}
