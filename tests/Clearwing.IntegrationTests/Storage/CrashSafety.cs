using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Clearwing.IntegrationTests.Cli;
using Clearwing.Storage;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Clearwing.IntegrationTests.Storage;

/// <summary>
/// The kill harness of <see cref="CrashSafetyTests"/> (docs/crash-safety.md). One seeded database per operation and engine is
/// copied for every run (a file copy on SQLite, CREATE DATABASE … TEMPLATE on PostgreSQL); the operation runs as the built
/// `clearwing` in a child process and is killed with SIGKILL (Process.Kill) after a delay drawn from the seeded random source.
/// </summary>
internal static class CrashSafety
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    static string Cli => Path.Combine(AppContext.BaseDirectory, "clearwing");

    /// <summary>Every table's rows as text, by table; the rows in the order of their columns.</summary>
    sealed record Snapshot(Dictionary<string, (string[] Columns, List<string[]> Rows)> Tables);

    sealed record Child(bool Exited, int Exit, double Milliseconds, string Err);

    /// <param name="perCase">
    /// Null for an operation that is one transaction: after a kill the state is the one before or the one after, nothing else. For one
    /// that commits case by case (a dispatch round), what each case must show whatever the kill left: the query's rows name the cases
    /// that break it.
    /// </param>
    internal static async Task RunAsync(Engine engine, string operation, Func<string, Task<string[]>> seed, int points, int randomSeed,
        string? perCase = null)
    {
        var wall = Stopwatch.StartNew();
        var origin = await TestDatabases.CreateSpecAsync(engine);
        await using (var db = Database.Open(origin))
            await Migrator.MigrateAsync(db, TimeProvider.System, Ct);
        var args = await seed(origin);
        // Reading the queue brings the priorities the seeding left stale up to date (a write of its own, outside any operation's).
        Assert.Equal(0, (await CliTests.Run("cases", "list", "--count", "--db", origin)).Exit);
        ClearPools();

        // The instants that matter: how long the program takes to start and read the database, and how long the operation runs.
        var (beforeSpec, startupSpec) = (await CloneAsync(origin), await CloneAsync(origin));
        var startups = new double[3];
        for (var i = 0; i < startups.Length; i++) startups[i] = (await RunChildAsync(startupSpec, ["cases", "list", "--count"], null)).Milliseconds;
        var startup = Median(startups);
        await DropAsync(startupSpec);
        var (first, second) = (await CloneAsync(origin), await CloneAsync(origin));
        var firstRun = await RunChildAsync(first, args, null);
        Assert.True(firstRun.Exit == 0, $"{operation} failed uninterrupted: {firstRun.Err}");
        // Apart by more than a second, so that a clock value stored at second resolution differs between the runs too.
        await Task.Delay(1_100, Ct);
        var secondRun = await RunChildAsync(second, args, null);
        Assert.True(secondRun.Exit == 0, $"{operation} failed uninterrupted: {secondRun.Err}");
        var duration = Math.Max(firstRun.Milliseconds, secondRun.Milliseconds);

        // Columns two uninterrupted runs fill differently (clock values, random case ids, the hashes over them) are not state to compare.
        var reference = await SnapshotAsync(first);
        var stable = StableColumns(reference, await SnapshotAsync(second), operation);
        var before = Digest(await SnapshotAsync(beforeSpec), stable);
        var after = Digest(reference, stable);
        Assert.False(Same(before, after), $"{operation} changed nothing");
        foreach (var spec in new[] { beforeSpec, second }) await DropAsync(spec);

        // Kills before 0.9 × startup land while .NET starts, before the database is opened: they prove nothing, so few are spent there.
        // Under load a short operation's run can measure shorter than the startup measured just before: the window stays open.
        var (low, high) = (startup * 0.9, Math.Max(duration, startup * 1.3));
        var random = new Random(randomSeed);
        var (beforeStart, mid, afterEnd, committed) = (0, 0, 0, 0);
        var current = first;
        await DropAsync(current);
        current = await CloneAsync(origin);
        for (var point = 0; point < points; point++)
        {
            var delay = low + random.NextDouble() * (high - low);
            var run = await RunChildAsync(current, args, delay);
            var where = $"{operation} on {engine}, seed {randomSeed}, point {point} (kill at {delay:F0} ms)";
            if (run.Exited)
            {
                Assert.True(run.Exit == 0, $"{where}: exited {run.Exit}: {run.Err}");
                afterEnd++;
            }
            else if (delay < startup) beforeStart++;
            else mid++;

            var state = Digest(await SnapshotAsync(current), stable);
            var (isBefore, isAfter) = (Same(state, before), Same(state, after));
            if (perCase is null)
                Assert.True(isBefore || isAfter,
                    $"{where}: partial state; tables unlike before: {Unlike(state, before)}; unlike after: {Unlike(state, after)}");
            else
            {
                var broken = await BrokenAsync(current, perCase);
                Assert.True(broken.Length == 0, $"{where}: half-applied cases: {broken}");
            }
            await AssertVerifiesAsync(current, where);
            if (isAfter)
            {
                // Done: the next point starts again from the state before the operation.
                committed++;
                await DropAsync(current);
                current = await CloneAsync(origin);
            }
            else Assert.False(run.Exited, $"{where}: exited 0 and did not reach the state of an uninterrupted run: {Unlike(state, after)}");
        }
        // The last attempt was killed before it committed: the re-run, left to finish, converges too.
        if (!Same(Digest(await SnapshotAsync(current), stable), after))
        {
            var last = await RunChildAsync(current, args, null);
            Assert.True(last.Exit == 0, $"{operation}: the final re-run failed: {last.Err}");
            var state = Digest(await SnapshotAsync(current), stable);
            Assert.True(Same(state, after), $"{operation}: the re-run did not converge; tables unlike an uninterrupted run: {Unlike(state, after)}");
            await AssertVerifiesAsync(current, $"{operation} after the final re-run");
        }
        await DropAsync(current);

        var figures = $"{operation} | {engine} | {points} kills | {mid} mid-operation, {beforeStart} before start, {afterEnd} after the end | "
            + $"{committed} committed | startup {startup:F0} ms, run {duration:F0} ms | seed {randomSeed} | {wall.Elapsed.TotalSeconds:F1} s";
        TestContext.Current.TestOutputHelper?.WriteLine(figures);
        if (Environment.GetEnvironmentVariable("CLEARWING_CRASH_REPORT") is { Length: > 0 } report)
            await File.AppendAllTextAsync(report, figures + "\n", Ct);
    }

    static async Task<string> BrokenAsync(string spec, string query)
    {
        await using var db = Database.Open(spec);
        await using var connection = await db.OpenAsync(Ct);
        return string.Join(", ", await Dapper.SqlMapper.QueryAsync<string>(connection, query));
    }

    static async Task AssertVerifiesAsync(string spec, string where)
    {
        var (exit, output, err) = await CliTests.Run("audit", "verify", "--json", "--db", spec);
        Assert.True(exit == 0, $"{where}: audit verify: {output}{err}");
        Assert.True(JsonDocument.Parse(output).RootElement.GetProperty("intact").GetBoolean(), $"{where}: {output}");
    }

    /// <summary>Runs the CLI on <paramref name="spec"/>; with <paramref name="killAfter"/>, SIGKILLs it that many ms after its start.</summary>
    static async Task<Child> RunChildAsync(string spec, string[] args, double? killAfter)
    {
        var start = new ProcessStartInfo(Cli) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args.Concat(["--db", spec])) start.ArgumentList.Add(arg);
        var clock = Stopwatch.StartNew();
        using var child = Process.Start(start)!;
        var (stdout, stderr) = (child.StandardOutput.ReadToEndAsync(Ct), child.StandardError.ReadToEndAsync(Ct));
        var exited = true;
        if (killAfter is { } delay)
        {
            exited = child.WaitForExit(TimeSpan.FromMilliseconds(Math.Max(0, delay - clock.Elapsed.TotalMilliseconds)));
            if (!exited) child.Kill(entireProcessTree: true);
        }
        await child.WaitForExitAsync(Ct);
        var elapsed = clock.Elapsed.TotalMilliseconds;
        await stdout;
        return new Child(exited, child.ExitCode, elapsed, await stderr);
    }

    static async Task<Snapshot> SnapshotAsync(string spec)
    {
        await using var db = Database.Open(spec);
        await using var connection = await db.OpenAsync(Ct);
        var tables = new Dictionary<string, (string[], List<string[]>)>(StringComparer.Ordinal);
        foreach (var table in (await UpgradeTests.TablesAsync(connection, db.Engine)).Where(t => t != "schema_migrations"))
        {
            var columns = (await UpgradeTests.ColumnsAsync(connection, db.Engine, table)).ToArray();
            await using var select = connection.CreateCommand();
            select.CommandText = $"SELECT {string.Join(", ", columns.Select(c => $"\"{c}\""))} FROM \"{table}\"";
            var rows = new List<string[]>();
            await using (var reader = await select.ExecuteReaderAsync(Ct))
                while (await reader.ReadAsync(Ct)) rows.Add([.. UpgradeTests.Values(reader)]);
            for (var c = 0; c < columns.Length; c++)
                if (IsKey(columns[c])) Rank(rows, c);
            tables[table] = (columns, rows);
        }
        return new Snapshot(tables);
    }

    /// <summary>Identity columns and the columns that refer to them, by the schema's naming.</summary>
    static bool IsKey(string column) => column is "id" or "seq" or "last_import" or "moved_to_fingerprint" or "together_with" or "made_by_member_org"
        || column.EndsWith("_id", StringComparison.Ordinal) || column.EndsWith("_seq", StringComparison.Ordinal);

    /// <summary>
    /// Replaces the integers of column <paramref name="c"/> by their dense rank: PostgreSQL's identity values are not transactional,
    /// so a killed attempt leaves a gap and its re-run numbers the same rows higher, in the same order.
    /// </summary>
    static void Rank(List<string[]> rows, int c)
    {
        if (!rows.All(r => r[c] == "\u2400" || long.TryParse(r[c], CultureInfo.InvariantCulture, out _))) return;
        var ranks = rows.Select(r => r[c]).Where(v => v != "\u2400").Select(v => long.Parse(v, CultureInfo.InvariantCulture)).Distinct().Order()
            .Select((value, rank) => (value, rank)).ToDictionary(p => p.value.ToString(CultureInfo.InvariantCulture), p => $"#{p.rank}");
        foreach (var row in rows)
            if (row[c] != "\u2400") row[c] = ranks[row[c]];
    }

    /// <summary>By table, the columns whose values (as a sorted multiset) two uninterrupted runs agree on.</summary>
    static Dictionary<string, int[]> StableColumns(Snapshot one, Snapshot two, string operation)
    {
        var stable = new Dictionary<string, int[]>(StringComparer.Ordinal);
        foreach (var (table, (columns, rows)) in one.Tables)
        {
            var other = two.Tables[table].Rows;
            Assert.True(rows.Count == other.Count, $"two uninterrupted runs of {operation} left {rows.Count} and {other.Count} rows in {table}");
            stable[table] = [.. Enumerable.Range(0, columns.Length).Where(c =>
                rows.Select(r => r[c]).Order(StringComparer.Ordinal).SequenceEqual(other.Select(r => r[c]).Order(StringComparer.Ordinal)))];
        }
        return stable;
    }

    /// <summary>By table, its row count and a hash of its rows in the stable columns, sorted.</summary>
    static Dictionary<string, string> Digest(Snapshot snapshot, Dictionary<string, int[]> stable) =>
        snapshot.Tables.ToDictionary(t => t.Key, t =>
        {
            var rows = t.Value.Rows.Select(r => string.Join('\u001f', stable[t.Key].Select(c => r[c]))).Order(StringComparer.Ordinal);
            var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', rows))))[..16];
            return $"{t.Value.Rows.Count} rows {hash}";
        }, StringComparer.Ordinal);

    static bool Same(Dictionary<string, string> one, Dictionary<string, string> two) => Unlike(one, two).Length == 0;

    static string Unlike(Dictionary<string, string> state, Dictionary<string, string> expected) =>
        string.Join(", ", expected.Where(e => state.GetValueOrDefault(e.Key) != e.Value)
            .Select(e => $"{e.Key} ({state.GetValueOrDefault(e.Key)} where {e.Value})"));

    static double Median(double[] values) => values.Order().ElementAt(values.Length / 2);

    static void ClearPools()
    {
        SqliteConnection.ClearAllPools();
        NpgsqlConnection.ClearAllPools();
    }

    /// <summary>A copy of the database <paramref name="origin"/> names, under a new name.</summary>
    static async Task<string> CloneAsync(string origin)
    {
        if (!origin.Contains('=', StringComparison.Ordinal))
        {
            var copy = Path.Combine(TestDatabases.Folder, $"{Guid.NewGuid():N}.db");
            foreach (var suffix in new[] { "", "-wal", ".key" })
                if (File.Exists(origin + suffix)) File.Copy(origin + suffix, copy + suffix);
            return copy;
        }
        var builder = new NpgsqlConnectionStringBuilder(origin);
        var name = "t_" + Guid.NewGuid().ToString("N");
        await AdminAsync(origin, $"CREATE DATABASE {name} TEMPLATE {builder.Database}");
        return new NpgsqlConnectionStringBuilder(origin) { Database = name }.ConnectionString;
    }

    static async Task DropAsync(string spec)
    {
        ClearPools();
        if (!spec.Contains('=', StringComparison.Ordinal))
        {
            foreach (var suffix in new[] { "", "-wal", "-shm", "-journal", ".key" }) File.Delete(spec + suffix);
            return;
        }
        await AdminAsync(spec, $"DROP DATABASE {new NpgsqlConnectionStringBuilder(spec).Database} WITH (FORCE)");
    }

    static async Task AdminAsync(string spec, string sql)
    {
        var server = new NpgsqlConnectionStringBuilder(spec) { Database = "postgres", Pooling = false };
        await using var admin = new NpgsqlConnection(server.ConnectionString);
        await admin.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(sql, admin);
        await command.ExecuteNonQueryAsync(Ct);
    }
}
