using Clearwing.IntegrationTests.Support;
using Clearwing.Storage;

namespace Clearwing.IntegrationTests.Storage;

/// <summary>PostgreSQL's set-based intake writer against SQLite's row-by-row one: the same rows, and case ids of one format.</summary>
public sealed class PostgresIntakeWriterTests
{
    [Fact]
    public async Task The_set_based_writer_stores_the_same_rows_as_SQLites()
    {
        var scenario = new IntakeScenario();
        await using var sqlite = await TestDatabases.CreateAsync(Engine.Sqlite);
        await using var postgres = await TestDatabases.CreateAsync(Engine.Postgres);

        await scenario.ImportAsync(sqlite);
        await scenario.ImportAsync(postgres);

        var expected = await IntakeScenario.RowsAsync(sqlite);
        var actual = await IntakeScenario.RowsAsync(postgres);
        Assert.Equal(expected.Keys, actual.Keys);
        foreach (var table in expected.Keys) Assert.Equal(expected[table], actual[table]);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task New_case_ids_are_the_import_time_then_the_number_in_order_of_first_appearance_then_random(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        await new IntakeScenario().ImportAsync(db);

        var ids = await IntakeScenario.CaseIdsAsync(db);

        Assert.All(ids, id => Assert.True(CaseId.TryParse(id, out _), id));
        Assert.Equal(ids.Count, ids.Select(id => id[16..]).Distinct().Count());
        // The first import opened 42 cases, numbered from 0 at its instant; the second and third one each, a minute apart.
        var first = FakeTime.Start.ToUnixTimeMilliseconds();
        var expected = Enumerable.Range(0, 42).Select(n => CaseId.Mint(first, n, 0))
            .Append(CaseId.Mint(first + 60_000, 0, 0)).Append(CaseId.Mint(first + 120_000, 0, 0));
        Assert.Equal(expected.Select(id => id.ToString()[..16]), ids.Select(id => id[..16]));
        Assert.Equal(ids.Order(StringComparer.Ordinal), ids);
    }
}
