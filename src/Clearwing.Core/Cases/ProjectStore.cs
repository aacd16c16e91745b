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
}
