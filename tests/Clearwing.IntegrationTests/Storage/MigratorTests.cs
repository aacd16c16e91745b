using Clearwing.Storage;
using Dapper;

namespace Clearwing.IntegrationTests.Storage;

/// <summary>
/// Migrations on a database an older program meets after a newer one wrote it: refused, naming what it does not know, with
/// nothing applied — an older program's scripts would run over a schema they were never written for.
/// </summary>
public sealed class MigratorTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_database_with_a_migration_the_program_does_not_know_is_refused_naming_it_and_left_unchanged(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        long newest;
        await using (var connection = await db.OpenAsync(Ct))
        {
            newest = await connection.ExecuteScalarAsync<long>("SELECT MAX(version) FROM schema_migrations");
            // The newest script not yet applied (as on a database before the upgrade that brings it), and one from a later release.
            await connection.ExecuteAsync("DELETE FROM schema_migrations WHERE version = @newest", new { newest });
            await connection.ExecuteAsync(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (9001, '9001_from_the_future.sql', 0), (9002, '9002_later.sql', 0)");
        }
        var before = await MigrationsAsync(db);

        var refused = await Assert.ThrowsAsync<NewerDatabaseException>(() => Migrator.MigrateAsync(db, TimeProvider.System, Ct));

        Assert.Equal(["9001_from_the_future.sql", "9002_later.sql"], refused.Unknown);
        Assert.Contains("9001_from_the_future.sql, 9002_later.sql", refused.Message);
        Assert.Contains($"this program (Clearwing {ProgramVersion.Text}, migrations up to ", refused.Message);
        Assert.Contains("Nothing was changed", refused.Message);
        Assert.Equal(ErrorKind.Conflict, ErrorKinds.Of(refused));
        Assert.Equal(before, await MigrationsAsync(db));
        Assert.DoesNotContain(before, m => m.Version == newest);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task Migrating_names_the_scripts_it_applies_and_applies_none_twice(Engine engine)
    {
        await using var db = Database.Open(await TestDatabases.CreateSpecAsync(engine));

        var first = await Migrator.MigrateAsync(db, TimeProvider.System, Ct);

        Assert.Equal("0001_", first[0][..5]);
        Assert.Equal((await MigrationsAsync(db)).Select(m => m.Name), first);
        Assert.Empty(await Migrator.MigrateAsync(db, TimeProvider.System, Ct));
    }

    static async Task<List<(long Version, string Name)>> MigrationsAsync(Database db)
    {
        await using var connection = await db.OpenAsync(Ct);
        return (await connection.QueryAsync<(long, string)>("SELECT version, name FROM schema_migrations ORDER BY version")).ToList();
    }
}
