using System.Diagnostics;
using System.Globalization;
using System.Text;
using Clearwing.Disclosure;
using Clearwing.Disclosure.Writers;
using Clearwing.Findings;
using Clearwing.Server;
using Clearwing.Storage;
using Dapper;

namespace Clearwing.Bench;

/// <summary>
/// The public feed's OSV API timed over HTTP on loopback (issue 18, point 7): ADVISORIES published advisories (OSV records written by
/// the product's own writer, over a pool of packages in three ecosystems, about five advisories a package), then single
/// <c>/v1/query</c> calls and <c>/v1/querybatch</c> calls of 1,000 package queries, one at a time, from request to the last byte:
/// p50, p99 and the slowest. The first request after start builds the feed's index; its time is reported apart.
/// </summary>
static class FeedBench
{
    static readonly string[] Ecosystems = ["npm", "pypi", "maven"];

    public static async Task<int> RunAsync(int advisories, string folder, string? postgres, int singles, int batches)
    {
        Directory.CreateDirectory(folder);
        var spec = postgres ?? Path.Combine(folder, $"feed-{Guid.NewGuid():N}.db");
        var packages = Math.Max(1, advisories / 5);
        await using (var db = Database.Open(spec))
        {
            await Migrator.MigrateAsync(db, TimeProvider.System);
            var watch = Stopwatch.StartNew();
            await PublishAsync(db, advisories, packages);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{db.Display}: {advisories:N0} advisories over {packages:N0} packages stored in {watch.Elapsed.TotalSeconds:F1} s"));
        }
        Environment.SetEnvironmentVariable("Logging__LogLevel__Default", "Warning");
        var app = await ServerHost.BuildAsync(new ServerOptions
        {
            Database = spec, Urls = "http://127.0.0.1:0", RunWorkers = false, KeyFile = Path.Combine(folder, "feed.key"),
            RequestsPerMinute = 10_000_000,
        });
        await app.StartAsync();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
            var random = new Random(18);
            var first = Stopwatch.StartNew();
            await PostAsync(http, "/v1/query", Query(random, packages));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"first query (builds the index): {first.Elapsed.TotalMilliseconds:F0} ms"));
            var single = await TimeAsync(singles, 200, () => PostAsync(http, "/v1/query", Query(random, packages)));
            var batch = await TimeAsync(batches, 10, () => PostAsync(http, "/v1/querybatch",
                "{\"queries\":[" + string.Join(",", Enumerable.Range(0, PublicFeed.MaxBatch).Select(_ => Query(random, packages))) + "]}"));
            Console.WriteLine();
            Console.WriteLine("| request | advisories | timed | p50 ms | p99 ms | max ms | target p99 |");
            Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
            Console.WriteLine(Row("POST /v1/query (one package version)", advisories, single, 5));
            Console.WriteLine(Row("POST /v1/querybatch (1,000 package versions)", advisories, batch, 100));
            return DashboardBench.Percentile(single, 99) <= 5 && DashboardBench.Percentile(batch, 99) <= 100 ? 0 : 1;
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
            if (postgres is null) foreach (var f in Directory.GetFiles(folder, Path.GetFileName(spec) + "*")) File.Delete(f);
        }
    }

    static string Row(string name, int advisories, double[] ms, int target) => string.Create(CultureInfo.InvariantCulture,
        $"| {name} | {advisories:N0} | {ms.Length:N0} | {ms[ms.Length / 2]:F2} | {DashboardBench.Percentile(ms, 99):F2} | {ms[^1]:F2} " +
        $"| {target} ms |");

    /// <summary>A query for a random package at a random version: a third of them inside an advisory's range.</summary>
    internal static string Query(Random random, int packages)
    {
        var n = random.Next(packages);
        return $$"""{"package":{"purl":"{{Purl(n)}}"},"version":"{{random.Next(4)}}.{{random.Next(10)}}.0"}""";
    }

    static string Purl(int n) => Ecosystems[n % 3] switch
    {
        "maven" => $"pkg:maven/org.bench/lib{n}",
        var type => $"pkg:{type}/lib{n}",
    };

    static async Task PostAsync(HttpClient http, string path, string body)
    {
        using var response = await http.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));
        response.EnsureSuccessStatusCode();
        await response.Content.ReadAsByteArrayAsync();
    }

    static async Task<double[]> TimeAsync(int runs, int warmup, Func<Task> request)
    {
        for (var i = 0; i < warmup; i++) await request();
        var ms = new double[runs];
        for (var i = 0; i < runs; i++)
        {
            var watch = Stopwatch.StartNew();
            await request();
            ms[i] = watch.Elapsed.TotalMilliseconds;
        }
        Array.Sort(ms);
        return ms;
    }

    /// <summary>Stores the advisories as publication would (a row per advisory with its documents), written by the product's writers:
    /// the feed reads nothing else. Ranges: introduced at a random minor of 0.x–2.x, fixed one to two minors later.</summary>
    internal static async Task PublishAsync(Database db, int advisories, int packages)
    {
        // One case for the rows to belong to: the feed reads the published rows alone, whatever case they came from.
        var log = Path.Combine(Path.GetTempPath(), $"feed-bench-{Environment.ProcessId}.sarif");
        File.WriteAllText(log,
            """{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"bench"}},"results":[{"ruleId":"R1","message":{"text":"x"}}]}]}""");
        await Wired.Get<Importer>(db).ImportAsync(new ImportRequest("bench", [new ImportFile(log, "one.sarif")]), null);
        File.Delete(log);
        await using var connection = await db.OpenAsync();
        var caseSeq = await connection.ExecuteScalarAsync<long>("SELECT min(seq) FROM cases");
        var publisher = AdvisoryPublisher.FromEnvironment(_ => null);
        var random = new Random(7);
        var at = new DateTimeOffset(2026, 11, 2, 9, 0, 0, TimeSpan.Zero);
        await using var tx = await db.BeginAsync(connection);
        for (var i = 0; i < advisories; i++)
        {
            var n = random.Next(packages);
            var major = random.Next(3);
            var minor = random.Next(8);
            var purl = Purl(n);
            var type = purl[4..purl.IndexOf('/')];
            var content = new AdvisoryContent($"Flaw {i} in lib{n}", $"A flaw in lib{n}.",
                [new AdvisoryAffected(purl, $"vers:{type}/>={major}.{minor}.0|<{major}.{minor + 1 + random.Next(2)}.0")],
                [new AdvisorySeverity("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")], new Dictionary<string, string>(), ["CWE-787"],
                [new AdvisoryCredit("bench")], [], [], [$"CVE-2026-{100000 + i}"]);
            var release = new AdvisoryRelease($"CVE-2026-{100000 + i}", "bench", content, AdvisoryStatus.Published,
                [new AdvisoryRevision(1, at, "Initial version.")], publisher, [], at);
            await connection.ExecuteAsync(
                """
                INSERT INTO advisory_versions (advisory_id, version, case_seq, published_at, published_by, summary, content, osv, csaf, csaf_vex,
                                               csaf_path, csaf_vex_path)
                VALUES (@id, 1, @caseSeq, @at, 'bench', 'Initial version.', '{}', @osv, '{}', '{}', @path, @vexPath)
                """, new
                {
                    id = release.Id, caseSeq, at = at.ToUnixTimeMilliseconds(), osv = Encoding.UTF8.GetString(OsvWriter.Write(release)),
                    path = AdvisoryWriters.CsafPath(release, vex: false), vexPath = AdvisoryWriters.CsafPath(release, vex: true),
                }, tx);
        }
        await connection.ExecuteAsync("UPDATE advisory_feed SET generation = generation + 1", transaction: tx);
        await tx.CommitAsync();
    }
}
