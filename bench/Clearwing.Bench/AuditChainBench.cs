using System.Diagnostics;
using System.Globalization;
using Clearwing.Access;
using Clearwing.Storage;
using Dapper;
using Npgsql;

namespace Clearwing.Bench;

/// <summary>
/// What the audit chain's lock costs on PostgreSQL (issue 20): W writers, each on its own connection, append events for a fixed
/// time, each in a transaction of its own as an audited change does (the chain lock, the head read, the insert, the commit). The
/// time spent waiting for <c>pg_advisory_xact_lock(72204, 0)</c> is measured on its own. The same writers then run the same
/// transactions on a table with no chain and no lock: the rate PostgreSQL gives when appends do not take turns.
/// </summary>
static class AuditChainBench
{
    public static async Task<int> RunAsync(string server, TimeSpan duration, IReadOnlyList<int> writers)
    {
        var name = $"bench_audit_{Environment.ProcessId}";
        await ExecuteAsync(server, $"CREATE DATABASE {name}");
        try
        {
            await using var db = Database.Open(new NpgsqlConnectionStringBuilder(server) { Database = name, Pooling = true, MaxPoolSize = 100 }
                .ConnectionString);
            await Migrator.MigrateAsync(db, TimeProvider.System);
            await using (var connection = await db.OpenAsync())
                await connection.ExecuteAsync("CREATE TABLE bench_unchained (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, payload TEXT)");
            var audit = new AuditLog(db, TimeProvider.System);
            Console.WriteLine("| writers | chained events/s | lock wait p50 (ms) | lock wait p99 (ms) | share of time waiting | unchained tx/s |");
            Console.WriteLine("|---:|---:|---:|---:|---:|---:|");
            foreach (var w in writers)
            {
                var chained = await RunWritersAsync(w, duration, async n =>
                {
                    await using var connection = await db.OpenAsync();
                    await using var tx = await db.BeginAsync(connection);
                    var started = Stopwatch.GetTimestamp();
                    await connection.ExecuteAsync("SELECT pg_advisory_xact_lock(72204, 0)", transaction: tx);
                    var waited = Stopwatch.GetElapsedTime(started);
                    await audit.AppendAsync(connection, tx, new AuditEntry("bench", null, $"case:{n}", "bench_append", new { n }));
                    await tx.CommitAsync();
                    return waited;
                });
                var unchained = await RunWritersAsync(w, duration, async n =>
                {
                    await using var connection = await db.OpenAsync();
                    await using var tx = await db.BeginAsync(connection);
                    await connection.ExecuteAsync("INSERT INTO bench_unchained (payload) VALUES (@p)", new { p = $"case:{n}" }, tx);
                    await tx.CommitAsync();
                    return TimeSpan.Zero;
                });
                var waits = chained.Waits.Order().ToList();
                var share = waits.Sum(t => t.TotalSeconds) / (w * duration.TotalSeconds);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {w} | {chained.Count / duration.TotalSeconds:N0} | {Percentile(waits, 0.5):N2} | {Percentile(waits, 0.99):N2} | " +
                    $"{share:P0} | {unchained.Count / duration.TotalSeconds:N0} |"));
            }
            var verified = await audit.VerifyAsync();
            Console.WriteLine($"Chain after the run: {verified.Count:N0} events, intact: {verified.Intact}");
            NpgsqlConnection.ClearAllPools();
            if (!verified.Intact) return 1;
        }
        finally
        {
            await ExecuteAsync(server, $"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
        }
        return 0;
    }

    static double Percentile(List<TimeSpan> sorted, double p) =>
        sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)(p * sorted.Count))].TotalMilliseconds;

    /// <summary>Runs <paramref name="writers"/> loops of <paramref name="transaction"/> until <paramref name="duration"/> ends.</summary>
    static async Task<(long Count, List<TimeSpan> Waits)> RunWritersAsync(int writers, TimeSpan duration, Func<long, Task<TimeSpan>> transaction)
    {
        var end = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var count = 0L;
        var waits = new List<TimeSpan>[writers];
        await Task.WhenAll(Enumerable.Range(0, writers).Select(i => Task.Run(async () =>
        {
            waits[i] = [];
            while (Stopwatch.GetTimestamp() < end) waits[i].Add(await transaction(Interlocked.Increment(ref count)));
        })));
        return (waits.Sum(w => w.Count), [.. waits.SelectMany(w => w)]);
    }

    static async Task ExecuteAsync(string server, string sql)
    {
        await using var admin = new NpgsqlConnection(server);
        await admin.OpenAsync();
        await using var command = new NpgsqlCommand(sql, admin);
        await command.ExecuteNonQueryAsync();
    }
}
