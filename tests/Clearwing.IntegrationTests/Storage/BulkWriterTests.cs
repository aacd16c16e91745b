using Clearwing.Storage;
using Dapper;

namespace Clearwing.IntegrationTests.Storage;

/// <summary>The one bulk load over both engines: the same rows arrive, and a bad row fails the load rather than vanishing.</summary>
public sealed class BulkWriterTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task Every_row_is_stored_with_its_values_intact_on_both_engines(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        await using var connection = await db.OpenAsync(Ct);
        await connection.ExecuteAsync("CREATE TABLE t (k BIGINT PRIMARY KEY, a TEXT NOT NULL, b TEXT, c DOUBLE PRECISION, d BIGINT)");
        // Full SQLite statements and a remainder; empty text stays empty text, long and non-ASCII text arrives whole.
        var rows = Enumerable.Range(0, 2 * BatchedInsert.RowsPerStatement + 5)
            .Select(i => (Key: (long)i, A: i % 4 == 0 ? "" : new string((char)('a' + i % 26), i * 31) + "é✓😀", B: i % 3 == 0 ? null : $"b{i}",
                C: i / 4.0, D: i % 2 == 0 ? (long?)null : long.MaxValue - i))
            .ToList();
        await using (var tx = await db.BeginAsync(connection, Ct))
        {
            var row = new object?[5];
            await using (var writer = await BulkWriter.OpenAsync(connection, "t", ["k", "a", "b", "c", "d"], Ct))
            {
                foreach (var r in rows)
                {
                    (row[0], row[1], row[2], row[3], row[4]) = (r.Key, r.A, r.B, r.C, r.D);
                    await writer.AddAsync(row, Ct);
                }
                await writer.CompleteAsync(Ct);
            }
            await tx.CommitAsync(Ct);
        }

        var stored = (await connection.QueryAsync<(long, string, string?, double, long?)>("SELECT k, a, b, c, d FROM t ORDER BY k")).ToList();
        Assert.Equal(rows, stored);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_row_that_breaks_a_constraint_fails_the_load_on_both_engines(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        await using var connection = await db.OpenAsync(Ct);
        await connection.ExecuteAsync("CREATE TABLE t (k BIGINT PRIMARY KEY, a TEXT NOT NULL)");
        await using var tx = await db.BeginAsync(connection, Ct);

        await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var writer = await BulkWriter.OpenAsync(connection, "t", ["k", "a"], Ct);
            for (var i = 0; i < 10; i++) await writer.AddAsync([i == 7 ? 3L : (long)i, "x"], Ct);
            await writer.CompleteAsync(Ct);
        });
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_row_with_the_wrong_number_of_values_is_refused_on_both_engines(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        await using var connection = await db.OpenAsync(Ct);
        await connection.ExecuteAsync("CREATE TABLE t (k BIGINT PRIMARY KEY, a TEXT)");
        await using var tx = await db.BeginAsync(connection, Ct);
        await using var writer = await BulkWriter.OpenAsync(connection, "t", ["k", "a"], Ct);

        await Assert.ThrowsAsync<ArgumentException>(async () => await writer.AddAsync([1L], Ct));
        await Assert.ThrowsAsync<ArgumentException>(async () => await writer.AddAsync([1L, "a", "b"], Ct));
    }
}
