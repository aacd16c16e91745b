using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Clearwing.IntegrationTests.Cli;
using Clearwing.IntegrationTests.Storage;
using Clearwing.IntegrationTests.Support;
using Clearwing.Server.Access;
using Clearwing.Storage;
using Dapper;

namespace Clearwing.IntegrationTests.Server;

/// <summary>
/// The documented scale-out (docs/deployment.md), with the real program: three `clearwing serve` processes and two
/// `clearwing worker` processes on one fresh PostgreSQL database, sharing one key file. A web session made on one node works on
/// the others and ends on all of them at once; imports sent at the same time to different nodes, into the same project and into
/// different ones, never open two cases for one fingerprint; audited changes made on every node at once leave one chain that
/// `clearwing audit verify` holds intact.
/// </summary>
public sealed class ScaleOutTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    sealed class Cluster(string spec, string keyFile, string token, string password, IReadOnlyList<Uri> nodes,
        IReadOnlyList<ClearwingProcess> processes) : IAsyncDisposable
    {
        public string Spec => spec;
        public string KeyFile => keyFile;
        public string Token => token;
        public string Password => password;
        public IReadOnlyList<Uri> Nodes => nodes;
        public IReadOnlyList<ClearwingProcess> Processes => processes;
        public string Output => string.Join("\n---\n", processes.Select(p => p.Output));

        public async ValueTask DisposeAsync()
        {
            foreach (var process in processes) await process.DisposeAsync();
        }
    }

    /// <summary>`admin init` on the database, one key file, then every process started at once (their migrations race too).</summary>
    static async Task<Cluster> StartAsync()
    {
        var spec = await TestDatabases.CreateSpecAsync(Engine.Postgres);
        var (exit, output, error) = await CliTests.Run("admin", "init", "--org", "cert", "--admin", "alice@cert.example", "--json", "--db", spec);
        Assert.True(exit == 0, error);
        var init = JsonDocument.Parse(output).RootElement;
        var keyFile = TestDatabases.KeyFileFor(spec)!;
        KeyFile.Create(keyFile);
        var ports = Enumerable.Range(0, 3).Select(_ => PostgresCluster.FreePort()).ToList();
        var processes = ports
            .Select(port => ClearwingProcess.Start(null, "serve", "--urls", $"http://127.0.0.1:{port}", "--key-file", keyFile, "--db", spec))
            .Concat(Enumerable.Range(0, 2).Select(_ => ClearwingProcess.Start(null, "worker", "--db", spec)))
            .ToList();
        var cluster = new Cluster(spec, keyFile, init.GetProperty("token").GetString()!, init.GetProperty("password").GetString()!,
            [.. ports.Select(p => new Uri($"http://127.0.0.1:{p}/"))], processes);
        using var http = new HttpClient();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        foreach (var node in cluster.Nodes)
            while (true)
            {
                try
                {
                    using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(node, "api/v1/me"));
                    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", cluster.Token);
                    if ((await http.SendAsync(request, Ct)).StatusCode == HttpStatusCode.OK) break;
                }
                catch (HttpRequestException) { }
                Assert.True(DateTime.UtcNow < deadline, "the servers did not answer within 60 s:\n" + cluster.Output);
                await Task.Delay(200, Ct);
            }
        return cluster;
    }

    /// <summary>A request with the session's cookie (and its CSRF token on changes) and nothing else.</summary>
    static async Task<HttpResponseMessage> SessionAsync(HttpClient http, HttpMethod method, Uri node, string path, string cookie, string? csrf,
        object? body = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(node, path));
        request.Headers.Add("Cookie", cookie);
        if (csrf is not null) request.Headers.Add("X-CSRF-Token", csrf);
        if (body is not null) request.Content = JsonContent.Create(body);
        return await http.SendAsync(request, Ct);
    }

    [Fact]
    public async Task Three_servers_and_two_workers_on_one_postgresql_share_sessions_never_duplicate_a_case_and_keep_one_chain()
    {
        await using var cluster = await StartAsync();
        using var http = new HttpClient(new SocketsHttpHandler { UseCookies = false });
        var (one, two, three) = (cluster.Nodes[0], cluster.Nodes[1], cluster.Nodes[2]);

        // A session made on node 1 reads on node 2 and changes on node 3 (its CSRF token too); ended on node 2, it ends everywhere.
        var login = await http.PostAsJsonAsync(new Uri(one, "api/v1/session"), new { login = "alice@cert.example", password = cluster.Password }, Ct);
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var cookie = string.Join("; ", login.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]));
        var csrf = JsonDocument.Parse(await login.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("csrfToken").GetString()!;
        var me = await SessionAsync(http, HttpMethod.Get, two, "api/v1/me", cookie, null);
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        Assert.Contains("alice@cert.example", await me.Content.ReadAsStringAsync(Ct));
        Assert.Equal(HttpStatusCode.OK,
            (await SessionAsync(http, HttpMethod.Post, three, "api/v1/orgs", cookie, csrf, new { name = "png-team", kind = "maintainer" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden,
            (await SessionAsync(http, HttpMethod.Post, three, "api/v1/orgs", cookie, null, new { name = "zlib-team", kind = "maintainer" })).StatusCode);
        Assert.True((await SessionAsync(http, HttpMethod.Delete, two, "api/v1/session", cookie, csrf)).IsSuccessStatusCode);
        foreach (var node in cluster.Nodes)
            Assert.Equal(HttpStatusCode.Unauthorized, (await SessionAsync(http, HttpMethod.Get, node, "api/v1/me", cookie, null)).StatusCode);

        // Imports at the same time through every node: overlapping logs into one project, and one project per node; twice over,
        // the second wave through other nodes.
        var logs = Enumerable.Range(0, 3).Select(i => Some.SarifLog(Enumerable.Range(i * 20 + 1, 60).Select(n => Some.Result(n)))).ToList();
        for (var wave = 0; wave < 2; wave++)
        {
            var imports = Enumerable.Range(0, 3).SelectMany(i => new[] { "shared", $"own{i}" }.Select(project =>
                CliTests.RunAs(cluster.Token, "import", logs[i], "--project", project, "--revision", $"r{wave}", "--json",
                    "--server", cluster.Nodes[(i + wave) % 3].ToString()))).ToList();
            foreach (var (exit, _, error) in await Task.WhenAll(imports)) Assert.True(exit == 0, error + cluster.Output);
        }
        await using var db = Database.Open(cluster.Spec);
        await using (var connection = await db.OpenAsync(Ct))
        {
            var counts = (await connection.QueryAsync<(string Project, long Cases, long Fingerprints, long Empty)>("""
                SELECT p.name, count(DISTINCT c.seq), count(DISTINCT f.fingerprint), count(DISTINCT c.seq) FILTER (WHERE f.id IS NULL)
                FROM projects p JOIN cases c ON c.project_id = p.id LEFT JOIN fingerprints f ON f.case_seq = c.seq
                GROUP BY p.name ORDER BY p.name
                """)).ToList();
            // Every result once, in a case of its own project, no case left empty. Each import is a whole scan of its project: in the
            // shared one a result absent from one log and a like one new in the next (same rule, same file) may be taken for one
            // that moved, so its case may hold both, and how many depends on the order the imports took — never more cases than
            // results, which is what a duplicate would need.
            Assert.Equal([("own0", 60L, 60L, 0L), ("own1", 60, 60, 0), ("own2", 60, 60, 0)], counts.Where(c => c.Project != "shared"));
            var shared = Assert.Single(counts, c => c.Project == "shared");
            Assert.Equal((100L, 0L), (shared.Fingerprints, shared.Empty));
            Assert.InRange(shared.Cases, 1, 100);
        }

        // Audited changes from every node at once: each moves cases of its own into triage.
        var cases = JsonDocument.Parse((await CliTests.RunAs(cluster.Token, "cases", "list", "--project", "shared", "--limit", "30", "--json",
            "--server", one.ToString())).Out).RootElement.EnumerateArray().Select(c => c.GetProperty("id").GetString()!).ToList();
        Assert.Equal(30, cases.Count);
        var moves = cases.Select((id, n) => CliTests.RunAs(cluster.Token, "cases", "transition", id, "--to", "triage",
            "--server", cluster.Nodes[n % 3].ToString()));
        foreach (var (exit, _, error) in await Task.WhenAll(moves)) Assert.True(exit == 0, error);

        var (verified, output, verifyError) = await CliTests.Run("audit", "verify", "--json", "--key-file", cluster.KeyFile, "--db", cluster.Spec);
        Assert.True(verified == 0, output + verifyError);
        var chain = JsonDocument.Parse(output).RootElement;
        Assert.True(chain.GetProperty("intact").GetBoolean());
        Assert.True(chain.GetProperty("count").GetInt64() >= 12 + 30, output);
        Assert.All(cluster.Processes, p => Assert.False(p.HasExited, p.Output));
        await using var jobs = await db.OpenAsync(Ct);
        Assert.Equal(0, await jobs.ExecuteScalarAsync<long>("SELECT count(*) FROM jobs WHERE state = 'dead'"));
    }
}
