using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Clearwing.Access;
using Clearwing.Hosting;
using Clearwing.Server.Access;
using Clearwing.Storage;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace Clearwing.Bench;

/// <summary>
/// A soak under load (issue 20, point 5): real <c>clearwing serve</c> processes on loopback (one on SQLite; two sharing one
/// PostgreSQL database and key file), a database of N findings imported through the product's importer, and K concurrent API
/// clients for a bounded time: maintainers of four orgs reading their queue and the case pages of cases granted to them (and of
/// cases not granted, which must be 404), coordinators reading theirs, a coordinator importing a small SARIF log every few
/// seconds, lifecycle moves, and anonymous OSV queries to the public feed. Every answer's status is checked against what the
/// caller is entitled to; every maintainer's case list is checked against the grants this bench made. The servers' resident
/// memory is sampled each second. Exit code 1 on any 5xx, any refusal that is wrong, any need-to-know breach or memory growth
/// of 10% or more between the end of warm-up (the first 20% of the run) and the end.
/// </summary>
static class SoakBench
{
    const string Project = "bench", LiveProject = "soak-live", Password = "soak bench password";
    const int Orgs = 4, GrantsPerOrg = 250, Ungranted = 250, MovePool = 3_000, Advisories = 10_000;
    /// <summary>The server's default limit is 600 requests a minute per caller and per address for anonymous ones: each client stays
    /// under it, so a 429 is a wrong refusal here too.</summary>
    const double ClientRate = 6, AnonymousRate = 2;
    static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    sealed record Setup(string AdminToken, IReadOnlyList<string> CoordinatorTokens, IReadOnlyList<(string Org, string Token)> Maintainers,
        IReadOnlyDictionary<string, HashSet<string>> Granted, IReadOnlyList<string> NotGranted, IReadOnlyList<string> MoveCases,
        IReadOnlyList<string> AnyCases, int AdvisoryPackages);

    sealed class Endpoint
    {
        public readonly List<double> Ms = [];
        public readonly SortedDictionary<int, int> Statuses = [];
    }

    sealed class Run(TimeSpan duration)
    {
        public readonly ConcurrentDictionary<string, Endpoint> Endpoints = new(StringComparer.Ordinal);
        public readonly ConcurrentQueue<string> Failures = new();
        public int Checked, Listed;
        public readonly Stopwatch Clock = Stopwatch.StartNew();
        public bool Going => Clock.Elapsed < duration;

        public void Record(string endpoint, double ms, int status)
        {
            var e = Endpoints.GetOrAdd(endpoint, _ => new Endpoint());
            lock (e)
            {
                e.Ms.Add(ms);
                e.Statuses[status] = e.Statuses.GetValueOrDefault(status) + 1;
            }
        }

        public void Fail(string what)
        {
            if (Failures.Count < 1_000) Failures.Enqueue($"{Clock.Elapsed.TotalSeconds:F0} s: {what}");
        }
    }

    public static async Task<int> RunAsync(string folder, string? postgres, string? engine, TimeSpan duration, int findings, int clients,
        string clearwing, Func<string, string, JsonElement> import)
    {
        Directory.CreateDirectory(folder);
        if (!File.Exists(clearwing)) throw new ArgumentException($"No clearwing program at {clearwing}: build src/Clearwing.Cli (-c Release) first.");
        var log = Path.Combine(folder, $"bench-{findings}.sarif");
        if (!File.Exists(log)) SarifGenerator.Write(log, findings);
        var live = new[] { Path.Combine(folder, "soak-live.sarif"), Path.Combine(folder, "soak-live-rescan.sarif") };
        SarifGenerator.Write(live[0], 300);
        SarifGenerator.Write(live[1], 300, rescan: true);
        var engines = new List<(string Name, string Spec, int Servers)>();
        if (engine is null or "sqlite") engines.Add(("SQLite", Path.Combine(folder, "soak.db"), 1));
        if (postgres is not null && engine is null or "postgres") engines.Add(("PostgreSQL", postgres!, 2));
        var summaries = new List<object>();
        var failed = false;
        foreach (var (name, spec, servers) in engines)
        {
            Console.WriteLine($"{name}: building the program ({findings:N0} findings)");
            var setup = await BuildAsync(spec, log, name == "SQLite", import);
            var (run, rss) = await SoakAsync(name, spec, servers, setup, duration, clients, clearwing, folder, live);
            var (summary, ok) = Report(name, servers, findings, duration, clients, run, rss);
            summaries.Add(summary);
            failed |= !ok;
        }
        Console.WriteLine(JsonSerializer.Serialize(new { soak = summaries, passed = !failed }));
        return failed ? 1 : 0;
    }

    /// <summary>The program, in a fresh database: the advisories the public feed answers from, the findings (imported by the bench's
    /// import child, through the product's importer), a coordinator with a member and token per client, four maintainer orgs
    /// likewise, and grants of a sample of the cases to each maintainer org.</summary>
    static async Task<Setup> BuildAsync(string spec, string log, bool sqlite, Func<string, string, JsonElement> import)
    {
        if (sqlite)
            foreach (var f in Directory.GetFiles(Path.GetDirectoryName(spec)!, Path.GetFileName(spec) + "*")) File.Delete(f);
        var watch = Stopwatch.StartNew();
        int packages;
        await using (var db = Database.Open(spec))
        {
            await using (var connection = await db.OpenAsync())
                if (await connection.ExecuteScalarAsync<long>(db.Engine == Engine.Sqlite
                        ? "SELECT count(*) FROM sqlite_schema WHERE name = 'cases'"
                        : "SELECT count(*) FROM information_schema.tables WHERE table_name = 'cases'") > 0)
                    throw new ArgumentException($"The soak needs an empty database; {db.Display} has one already.");
            await Migrator.MigrateAsync(db, TimeProvider.System);
            // First, as its one-result import goes to the same project as the findings' (the big import then makes it absent).
            packages = Advisories / 5;
            await FeedBench.PublishAsync(db, Advisories, packages);
        }
        var imported = import(log, spec);
        Console.WriteLine(string.Create(Inv, $"  {imported.GetProperty("results").GetInt64():N0} results imported in " +
            $"{imported.GetProperty("seconds").GetDouble():F0} s ({imported.GetProperty("summary").GetProperty("NewCases").GetInt64():N0} cases)"));

        await using (var db = Database.Open(spec))
        {
            await using var provider = new ServiceCollection().AddSingleton(TimeProvider.System).AddClearwing(db).BuildServiceProvider();
            T Get<T>() where T : notnull => provider.GetRequiredService<T>();
            var init = await Get<OrgStore>().InitAsync("coordinator", "admin@coordinator.example", Password);
            long orgId;
            await using (var connection = await db.OpenAsync())
                orgId = await connection.ExecuteScalarAsync<long>("SELECT id FROM orgs WHERE name = 'coordinator'");
            var admin = new Caller(orgId, "coordinator", OrgKind.Coordinator, Role.Admin, init.Admin.Login);
            var coordinators = new List<string>();
            Task<string> Token(string org, int i, Role role) => TokenAsync(Get<MemberStore>(), Get<TokenStore>(), admin, org, i, role);
            for (var i = 0; i < 8; i++) coordinators.Add(await Token("coordinator", i, Role.Admin));
            var maintainers = new List<(string, string)>();
            for (var o = 0; o < Orgs; o++)
            {
                var org = $"maintainers-{o}";
                await Get<OrgStore>().CreateOrgAsync(admin, org, OrgKind.Maintainer);
                for (var i = 0; i < 16; i++) maintainers.Add((org, await Token(org, i, Role.Triager)));
            }
            List<string> cases;
            await using (var connection = await db.OpenAsync())
                cases = [.. await connection.QueryAsync<string>(
                    "SELECT c.id FROM cases c JOIN projects p ON p.id = c.project_id WHERE p.name = @Project AND c.state = 'new' ORDER BY c.seq",
                    new { Project })];
            // A sample spread over the whole table: granted ones, ones granted to no one, and the ones the lifecycle clients move.
            var random = new Random(20);
            var sample = cases.OrderBy(_ => random.Next()).Take(Orgs * GrantsPerOrg + Ungranted + MovePool).ToList();
            var granted = new Dictionary<string, HashSet<string>>();
            for (var o = 0; o < Orgs; o++)
            {
                var org = $"maintainers-{o}";
                granted[org] = [.. sample.Skip(o * GrantsPerOrg).Take(GrantsPerOrg)];
                foreach (var id in granted[org]) await Get<GrantStore>().GrantAsync(admin, id, org, "soak: the project's maintainers");
            }
            var notGranted = sample.Skip(Orgs * GrantsPerOrg).Take(Ungranted).ToList();
            var moves = sample.Skip(Orgs * GrantsPerOrg + Ungranted).ToList();
            if (db.Engine == Engine.Postgres)
                await using (var connection = await db.OpenAsync())
                    await connection.ExecuteAsync("VACUUM ANALYZE", commandTimeout: 0);
            Console.WriteLine(string.Create(Inv, $"  {cases.Count:N0} new cases; {Orgs} maintainer orgs granted {GrantsPerOrg} each; " +
                $"{Advisories:N0} OSV advisories; built in {watch.Elapsed.TotalSeconds:F0} s"));
            return new Setup(init.Token.Secret, coordinators, maintainers, granted, notGranted, moves,
                [.. cases.OrderBy(_ => random.Next()).Take(5_000)], packages);
        }
    }

    /// <summary>A member of <paramref name="org"/> and a token that speaks for it: one per client, as the rate limit is per caller.</summary>
    static async Task<string> TokenAsync(MemberStore members, TokenStore tokens, Caller admin, string org, int i, Role role)
    {
        var login = $"soak{i}@{org}.example";
        await members.AddMemberAsync(admin, org, login, role, Password);
        return (await tokens.CreateTokenAsync(Caller.Local, org, $"soak-{i}", role, null, login)).Secret;
    }

    static async Task<(Run, Dictionary<string, List<Memory>>)> SoakAsync(string engine, string spec, int servers, Setup setup,
        TimeSpan duration, int clients, string clearwing, string folder, string[] live)
    {
        var keyFile = Path.Combine(folder, $"soak-{engine}.key");
        File.Delete(keyFile);
        KeyFile.Create(keyFile);
        var nodes = new List<(Uri Root, Process Process)>();
        try
        {
            for (var s = 0; s < servers; s++)
            {
                var port = FreePort();
                var start = new ProcessStartInfo(clearwing) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
                foreach (var a in new[] { "serve", "--urls", $"http://127.0.0.1:{port}", "--key-file", keyFile, "--db", spec })
                    start.ArgumentList.Add(a);
                // The server logs as in production; a line per request would be timed with the request.
                start.Environment["Logging__LogLevel__Default"] = "Warning";
                var process = Process.Start(start)!;
                process.OutputDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine($"[{engine} server {s}] {e.Data}"); };
                process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine($"[{engine} server {s}] {e.Data}"); };
                process.BeginOutputReadLine();
                process.BeginErrorReadLine();
                nodes.Add((new Uri($"http://127.0.0.1:{port}/"), process));
            }
            foreach (var (root, process) in nodes) await ReadyAsync(root, process, setup.AdminToken);
            Console.WriteLine($"{engine}: {servers} server process(es) ({string.Join(", ", nodes.Select(n => $"{n.Root} pid {n.Process.Id}"))}); " +
                $"{clients} clients for {duration.TotalSeconds:F0} s");

            var run = new Run(duration);
            string Label(int s) => $"server {s} (pid {nodes[s].Process.Id})";
            var rss = Enumerable.Range(0, nodes.Count).ToDictionary(Label, _ => new List<Memory>());
            var sampler = Task.Run(async () =>
            {
                while (run.Going)
                {
                    for (var s = 0; s < nodes.Count; s++) rss[Label(s)].Add(Sample(run.Clock.Elapsed.TotalSeconds, nodes[s].Process.Id));
                    await Task.Delay(1_000);
                }
            });
            var tasks = new List<Task>();
            Uri Node(int i) => nodes[i % nodes.Count].Root;
            // The mix: one importer, two lifecycle movers, two anonymous OSV clients, two coordinator readers, the rest maintainers.
            tasks.Add(ImporterAsync(run, Node(0), setup.CoordinatorTokens[0], live));
            var movers = 2;
            for (var m = 0; m < movers; m++)
                tasks.Add(MoverAsync(run, Node(m + 1), setup.CoordinatorTokens[1 + m], [.. setup.MoveCases.Where((_, i) => i % movers == m)]));
            for (var q = 0; q < 2; q++) tasks.Add(OsvAsync(run, Node(q), setup.AdvisoryPackages, new Random(q)));
            for (var c = 0; c < 2; c++)
                tasks.Add(CoordinatorReaderAsync(run, Node(c + 1), setup.CoordinatorTokens[3 + c], setup, new Random(100 + c)));
            for (var k = 0; k < Math.Max(Orgs, clients - 7); k++)
            {
                var (org, token) = setup.Maintainers[k % Orgs * 16 + k / Orgs % 16];
                tasks.Add(MaintainerAsync(run, Node(k), token, org, setup, new Random(1_000 + k)));
            }
            await Task.WhenAll(tasks);
            await sampler;
            foreach (var (root, process) in nodes)
                if (process.HasExited) run.Fail($"the server at {root} exited ({process.ExitCode}) during the run");
            return (run, rss);
        }
        finally
        {
            foreach (var (_, process) in nodes)
            {
                if (!process.HasExited) process.Kill();
                await process.WaitForExitAsync();
                process.Dispose();
            }
        }
    }

    static async Task ReadyAsync(Uri root, Process process, string token)
    {
        using var http = Client(root, token);
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (true)
        {
            try
            {
                if ((await http.GetAsync("api/v1/me")).StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException) { }
            if (process.HasExited || DateTime.UtcNow > deadline) throw new InvalidOperationException($"The server at {root} did not start.");
            await Task.Delay(200);
        }
    }

    static HttpClient Client(Uri root, string? token)
    {
        var http = new HttpClient { BaseAddress = root, Timeout = TimeSpan.FromSeconds(60) };
        if (token is not null) http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    /// <summary>Sends, times, records and checks the status against <paramref name="expected"/>; the body when it is that.</summary>
    static async Task<string?> SendAsync(Run run, HttpClient http, string endpoint, HttpRequestMessage request, HttpStatusCode expected)
    {
        var watch = Stopwatch.StartNew();
        try
        {
            using var response = await http.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            var ms = watch.Elapsed.TotalMilliseconds;
            run.Record(endpoint, ms, (int)response.StatusCode);
            if (response.StatusCode == expected) return body;
            run.Fail($"{endpoint}: {request.Method} {request.RequestUri} answered {(int)response.StatusCode}, not {(int)expected}: " +
                body[..Math.Min(300, body.Length)]);
            return null;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            run.Record(endpoint, watch.Elapsed.TotalMilliseconds, 0);
            run.Fail($"{endpoint}: {request.Method} {request.RequestUri}: {e.Message}");
            return null;
        }
        finally
        {
            request.Dispose();
        }
    }

    static Task<string?> GetAsync(Run run, HttpClient http, string endpoint, string path, HttpStatusCode expected = HttpStatusCode.OK) =>
        SendAsync(run, http, endpoint, new HttpRequestMessage(HttpMethod.Get, path), expected);

    /// <summary>Runs <paramref name="step"/> at <paramref name="perSecond"/> at most, from a random offset so clients do not march in step.</summary>
    static async Task PacedAsync(Run run, double perSecond, Random random, Func<Task> step)
    {
        var interval = TimeSpan.FromSeconds(1 / perSecond);
        await Task.Delay(TimeSpan.FromMilliseconds(random.Next((int)interval.TotalMilliseconds)));
        var next = run.Clock.Elapsed;
        while (run.Going)
        {
            try
            {
                await step();
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
            {
                run.Fail($"an answer not as documented: {e.Message}");
            }
            next += interval;
            var wait = next - run.Clock.Elapsed;
            if (wait > TimeSpan.Zero) await Task.Delay(wait);
            else next = run.Clock.Elapsed;
        }
    }

    /// <summary>A maintainer: its queue (first page and sometimes the next), the pages of its granted cases, and now and then a case
    /// granted to no one (404). Every list it gets is checked: only cases granted to its org.</summary>
    static async Task MaintainerAsync(Run run, Uri root, string token, string org, Setup setup, Random random)
    {
        using var http = Client(root, token);
        var mine = setup.Granted[org].ToList();
        await PacedAsync(run, ClientRate, random, async () =>
        {
            var r = random.Next(100);
            if (r < 45)
            {
                var query = random.Next(3) switch { 0 => "", 1 => "&state=new,triage", _ => "&sort=age" };
                var list = await GetAsync(run, http, "GET /api/v1/cases (maintainer queue)", $"api/v1/cases?limit=100{query}");
                if (list is null) return;
                using var json = JsonDocument.Parse(list);
                Interlocked.Increment(ref run.Checked);
                var items = json.RootElement.GetProperty("items");
                Interlocked.Add(ref run.Listed, items.GetArrayLength());
                foreach (var item in items.EnumerateArray())
                    if (item.GetProperty("id").GetString() is var id && !setup.Granted[org].Contains(id!))
                        run.Fail($"need-to-know: {org}'s case list holds {id}, not granted to it");
                if (json.RootElement.GetProperty("total").GetInt64() > GrantsPerOrg)
                    run.Fail($"need-to-know: {org}'s case list counts {json.RootElement.GetProperty("total")} cases; {GrantsPerOrg} are granted");
            }
            else if (r < 90)
            {
                var id = mine[random.Next(mine.Count)];
                var page = await GetAsync(run, http, "GET /api/v1/cases/{id} (maintainer, granted)", $"api/v1/cases/{id}");
                if (page is null) return;
                Interlocked.Increment(ref run.Checked);
                using var json = JsonDocument.Parse(page);
                if (json.RootElement.GetProperty("case").GetProperty("id").GetString() != id)
                    run.Fail($"GET case {id} as {org} answered another case");
            }
            else
            {
                var id = setup.NotGranted[random.Next(setup.NotGranted.Count)];
                if (await GetAsync(run, http, "GET /api/v1/cases/{id} (maintainer, not granted)", $"api/v1/cases/{id}", HttpStatusCode.NotFound)
                    is not null) Interlocked.Increment(ref run.Checked);
            }
        });
    }

    static async Task CoordinatorReaderAsync(Run run, Uri root, string token, Setup setup, Random random)
    {
        using var http = Client(root, token);
        await PacedAsync(run, ClientRate, random, async () =>
        {
            if (random.Next(2) == 0)
            {
                var query = random.Next(4) switch { 0 => "", 1 => "&minSeverity=high", 2 => "&sort=recent", _ => $"&project={LiveProject}" };
                await GetAsync(run, http, "GET /api/v1/cases (coordinator queue)", $"api/v1/cases?limit=100{query}");
            }
            else
            {
                var id = setup.AnyCases[random.Next(setup.AnyCases.Count)];
                await GetAsync(run, http, "GET /api/v1/cases/{id} (coordinator)", $"api/v1/cases/{id}");
            }
        });
    }

    /// <summary>A coordinator importing a small SARIF log every 5 seconds into a project of its own, the two runs alternately (so each
    /// import has new, moved, re-worded and absent results).</summary>
    static async Task ImporterAsync(Run run, Uri root, string token, string[] logs)
    {
        using var http = Client(root, token);
        var n = 0;
        await PacedAsync(run, 0.2, new Random(5), async () =>
        {
            var request = new HttpRequestMessage(HttpMethod.Post, $"api/v1/projects/{LiveProject}/imports?revision=r{++n}")
            {
                Content = new ByteArrayContent(await File.ReadAllBytesAsync(logs[n % 2])),
            };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/sarif+json");
            await SendAsync(run, http, "POST /api/v1/projects/{project}/imports", request, HttpStatusCode.OK);
        });
    }

    /// <summary>Lifecycle moves on cases of its own: new → triage, then triage → rejected and back (reopen), round and round.</summary>
    static async Task MoverAsync(Run run, Uri root, string token, List<string> cases)
    {
        using var http = Client(root, token);
        var states = cases.ToDictionary(c => c, _ => "new");
        var i = 0;
        await PacedAsync(run, ClientRate, new Random(cases.Count), async () =>
        {
            var id = cases[i++ % cases.Count];
            var (from, to) = (states[id], states[id] == "triage" ? "rejected" : "triage");
            // Round and round: new → triage → rejected → triage (a reopening, which needs its reason) → rejected …
            var body = (from, to) switch
            {
                (_, "rejected") => """{"to":"rejected","reason":"soak: not reachable","rejection":"false_positive"}""",
                ("rejected", _) => """{"to":"triage","reason":"soak: reachable after all"}""",
                _ => """{"to":"triage"}""",
            };
            var request = new HttpRequestMessage(HttpMethod.Post, $"api/v1/cases/{id}/transitions")
            {
                Content = new StringContent(body, Encoding.UTF8, "application/json"),
            };
            if (await SendAsync(run, http, "POST /api/v1/cases/{id}/transitions", request, HttpStatusCode.OK) is not null) states[id] = to;
        });
    }

    static async Task OsvAsync(Run run, Uri root, int packages, Random random)
    {
        using var http = Client(root, null);
        await PacedAsync(run, AnonymousRate, random, async () =>
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "v1/query")
            {
                Content = new StringContent(FeedBench.Query(random, packages), Encoding.UTF8, "application/json"),
            };
            await SendAsync(run, http, "POST /v1/query (anonymous)", request, HttpStatusCode.OK);
        });
    }

    static (object Summary, bool Ok) Report(string engine, int servers, int findings, TimeSpan duration, int clients, Run run,
        Dictionary<string, List<Memory>> rss)
    {
        Console.WriteLine();
        Console.WriteLine($"{engine}, {servers} server(s), {findings:N0} findings, {clients} clients, {duration.TotalSeconds:F0} s:");
        Console.WriteLine("| endpoint | requests | per second | p50 ms | p95 ms | p99 ms | max ms | statuses |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---|");
        var p99 = new Dictionary<string, double>();
        long total = 0, serverErrors = 0;
        foreach (var (name, e) in run.Endpoints.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            var ms = e.Ms.Order().ToArray();
            total += ms.Length;
            serverErrors += e.Statuses.Where(s => s.Key >= 500).Sum(s => s.Value);
            p99[name] = Math.Round(DashboardBench.Percentile(ms, 99), 1);
            Console.WriteLine(string.Create(Inv, $"| {name} | {ms.Length:N0} | {ms.Length / duration.TotalSeconds:F1} " +
                $"| {DashboardBench.Percentile(ms, 50):F1} " +
                $"| {DashboardBench.Percentile(ms, 95):F1} | {p99[name]:F1} | {ms[^1]:F1} | " +
                $"{string.Join(", ", e.Statuses.Select(s => $"{s.Value:N0}× {(s.Key == 0 ? "no answer" : s.Key)}"))} |"));
        }
        Console.WriteLine();
        Console.WriteLine("| server | RSS at warm-up end (MiB) | RSS at the end (MiB) | growth | peak (MiB) |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        var memory = new List<object>();
        var grew = false;
        foreach (var (server, samples) in rss)
        {
            // Means over a window, so one sample caught before or after a collection does not decide it.
            var seconds = duration.TotalSeconds;
            var warm = Mean(samples, seconds * 0.15, seconds * 0.25);
            var end = Mean(samples, seconds * 0.9, seconds + 1);
            var growth = (end - warm) / warm;
            grew |= growth >= 0.10;
            memory.Add(new { server, warmMiB = Math.Round(warm), endMiB = Math.Round(end), growth = Math.Round(growth, 3) });
            Console.WriteLine(string.Create(Inv, $"| {engine} {server} | {warm:F0} | {end:F0} | {growth * 100:+0.0;-0.0}% | " +
                $"{samples.Max(s => s.MiB):F0} |"));
        }
        // The curve, to tell a plateau reached late from a leak, and what it is made of: the process's own memory (anonymous: the
        // managed heap, SQLite's page caches, native allocations), files mapped (the program's code), shared (SQLite's WAL index),
        // and how many connections to the database file are open.
        foreach (var (server, samples) in rss)
        {
            string Tenths(Func<Memory, double> of) => string.Join(" ", Enumerable.Range(0, 10).Select(t =>
                Mean(samples, duration.TotalSeconds * t / 10, duration.TotalSeconds * (t + 1) / 10, of).ToString("F0", Inv)));
            Console.WriteLine($"{engine} {server} by tenth of the run: RSS (MiB) {Tenths(m => m.MiB)}; anonymous {Tenths(m => m.AnonMiB)}; " +
                $"file {Tenths(m => m.FileMiB)}; shared {Tenths(m => m.SharedMiB)}; database connections {Tenths(m => m.Connections)}");
        }
        var failures = run.Failures.ToList();
        Console.WriteLine();
        Console.WriteLine($"{run.Checked:N0} answers checked for need-to-know and entitlement (their case lists held {run.Listed:N0} " +
            $"cases, each checked against the grants); {failures.Count} failures" +
            (grew ? "; memory grew 10% or more after warm-up" : ""));
        foreach (var f in failures.Take(20)) Console.WriteLine($"  FAILED {f}");
        var ok = failures.Count == 0 && !grew;
        return (new { engine, servers, findings, clients, seconds = duration.TotalSeconds, requests = total, serverErrors, failures = failures.Count,
            checkedAnswers = run.Checked, listedCases = run.Listed, p99Ms = p99, memory, passed = ok }, ok);
    }

    static double Mean(List<Memory> samples, double from, double to, Func<Memory, double>? of = null)
    {
        var window = samples.Where(s => s.At >= from && s.At < to).ToList();
        return window.Count > 0 ? window.Average(of ?? (s => s.MiB)) : double.NaN;
    }

    /// <summary>One sample of a server's memory, from <c>/proc/PID/status</c>, and the database files it holds open.</summary>
    sealed record Memory(double At, double MiB, double AnonMiB, double FileMiB, double SharedMiB, int Connections);

    static Memory Sample(double at, int pid)
    {
        try
        {
            var kib = File.ReadLines($"/proc/{pid}/status").Select(l => l.Split(':', 2)).Where(p => p.Length == 2 && p[1].EndsWith(" kB"))
                .ToDictionary(p => p[0], p => long.Parse(p[1][..^3].Trim(), Inv) / 1024.0);
            // A SQLite connection holds the database file open; a PostgreSQL connection is a socket and shows as none here.
            var connections = Directory.GetFiles($"/proc/{pid}/fd").Count(fd => Target(fd).EndsWith(".db", StringComparison.Ordinal));
            return new Memory(at, kib.GetValueOrDefault("VmRSS", double.NaN), kib.GetValueOrDefault("RssAnon", double.NaN),
                kib.GetValueOrDefault("RssFile", double.NaN), kib.GetValueOrDefault("RssShmem", double.NaN), connections);
        }
        catch (IOException)
        {
            return new Memory(at, double.NaN, double.NaN, double.NaN, double.NaN, 0);
        }
    }

    static string Target(string fd)
    {
        try
        {
            return new FileInfo(fd).LinkTarget ?? "";
        }
        catch (IOException)
        {
            return ""; // closed since the folder was listed
        }
    }

    /// <summary>The apphost `dotnet build -c Release` leaves beside the command line's project, found from the bench's own folder.</summary>
    public static string BuiltProgram()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Clearwing.slnx")))
                return Path.Combine(dir.FullName, "src", "Clearwing.Cli", "bin", "Release", "net10.0", "clearwing");
        throw new ArgumentException("Not run from a Clearwing checkout: name the program with --clearwing PATH.");
    }

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
