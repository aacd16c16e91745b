using System.Data.Common;
using Clearwing.IntegrationTests.Support;
using Clearwing.Storage;
using Dapper;

namespace Clearwing.IntegrationTests.Storage;

/// <summary>The SQLite files Clearwing creates hold every case: only their owner may read them, whatever the umask. A server's pooled
/// connections keep the page cache it opened them with, through a bulk import too: its memory must not grow with them.</summary>
public sealed class DatabaseFileTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_new_sqlite_database_and_its_wal_and_shm_files_are_readable_by_their_owner_only()
    {
        var folder = Directory.CreateTempSubdirectory("clearwing-db-").FullName;
        try
        {
            var file = Path.Combine(folder, "clearwing.db");
            await using var db = Database.Open(file);
            await Migrator.MigrateAsync(db, TimeProvider.System, Ct);
            await using var connection = await db.OpenAsync(Ct);
            await connection.ExecuteAsync("INSERT INTO orgs (name, kind, created_at) VALUES ('alpha', 'maintainer', 0)");

            Assert.True(File.Exists(file + "-wal") && File.Exists(file + "-shm"), "WAL mode keeps a -wal and a -shm file while connected");
            foreach (var path in new[] { file, file + "-wal", file + "-shm" })
                Assert.Equal((path, FileModes.OwnerOnly), (path, FileModes.Of(path)));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task A_servers_connections_keep_their_page_cache_after_a_bulk_import_returns_them_to_the_pool()
    {
        var folder = Directory.CreateTempSubdirectory("clearwing-db-").FullName;
        try
        {
            async Task<long> CacheSize(DbConnection c) => await c.ExecuteScalarAsync<long>("PRAGMA cache_size");
            await using var server = Database.Open(Path.Combine(folder, "server.db"), Database.ServerPageCacheMiB);
            await using (var connection = await server.OpenAsync(Ct))
            {
                Assert.Equal(-Database.ServerPageCacheMiB * 1024L, await CacheSize(connection));
                await server.SetBulkModeAsync(connection, true);
                Assert.Equal(-128 * 1024L, await CacheSize(connection));
                await server.SetBulkModeAsync(connection, false);
                Assert.Equal(-Database.ServerPageCacheMiB * 1024L, await CacheSize(connection));
            }
            await using var command = Database.Open(Path.Combine(folder, "command.db"));
            await using (var connection = await command.OpenAsync(Ct))
                Assert.Equal(-Database.CommandPageCacheMiB * 1024L, await CacheSize(connection));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }
}
