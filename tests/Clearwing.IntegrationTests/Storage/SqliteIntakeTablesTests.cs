using Clearwing.Storage;

namespace Clearwing.IntegrationTests.Storage;

/// <summary>SQLite's intake tables: the direct calls into e_sqlite3 store exactly what SQLitePCLRaw's ordinary calls store.</summary>
public sealed class SqliteIntakeTablesTests
{
    [Fact]
    public async Task The_fast_path_stores_the_same_rows_as_the_ordinary_path()
    {
        var scenario = new IntakeScenario();
        await using var fast = await TestDatabases.CreateAsync(Engine.Sqlite);
        await using var ordinary = await TestDatabases.CreateAsync(Engine.Sqlite);
        Assert.True(PreparedStatement.CanCallDirectly, "the tests run on e_sqlite3, so the fast path is the one compared");

        await scenario.ImportAsync(fast, directSqliteCalls: true);
        await scenario.ImportAsync(ordinary, directSqliteCalls: false);

        var expected = await IntakeScenario.RowsAsync(ordinary);
        var actual = await IntakeScenario.RowsAsync(fast);
        Assert.Equal(expected.Keys, actual.Keys);
        foreach (var table in expected.Keys) Assert.Equal(expected[table], actual[table]);
        Assert.Equal(44, expected["cases"].Count);
    }

    [Fact]
    public async Task Rebuilding_the_fingerprint_index_stores_the_same_rows()
    {
        var scenario = new IntakeScenario();
        await using var rebuilt = await TestDatabases.CreateAsync(Engine.Sqlite);
        await using var kept = await TestDatabases.CreateAsync(Engine.Sqlite);

        await scenario.ImportAsync(rebuilt, rebuildFingerprintKeyAfter: 5);
        await scenario.ImportAsync(kept);

        var expected = await IntakeScenario.RowsAsync(kept);
        var actual = await IntakeScenario.RowsAsync(rebuilt);
        foreach (var table in expected.Keys) Assert.Equal(expected[table], actual[table]);
    }
}
