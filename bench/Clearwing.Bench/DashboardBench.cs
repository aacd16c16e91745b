using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Clearwing.Access;
using Clearwing.Server;
using Clearwing.Storage;
using Dapper;

namespace Clearwing.Bench;

/// <summary>
/// The dashboard's reads timed over HTTP against the real server (<see cref="ServerHost.BuildAsync"/> on a loopback port), as a
/// signed-in member's browser would ask them, on the program <see cref="DashboardProgram"/> builds: each operation is asked
/// for <c>warm-up</c> times, then <c>runs</c> times timed from request to the last byte of the answer, one at a time; the table
/// gives the median, the 95th percentile and the slowest. An operation is a name, who asks, and a path: add one to
/// <see cref="Operations"/> (a page of the dashboard is a path like any other).
/// </summary>
static class DashboardBench
{
    /// <summary>Who asks: the coordinator's admin, or the admin of the maintainer org of the largest project (granted the cases
    /// it was notified of).</summary>
    enum Who { Coordinator, Maintainer }

    /// <param name="Page">The page to time: the path's first page, or the page reached by following <c>next</c> that many times
    /// less one (its cursor is taken once, before the timing).</param>
    sealed record Operation(string Name, Who Who, string Path, int Page = 1);

    /// <summary>What is timed. The case queue: each filter and sort, its first page and a deep one (page 50 of 100 cases).</summary>
    static IEnumerable<Operation> Operations()
    {
        const string Cases = "/api/v1/cases?limit=100";
        var big = DashboardProgram.Projects[0];
        var small = DashboardProgram.Projects[^1];
        (string Name, string Query)[] queue =
        [
            ("queue (priority)", ""),
            ("state new,triage", "&state=new,triage"),
            ($"project {big} (30%)", $"&project={big}"),
            ($"project {small} (2%)", $"&project={small}"),
            ("severity ≥ high", "&minSeverity=high"),
            ("priority ≥ 30", "&minPriority=30"),
            ("finder libFuzzer (8%)", "&finder=libFuzzer"),
            ("deadline passed", "&deadline=passed"),
            ("deadline within 7 days", "&deadline=7"),
            ("exposed", "&exposed=true"),
            ($"project {big}, state triage+confirmed, severity ≥ medium, finder clearwing-ai",
                $"&project={big}&state=triage&state=confirmed&minSeverity=medium&finder=clearwing-ai"),
            ("sort deadline", "&sort=deadline"),
            ("sort age", "&sort=age"),
            ("sort severity", "&sort=severity"),
            ("sort recent", "&sort=recent"),
        ];
        foreach (var (name, query) in queue)
        {
            yield return new Operation($"cases: {name}, first page", Who.Coordinator, Cases + query);
            yield return new Operation($"cases: {name}, page 50", Who.Coordinator, Cases + query, 50);
        }
        yield return new Operation("cases: as a maintainer (its granted cases), first page", Who.Maintainer, Cases);
        yield return new Operation($"cases: as a maintainer, state notified, first page", Who.Maintainer, Cases + "&state=notified");
    }

    public static async Task<int> RunAsync(string folder, string? postgres, int runs, int warmup)
    {
        Directory.CreateDirectory(folder);
        var engines = new List<(string Name, string Spec)> { ("SQLite", Path.Combine(folder, "dashboard.db")) };
        if (postgres is not null) engines.Add(("PostgreSQL", postgres));
        var results = new List<(string Engine, Operation Op, int Page, int Items, string Total, double[] Ms)>();
        foreach (var (engine, spec) in engines)
        {
            await using (var db = Database.Open(spec))
            {
                if (!await DashboardProgram.ExistsAsync(db))
                {
                    Console.WriteLine($"{engine}: building the program (once; --keep {folder} reuses it)");
                    await DashboardProgram.BuildAsync(db, folder, Console.Out);
                }
                await using var connection = await db.OpenAsync();
                var cases = await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM cases");
                var findings = await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM findings");
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{engine}: {cases:N0} cases, {findings:N0} findings ({db.Display})"));
            }
            // The server logs as it would in production; a line per request on the console would be timed with the request.
            Environment.SetEnvironmentVariable("Logging__LogLevel__Default", "Warning");
            var app = await ServerHost.BuildAsync(new ServerOptions
            {
                Database = spec, Urls = "http://127.0.0.1:0", RunWorkers = false, KeyFile = Path.Combine(folder, $"dashboard-{engine}.key"),
                // One member asks thousands of times a minute here; the limit stays in the path, only higher.
                RequestsPerMinute = 1_000_000,
            });
            await app.StartAsync();
            try
            {
                var root = new Uri(app.Urls.First());
                var clients = new Dictionary<Who, HttpClient>
                {
                    [Who.Coordinator] = await SignInAsync(root, DashboardProgram.AdminLogin, null),
                    [Who.Maintainer] = await SignInAsync(root, DashboardProgram.MaintainerLogin, DashboardProgram.MaintainerOrg),
                };
                foreach (var op in Operations())
                {
                    var http = clients[op.Who];
                    var (path, page) = await PageAsync(http, op.Path, op.Page);
                    using var last = JsonDocument.Parse(await http.GetByteArrayAsync(path));
                    var items = last.RootElement.GetProperty("items").GetArrayLength();
                    var total = last.RootElement.GetProperty("total").GetInt64().ToString("N0", CultureInfo.InvariantCulture)
                        + (last.RootElement.TryGetProperty("totalCapped", out var capped) && capped.GetBoolean() ? "+" : "");
                    for (var i = 0; i < warmup; i++) await TimeAsync(http, path);
                    var ms = new double[runs];
                    for (var i = 0; i < runs; i++) ms[i] = await TimeAsync(http, path);
                    Array.Sort(ms);
                    results.Add((engine, op, page, items, total, ms));
                    Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{engine} {op.Name}: p50 {ms[runs / 2]:F1} ms, p95 {Percentile(ms, 95):F1} ms"));
                }
                foreach (var client in clients.Values) client.Dispose();
            }
            finally
            {
                await app.StopAsync();
                await app.DisposeAsync();
            }
        }

        Console.WriteLine();
        Console.WriteLine($"| operation | engine | page | cases on it | total | p50 ms | p95 ms | max ms |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|---:|---:|");
        foreach (var (engine, op, page, items, total, ms) in results.OrderBy(r => r.Op.Name, StringComparer.Ordinal).ThenBy(r => r.Engine))
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {op.Name} | {engine} | {page} | {items} | {total} | {ms[ms.Length / 2]:F1} | {Percentile(ms, 95):F1} | {ms[^1]:F1} |"));
        var slow = results.Where(r => Percentile(r.Ms, 95) > 50).ToList();
        Console.WriteLine();
        Console.WriteLine(slow.Count == 0 ? "Every operation's 95th percentile is within 50 ms."
            : $"Over 50 ms at the 95th percentile: {string.Join("; ", slow.Select(s => $"{s.Op.Name} ({s.Engine})"))}.");
        return 0;
    }

    static double Percentile(double[] sorted, int p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(sorted.Length * p / 100.0) - 1)];

    /// <summary>The path of page <paramref name="page"/> of <paramref name="first"/>, following <c>next</c>; the last page when there
    /// are fewer, and which page that is.</summary>
    static async Task<(string Path, int Page)> PageAsync(HttpClient http, string first, int page)
    {
        var path = first;
        for (var n = 1; n < page; n++)
        {
            using var body = JsonDocument.Parse(await http.GetByteArrayAsync(path));
            if (body.RootElement.GetProperty("next").GetString() is not { } next) return (path, n);
            path = $"{first}&after={Uri.EscapeDataString(next)}";
        }
        return (path, page);
    }

    static async Task<double> TimeAsync(HttpClient http, string path)
    {
        var watch = Stopwatch.StartNew();
        using var response = await http.GetAsync(path, HttpCompletionOption.ResponseContentRead);
        response.EnsureSuccessStatusCode();
        await response.Content.ReadAsByteArrayAsync();
        return watch.Elapsed.TotalMilliseconds;
    }

    /// <summary>A client signed in with a password, as a browser is: the session cookie rides on every request.</summary>
    static async Task<HttpClient> SignInAsync(Uri root, string login, string? org)
    {
        var http = new HttpClient(new SocketsHttpHandler { CookieContainer = new CookieContainer(), UseCookies = true }) { BaseAddress = root };
        using var response = await http.PostAsJsonAsync("/api/v1/session", new { login, password = DashboardProgram.AdminPassword, org });
        response.EnsureSuccessStatusCode();
        return http;
    }
}
