using Clearwing.IntegrationTests.Support;
using Clearwing.Storage;
using Dapper;

namespace Clearwing.IntegrationTests.Storage;

/// <summary>The SQLite files Clearwing creates hold every case: only their owner may read them, whatever the umask.</summary>
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
}
