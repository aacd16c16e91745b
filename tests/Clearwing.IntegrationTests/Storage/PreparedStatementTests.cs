using Clearwing.Storage;
using Dapper;

namespace Clearwing.IntegrationTests.Storage;

/// <summary>SQLite's C API path: the direct calls only on e_sqlite3, the ordinary calls storing the same, and one value per parameter.</summary>
public sealed class PreparedStatementTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_run_with_more_or_fewer_values_than_the_statement_takes_is_refused()
    {
        await using var db = await TestDatabases.CreateAsync(Engine.Sqlite);
        await using var connection = await db.OpenAsync(Ct);
        await connection.ExecuteAsync("CREATE TABLE t (k INTEGER PRIMARY KEY, a TEXT)");
        await using var tx = await db.BeginAsync(connection, Ct);
        using var insert = PreparedStatement.Prepare(connection, "INSERT INTO t (k, a) VALUES (?, ?)");

        var fewer = Assert.Throws<ArgumentException>(() => insert.Run([1L]));
        var more = Assert.Throws<ArgumentException>(() => insert.Run([1L, "a", "b"]));

        Assert.Contains("takes 2 values; 1 were given", fewer.Message);
        Assert.Contains("takes 2 values; 3 were given", more.Message);
        insert.Run([1L, "a"]);
        Assert.Equal(1, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM t", transaction: tx));
    }

    [Fact]
    public async Task A_batched_row_with_the_wrong_number_of_values_is_refused()
    {
        await using var db = await TestDatabases.CreateAsync(Engine.Sqlite);
        await using var connection = await db.OpenAsync(Ct);
        await connection.ExecuteAsync("CREATE TABLE t (k INTEGER PRIMARY KEY, a TEXT)");
        await using var tx = await db.BeginAsync(connection, Ct);
        using var insert = new BatchedInsert(connection, "t", ["k", "a"]);

        Assert.Throws<ArgumentException>(() => insert.Add([1L]));
        Assert.Throws<ArgumentException>(() => insert.Add([1L, "a", "b"]));
    }

    [Fact]
    public async Task Statements_call_e_sqlite3_directly_unless_told_not_to()
    {
        await using var db = await TestDatabases.CreateAsync(Engine.Sqlite);
        await using var connection = await db.OpenAsync(Ct);

        Assert.True(PreparedStatement.CanCallDirectly);
        using var direct = PreparedStatement.Prepare(connection, "SELECT 1");
        using var ordinary = PreparedStatement.Prepare(connection, "SELECT 1", direct: false);
        Assert.True(direct.Direct);
        Assert.False(ordinary.Direct);
    }

    [Theory, InlineData(true), InlineData(false)]
    public async Task Both_paths_store_every_value_as_given(bool direct)
    {
        await using var db = await TestDatabases.CreateAsync(Engine.Sqlite);
        await using var connection = await db.OpenAsync(Ct);
        await connection.ExecuteAsync("CREATE TABLE t (k INTEGER PRIMARY KEY, a TEXT, b TEXT, c REAL)");
        // Empty text stays empty text, not null; non-ASCII text and text past the first buffer arrive whole.
        var rows = Enumerable.Range(0, 2 * BatchedInsert.RowsPerStatement + 3)
            .Select(i => (Key: (long)i, A: i % 4 == 0 ? "" : new string('x', i * 90) + "é✓😀", B: i % 3 == 0 ? null : $"b{i}", C: i / 8.0))
            .ToList();
        await using (var tx = await db.BeginAsync(connection, Ct))
        {
            using var insert = new BatchedInsert(connection, "t", ["k", "a", "b", "c"], direct);
            var row = new object?[4];
            foreach (var r in rows)
            {
                (row[0], row[1], row[2], row[3]) = (r.Key, r.A, r.B, r.C);
                insert.Add(row);
            }
            insert.Complete();
            await tx.CommitAsync(Ct);
        }

        Assert.Equal(rows, (await connection.QueryAsync<(long, string, string?, double)>("SELECT k, a, b, c FROM t ORDER BY k")).ToList());
        Assert.Equal(rows.Count(r => r.A == ""), await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM t WHERE a = ''"));
    }
}
