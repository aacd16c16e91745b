using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
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
static partial class DashboardBench
{
    /// <summary>Who asks: the coordinator's admin, or the admin of the maintainer org of the largest project (granted the cases
    /// it was notified of).</summary>
    enum Who { Coordinator, Maintainer }

    /// <summary>What an answer is: a page of the API's case list (JSON with <c>items</c>, <c>total</c>, <c>next</c>), a page of the
    /// dashboard (HTML; a case list's "Next page" link is its <c>next</c>), or any other JSON.</summary>
    enum Kind { CaseList, Html, Json }

    /// <param name="Page">The page to time: the path's first page, or the page reached by following <c>next</c> (the API's) or the
    /// "Next page" link (the dashboard's) that many times less one (taken once, before the timing).</param>
    sealed record Operation(string Name, Who Who, string Path, int Page = 1, Kind Kind = Kind.CaseList);

    /// <summary>The cases the case page is timed on: the open case with the most findings, the disclosed one with the most, and the
    /// maintainer's granted case with the most.</summary>
    sealed record CasesToOpen(string Open, string Disclosed, string Granted);

    /// <summary>What is timed. The case queue through the API: each filter and sort, its first page and a deep one (page 50 of 100
    /// cases). The dashboard's pages as a browser asks them: the case queue (first page and page 50 of 50 cases, with and without
    /// filters), the case page, the overview; and the overview through the API.</summary>
    static IEnumerable<Operation> Operations(CasesToOpen open)
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
        yield return new Operation("cases: as a maintainer (its granted cases), page 20", Who.Maintainer, Cases, 20);
        yield return new Operation("cases: as a maintainer, state notified, first page", Who.Maintainer, Cases + "&state=notified");

        (string Name, string Query)[] pages =
        [
            ("queue (priority)", ""),
            ("state new+triage, severity ≥ high", "?state=new&state=triage&minSeverity=high"),
            ($"project {big}, finder libFuzzer", $"?project={big}&finder=libFuzzer"),
            ("deadline passed", "?deadline=passed"),
            ("sort age", "?sort=age"),
        ];
        foreach (var (name, query) in pages)
        {
            yield return new Operation($"page /cases: {name}, first page", Who.Coordinator, "/cases" + query, 1, Kind.Html);
            yield return new Operation($"page /cases: {name}, page 50", Who.Coordinator, "/cases" + query, 50, Kind.Html);
        }
        yield return new Operation("page /cases: as a maintainer, first page", Who.Maintainer, "/cases", 1, Kind.Html);
        yield return new Operation("page /cases: as a maintainer, page 50", Who.Maintainer, "/cases", 50, Kind.Html);
        yield return new Operation("page /cases/{id}: open, most findings", Who.Coordinator, $"/cases/{open.Open}", 1, Kind.Html);
        yield return new Operation("page /cases/{id}: disclosed", Who.Coordinator, $"/cases/{open.Disclosed}", 1, Kind.Html);
        yield return new Operation("page /cases/{id}: as a maintainer, its granted case", Who.Maintainer, $"/cases/{open.Granted}", 1, Kind.Html);
        yield return new Operation("case: open, most findings", Who.Coordinator, $"/api/v1/cases/{open.Open}", 1, Kind.Json);
        yield return new Operation("page / (overview)", Who.Coordinator, "/", 1, Kind.Html);
        yield return new Operation("page / (overview): as a maintainer", Who.Maintainer, "/", 1, Kind.Html);
        yield return new Operation("overview", Who.Coordinator, "/api/v1/overview", 1, Kind.Json);
        yield return new Operation("overview: as a maintainer", Who.Maintainer, "/api/v1/overview", 1, Kind.Json);
    }

    /// <summary>The 95th percentile each operation must stay within: the overview (page and API) 200 ms, every other 50 ms.</summary>
    static double Target(Operation op) => op.Path is "/" or "/api/v1/overview" ? 200 : 50;

    /// <param name="only">"sqlite" or "postgres": that engine alone.</param>
    /// <param name="match">Only the operations whose name holds this text.</param>
    public static async Task<int> RunAsync(string folder, string? postgres, int runs, int warmup, string? only = null, string? match = null)
    {
        Directory.CreateDirectory(folder);
        var engines = new List<(string Name, string Spec)>();
        if (only is null or "sqlite") engines.Add(("SQLite", Path.Combine(folder, "dashboard.db")));
        if (postgres is not null && only is null or "postgres") engines.Add(("PostgreSQL", postgres!));
        var results = new List<(string Engine, Operation Op, int Page, string Items, string Total, double[] Ms)>();
        foreach (var (engine, spec) in engines)
        {
            CasesToOpen open;
            await using (var db = Database.Open(spec))
            {
                if (!await DashboardProgram.ExistsAsync(db))
                {
                    Console.WriteLine($"{engine}: building the program (once; --keep {folder} reuses it)");
                    await DashboardProgram.BuildAsync(db, folder, Console.Out);
                }
                await using var connection = await db.OpenAsync();
                open = await CasesToOpenAsync(connection);
                var cases = await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM cases");
                var findings = await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM findings");
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{engine}: {cases:N0} cases, {findings:N0} findings ({db.Display})"));
            }
            // The server logs as it would in production; a line per request on the console would be timed with the request.
            Environment.SetEnvironmentVariable("Logging__LogLevel__Default", "Warning");
            // Every page warns that its antiforgery token (the sign-out form's) overrode its caching headers: known, and a line a request.
            Environment.SetEnvironmentVariable("Logging__LogLevel__Microsoft.AspNetCore.Antiforgery", "Error");
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
                foreach (var op in Operations(open).Where(o => match is null || o.Name.Contains(match, StringComparison.Ordinal)))
                {
                    var http = clients[op.Who];
                    var (path, page) = await PageAsync(http, op, op.Page);
                    var (items, total) = await DescribeAsync(http, op, path);
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
        var slow = results.Where(r => Percentile(r.Ms, 95) > Target(r.Op)).ToList();
        Console.WriteLine();
        Console.WriteLine(slow.Count == 0 ? "Every operation's 95th percentile is within its target (the overview 200 ms, the others 50 ms)."
            : "Over the target at the 95th percentile (the overview 200 ms, the others 50 ms): " +
              $"{string.Join("; ", slow.Select(s => $"{s.Op.Name} ({s.Engine})"))}.");
        return 0;
    }

    internal static double Percentile(double[] sorted, int p) =>
        sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(sorted.Length * p / 100.0) - 1)];

    /// <summary>The path of page <paramref name="page"/> of the operation's path, following the API's <c>next</c> or the dashboard's
    /// "Next page" link; the last page when there are fewer, and which page that is.</summary>
    static async Task<(string Path, int Page)> PageAsync(HttpClient http, Operation op, int page)
    {
        var path = op.Path;
        for (var n = 1; n < page; n++)
        {
            if (op.Kind == Kind.Html)
            {
                var html = await GetAsync(http, path);
                if (NextLink().Match(html) is not { Success: true } link) return (path, n);
                path = WebUtility.HtmlDecode(link.Groups[1].Value);
                continue;
            }
            using var body = JsonDocument.Parse(await GetAsync(http, path));
            if (body.RootElement.GetProperty("next").GetString() is not { } next) return (path, n);
            path = $"{op.Path}&after={Uri.EscapeDataString(next)}";
        }
        return (path, page);
    }

    /// <summary>What the answer holds, for the table: a case list's cases and total ("1,000+" when capped), as the API or the page
    /// says it; blank for the others.</summary>
    static async Task<(string Items, string Total)> DescribeAsync(HttpClient http, Operation op, string path)
    {
        var text = await GetAsync(http, path);
        if (op.Kind == Kind.CaseList)
        {
            using var last = JsonDocument.Parse(text);
            var total = last.RootElement.GetProperty("total").GetInt64().ToString("N0", CultureInfo.InvariantCulture)
                + (last.RootElement.TryGetProperty("totalCapped", out var capped) && capped.GetBoolean() ? "+" : "");
            return (last.RootElement.GetProperty("items").GetArrayLength().ToString(CultureInfo.InvariantCulture), total);
        }
        if (op.Kind == Kind.Html && CaseTotal().Match(text) is { Success: true } shown)
            return (CaseRow().Count(text).ToString(CultureInfo.InvariantCulture), WebUtility.HtmlDecode(shown.Groups[1].Value));
        return ("", "");
    }

    static async Task<string> GetAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(path);
        // A redirect here is a page sending the client to sign in: the timing would be of the wrong page.
        if (response.StatusCode != HttpStatusCode.OK) throw new InvalidOperationException($"GET {path}: {(int)response.StatusCode}");
        return await response.Content.ReadAsStringAsync();
    }

    [GeneratedRegex("<a href=\"([^\"]+)\" rel=\"next\">")]
    private static partial Regex NextLink();

    [GeneratedRegex("id=\"case-total\">([^<]+?) cases? match")]
    private static partial Regex CaseTotal();

    [GeneratedRegex("<a href=\"/cases/[^\"]+\">")]
    private static partial Regex CaseRow();

    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();

    /// <summary>The cases the case page is timed on (<see cref="CasesToOpen"/>).</summary>
    static async Task<CasesToOpen> CasesToOpenAsync(System.Data.Common.DbConnection connection)
    {
        const string Most = "ORDER BY c.finding_count DESC, c.seq LIMIT 1";
        return new CasesToOpen(
            await connection.ExecuteScalarAsync<string>(
                $"SELECT c.id FROM cases c WHERE c.merged_into IS NULL AND c.state NOT IN ('rejected', 'disclosed', 'fix_verified') {Most}") ?? "",
            await connection.ExecuteScalarAsync<string>($"SELECT c.id FROM cases c WHERE c.state = 'disclosed' {Most}") ?? "",
            await connection.ExecuteScalarAsync<string>(
                $"""
                SELECT c.id FROM cases c JOIN grants g ON g.case_seq = c.seq JOIN orgs o ON o.id = g.org_id
                WHERE o.name = @org AND c.state <> 'disclosed' {Most}
                """, new { org = DashboardProgram.MaintainerOrg }) ?? "");
    }

    static async Task<double> TimeAsync(HttpClient http, string path)
    {
        var watch = Stopwatch.StartNew();
        using var response = await http.GetAsync(path, HttpCompletionOption.ResponseContentRead);
        response.EnsureSuccessStatusCode();
        await response.Content.ReadAsByteArrayAsync();
        return watch.Elapsed.TotalMilliseconds;
    }

    /// <summary>A client signed in as a browser is: the sign-in page's form (its antiforgery token and cookie), posted with the
    /// password; the session cookie then rides on every request, to the pages and the API alike. Redirects are not followed.</summary>
    static async Task<HttpClient> SignInAsync(Uri root, string login, string? org)
    {
        var http = new HttpClient(new SocketsHttpHandler { CookieContainer = new CookieContainer(), UseCookies = true, AllowAutoRedirect = false })
        {
            BaseAddress = root,
        };
        var form = AntiforgeryToken().Match(await GetAsync(http, "/login"));
        if (!form.Success) throw new InvalidOperationException("The sign-in page has no antiforgery token.");
        using var response = await http.PostAsync("/login/password", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["login"] = login, ["password"] = DashboardProgram.AdminPassword, ["org"] = org ?? "", ["returnUrl"] = "/",
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(form.Groups[1].Value),
        }));
        // Signed in: sent on to the overview; refused: back to the sign-in page.
        if (response.StatusCode != HttpStatusCode.Redirect || response.Headers.Location?.OriginalString != "/")
            throw new InvalidOperationException($"Signing in as {login}: {(int)response.StatusCode} {response.Headers.Location}");
        return http;
    }
}
