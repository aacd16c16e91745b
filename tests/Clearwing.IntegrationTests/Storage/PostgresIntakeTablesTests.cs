using Clearwing.Cases;
using Clearwing.Findings;
using Clearwing.IntegrationTests.Support;
using Clearwing.Storage;
using Dapper;
using Npgsql;

namespace Clearwing.IntegrationTests.Storage;

/// <summary>PostgreSQL's intake tables (COPY and set-based statements) against SQLite's: the same rows, and case ids of one format.</summary>
public sealed class PostgresIntakeTablesTests
{
    [Fact]
    public async Task PostgreSQLs_tables_store_the_same_rows_as_SQLites()
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

    static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Rows_encoded_for_COPY_arrive_with_their_values_intact()
    {
        await using var db = await TestDatabases.CreateAsync(Engine.Postgres);
        await using var connection = (NpgsqlConnection)await db.OpenAsync(Ct);
        await connection.ExecuteAsync("CREATE TABLE t (k BIGINT PRIMARY KEY, a TEXT NOT NULL, b TEXT, c DOUBLE PRECISION, d BIGINT)");
        // Text longer than the buffer it starts in, empty text, non-ASCII text, the extremes of each number.
        var rows = Enumerable.Range(0, 300)
            .Select(i => (Key: (long)i, A: i % 4 == 0 ? "" : new string((char)('a' + i % 26), i * 97) + "é✓😀", B: i % 3 == 0 ? null : $"b{i}",
                C: i == 1 ? double.MaxValue : i == 2 ? -0.5 : i / 4.0, D: i % 2 == 0 ? (long?)null : i == 1 ? long.MinValue : long.MaxValue - i))
            .ToList();
        string[] columns = ["k", "a", "b", "c", "d"];
        // Half as one COPY, half through one COPY written in two parts.
        using (var first = new CopyRows(5, 64))
        using (var second = new CopyRows(5, 64))
        using (var third = new CopyRows(5, 64))
        {
            foreach (var r in rows) (r.Key < 150 ? first : r.Key < 200 ? second : third).Add([r.Key, r.A, r.B, r.C, r.D]);
            first.Send(connection, "t", columns);
            using var copy = CopyStream.Start(connection, "t", columns);
            copy.Write(second);
            copy.Write(third);
            copy.Complete();
        }

        var stored = (await connection.QueryAsync<(long, string, string?, double, long?)>("SELECT k, a, b, c, d FROM t ORDER BY k")).ToList();
        Assert.Equal(rows, stored);
    }

    [Fact]
    public async Task A_row_the_server_refuses_fails_the_writer_with_the_servers_error_and_the_transaction_rolls_back()
    {
        await using var db = await TestDatabases.CreateAsync(Engine.Postgres);
        await using var connection = await db.OpenAsync(Ct);
        await using var tx = await db.BeginAsync(connection, Ct);
        var projectId = await ProjectStore.EnsureAsync(connection, tx, "p", 0, Ct);

        var refused = Assert.Throws<PostgresException>(() =>
        {
            using var tables = IntakeTables.Open(connection, tx, 100_000, directSqliteCalls: true);
            for (var i = 0; i < 3; i++) tables.AddFingerprint([tables.NextFingerprint(), projectId, "same", 1L]);
            tables.Flush();
        });

        Assert.Equal(PostgresErrorCodes.UniqueViolation, refused.SqlState);
        await tx.RollbackAsync(Ct);
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM fingerprints"));
    }

    [Fact]
    public async Task Imports_into_two_projects_at_once_open_every_case_each_under_keys_of_its_own()
    {
        await using var db = await TestDatabases.CreateAsync(Engine.Postgres);
        var importer = Wired.For(db).Get<Importer>();
        // Enough new cases that each import reserves several blocks of keys while the other does too.
        var logs = new[] { "a", "b" }.ToDictionary(p => p, p => Some.SarifLog(Enumerable.Range(1, 3_000)
            .Select(n => new SomeResult($"RULE{n % 7}", $"src/{p}{n % 50}.c", n, $"call_{p}_{n}(buffer, length);"))));

        var summaries = await Task.WhenAll(logs.Select(l => Task.Run(() =>
            importer.ImportAsync(new ImportRequest(l.Key, [new ImportFile(l.Value, "run.sarif")], "r1"), null, Ct), Ct)));

        Assert.All(summaries, s => Assert.Equal(3_000, s.NewCases));
        await using var connection = await db.OpenAsync(Ct);
        Assert.Equal(6_000, await connection.ExecuteScalarAsync<long>("SELECT count(DISTINCT seq) FROM cases"));
        Assert.Equal(6_000, await connection.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM fingerprints x JOIN cases c ON c.seq = x.case_seq AND c.project_id = x.project_id"));
        Assert.Equal(6_000, await connection.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM findings f JOIN fingerprints x ON x.id = f.fingerprint_id AND x.project_id = f.project_id"));
    }
}
