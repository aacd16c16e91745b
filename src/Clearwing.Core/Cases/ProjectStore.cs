using System.Data.Common;
using Clearwing.Storage;
using Dapper;

namespace Clearwing.Cases;

/// <summary>Projects: created on first import, looked up by name.</summary>
public static class ProjectStore
{
    public static async Task<string> EnsureAsync(DbConnection connection, DbTransaction tx, Database db, string name, long now, CancellationToken ct)
    {
        await connection.ExecuteAsync(
            $"INSERT INTO projects (id, name, created_at) VALUES ({db.Dialect.RandomId}, @name, @now) ON CONFLICT (name) DO NOTHING",
            new { name, now }, tx);
        return await connection.ExecuteScalarAsync<string>("SELECT id FROM projects WHERE name = @name", new { name }, tx)
            ?? throw new InvalidOperationException($"Project {name} vanished inside its own transaction.");
    }
}
