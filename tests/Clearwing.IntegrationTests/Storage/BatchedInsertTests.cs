using Clearwing.Storage;
using Dapper;

namespace Clearwing.IntegrationTests.Storage;

/// <summary>SQLite's multi-row insert: every row arrives, text survives the shared encoding buffer, and a bad row still fails the load.</summary>
public sealed class BatchedInsertTests
{
    [Fact]
    public async Task Every_row_is_stored_whatever_the_count_with_its_text_intact()
    {
        await using var db = await TestDatabases.CreateAsync(Engine.Sqlite);
        await using var connection = await db.OpenAsync(TestContext.Current.CancellationToken);
        await connection.ExecuteAsync("CREATE TABLE t (k INTEGER PRIMARY KEY, a TEXT NOT NULL, b TEXT, c REAL)");
        // Two full statements and a remainder; texts of every length, some beyond the first buffer, non-ASCII, and empty
        // text, which stays empty text rather than becoming null.
        var rows = Enumerable.Range(0, 2 * BatchedInsert.RowsPerStatement + 5)
            .Select(i => (Key: (long)i, A: new string((char)('a' + i % 26), i * 7) + "é✓😀", B: i % 3 == 0 ? null : i % 3 == 1 ? "" : $"b{i}", C: i / 4.0))
            .ToList();
        await using (var tx = await db.BeginAsync(connection, TestContext.Current.CancellationToken))
        {
            using var insert = new BatchedInsert(connection, "t", ["k", "a", "b", "c"]);
            var row = new object?[4];
            foreach (var r in rows)
            {
                (row[0], row[1], row[2], row[3]) = (r.Key, r.A, r.B, r.C);
                insert.Add(row);
            }
            insert.Complete();
            await tx.CommitAsync(TestContext.Current.CancellationToken);
        }
        var stored = (await connection.QueryAsync<(long, string, string?, double)>("SELECT k, a, b, c FROM t ORDER BY k")).ToList();
        Assert.Equal(rows, stored);
    }

    [Fact]
    public async Task A_row_that_breaks_a_constraint_fails_the_load_instead_of_being_skipped()
    {
        await using var db = await TestDatabases.CreateAsync(Engine.Sqlite);
        await using var connection = await db.OpenAsync(TestContext.Current.CancellationToken);
        await connection.ExecuteAsync("CREATE TABLE t (k INTEGER PRIMARY KEY, a TEXT NOT NULL)");
        await using var tx = await db.BeginAsync(connection, TestContext.Current.CancellationToken);
        using var insert = new BatchedInsert(connection, "t", ["k", "a"]);
        var e = Assert.Throws<InvalidOperationException>(() =>
        {
            for (var i = 0; i < BatchedInsert.RowsPerStatement; i++) insert.Add([i == 10 ? 3L : (long)i, "x"]);
        });
        Assert.Contains("1 of 64 rows were not stored", e.Message);
        Assert.Throws<InvalidOperationException>(() =>
        {
            insert.Add([100L, null]);
            insert.Complete();
        });
    }
}
