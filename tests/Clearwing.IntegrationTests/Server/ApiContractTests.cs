using System.Text.Json;
using Clearwing.IntegrationTests.Cli;
using Clearwing.IntegrationTests.Storage;
using Clearwing.Server;
using Clearwing.Storage;

namespace Clearwing.IntegrationTests.Server;

/// <summary>
/// One API contract: the routes the command line calls are the ones the server describes in its OpenAPI document, and
/// every verb on program data answers the same through a server (as the coordinator's admin) as on the database.
/// </summary>
public sealed class ApiContractTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    static async Task<HashSet<string>> DescribedAsync(TestServer server)
    {
        using var document = JsonDocument.Parse(await server.Http.GetStringAsync("/api/v1/openapi.json", Ct));
        var described = new HashSet<string>(StringComparer.Ordinal);
        foreach (var path in document.RootElement.GetProperty("paths").EnumerateObject())
            foreach (var operation in path.Value.EnumerateObject())
                described.Add($"{operation.Name.ToUpperInvariant()} {path.Name} {operation.Value.GetProperty("operationId").GetString()}");
        return described;
    }

    [Fact]
    public async Task Every_route_the_command_line_calls_is_described_and_every_described_operation_is_in_the_route_table()
    {
        await using var server = await TestServer.StartAsync(Engine.Sqlite);
        var described = await DescribedAsync(server);
        var routes = ApiRoutes.All.Select(r => $"{r.Method} /api/v1{r.Template} {r.Name}").ToHashSet(StringComparer.Ordinal);

        Assert.Empty(routes.Except(described));
        Assert.Empty(described.Except(routes));
        Assert.True(routes.Count >= 57, $"only {routes.Count} routes");
    }

    [Fact]
    public void A_route_fills_its_placeholders_in_order_and_escapes_them()
    {
        Assert.Equal("orgs/a%2Fb/members/x%40y.org", ApiRoutes.RemoveMember.Path("a/b", "x@y.org"));
        Assert.Throws<ArgumentException>(() => ApiRoutes.RemoveMember.Path("only-one"));
        Assert.Throws<ArgumentException>(() => ApiRoutes.ListCases.Path("extra"));
    }

    static Task<(int Exit, string Out, string Err)> Run(string? token, params string[] args) => CliTests.RunAs(token, args);

    /// <summary>A server with a little of everything: cases (one confirmed, so committed), a finding's alias, an advisory, a product.</summary>
    static async Task<(TestServer Server, string CaseA, string CaseB)> ProgramAsync(Engine engine)
    {
        var server = await TestServer.StartAsync(engine);
        var db = new[] { "--db", server.Spec };
        Assert.Equal(0, (await Run(null, ["import", Some.SarifLog(Some.Results(3)), "--project", "zlib", "--revision", "r1", .. db])).Exit);
        var cases = JsonDocument.Parse((await Run(null, ["cases", "list", "--sort", "recent", "--json", .. db])).Out).RootElement
            .EnumerateArray().Select(c => c.GetProperty("id").GetString()!).Order(StringComparer.Ordinal).ToList();
        foreach (var to in new[] { "triage", "confirmed", "notified" })
            Assert.Equal(0, (await Run(null, ["cases", "transition", cases[0], "--to", to, .. db])).Exit);
        Assert.Equal(0, (await Run(null, ["orgs", "create", "alpha", "--kind", "maintainer", .. db])).Exit);
        Assert.Equal(0, (await Run(null, ["grants", "add", cases[0], "alpha", "--reason", "owns zlib", .. db])).Exit);
        Assert.Equal(0, (await Run(null, ["orgs", "create", "hospital", "--kind", "downstream", .. db])).Exit);
        Assert.Equal(0, (await Run(null, ["sbom", "import", Packages.SomeSbom.CycloneDx(3), "--product", "portal", "--org", "hospital", .. db])).Exit);
        Assert.Equal(0, (await Run(null, ["osv", "import", Advisory, .. db])).Exit);
        Assert.Equal(0, (await Run(null, ["cases", "aliases", cases[1], "--add", "PYSEC-2021-9", .. db])).Exit);
        return (server, cases[0], cases[1]);
    }

    static readonly string Advisory = Some.TempFile(
        """{"id":"PYSEC-2021-9","modified":"2021-01-01T00:00:00Z","aliases":["CVE-2021-0009"],"affected":[{"package":{"ecosystem":"PyPI","name":"example"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"2.0"}]}]}]}""");

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task Every_reading_verb_answers_the_same_through_the_server_as_on_the_database(Engine engine)
    {
        var (server, a, b) = await ProgramAsync(engine);
        await using var _ = server;
        string[][] verbs =
        [
            ["cases", "list", "--json"], ["cases", "show", a, "--json"], ["cases", "history", a, "--json"], ["cases", "ssvc", a, "--json"],
            ["cases", "cvss", a, "--json"], ["cases", "aliases", b, "--json"], ["findings", "list", "--json"], ["grants", "list", a, "--json"],
            ["deadlines", "--json"], ["policy", "show", "--json"], ["extensions", "list", a, "--json"], ["sbom", "list", "--json"],
            ["sbom", "show", "portal", "--org", "hospital", "--json"], ["exposure", b, "--json"], ["osv", "query", "pkg:pypi/example@1.0", "--json"],
            ["osv", "show", "PYSEC-2021-9", "--json"], ["osv", "show", "CVE-2021-0009"], ["orgs", "list", "--json"], ["members", "list", "coordinator", "--json"],
            ["audit", "list", "--limit", "3", "--json"], ["jobs", "list", "--json"], ["commitment", "list", "--json"],
            ["cases", "list", "--state", "new,notified", "--min-severity", "low", "--min-priority", "1", "--finder", "SomeAnalyzer", "--sort", "age", "--json"],
            ["cases", "list", "--state", "new", "--state", "notified", "--deadline", "100", "--sort", "deadline", "--json"],
            ["cases", "list", "--exposed", "--count"], ["cases", "list", "--deadline", "passed", "--limit", "1"], ["cases", "list", "--state", "new,notified", "--sort", "deadline"],
            ["overview", "--json"], ["overview"], ["notifications", "list", "--json"], ["notifications", "list", "--state", "dead"],
            ["forecast"], ["forecast", "--project", "zlib"], ["advisories", "list", "--json"], ["advisories", "show", b, "--json"],
            ["advisories", "show", b, "--format", "content"], ["orgs", "channels", "hospital", "--json"],
        ];
        foreach (var verb in verbs)
        {
            var local = await Run(null, [.. verb, "--db", server.Spec]);
            var remote = await Run(server.AdminToken, [.. verb, "--server", server.BaseAddress.ToString()]);
            Assert.True(local.Exit == 0, $"{string.Join(' ', verb)} --db: {local.Err}");
            Assert.True((remote.Exit, remote.Out) == (local.Exit, local.Out),
                $"{string.Join(' ', verb)}:\n--db ({local.Exit}):\n{local.Out}\n--server ({remote.Exit}):\n{remote.Out}{remote.Err}");
        }
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task Every_changing_verb_works_through_the_server(Engine engine)
    {
        var (server, a, b) = await ProgramAsync(engine);
        await using var _ = server;
        var url = new[] { "--server", server.BaseAddress.ToString() };
        async Task<string> Ok(params string[] args)
        {
            var (exit, output, error) = await Run(server.AdminToken, [.. args, .. url]);
            Assert.True(exit == 0, $"{string.Join(' ', args)}: {error}");
            return output;
        }

        await Ok("orgs", "create", "beta", "--kind", "maintainer");
        await Ok("members", "add", "beta", "dev@beta.example", "--role", "triager");
        Assert.Contains("dev@beta.example", await Ok("members", "list", "beta", "--json"));
        await Ok("members", "remove", "beta", "dev@beta.example");
        var token = JsonDocument.Parse(await Ok("tokens", "create", "beta", "--name", "ci", "--role", "viewer", "--json")).RootElement;
        await Ok("tokens", "revoke", token.GetProperty("id").GetString()!);

        var split = JsonDocument.Parse((await Run(null, "cases", "show", b, "--json", "--db", server.Spec)).Out).RootElement;
        var third = JsonDocument.Parse((await Run(null, "cases", "list", "--json", "--db", server.Spec)).Out).RootElement.EnumerateArray()
            .Select(c => c.GetProperty("id").GetString()!).Single(id => id != a && id != b);
        await Ok("cases", "merge", b, third, "--reason", "same root cause");
        Assert.Equal(2, JsonDocument.Parse(await Ok("cases", "show", b, "--json")).RootElement.GetProperty("fingerprints").GetArrayLength());
        var fingerprint = split.GetProperty("fingerprints")[0].GetString()!;
        var newCase = JsonDocument.Parse(await Ok("cases", "split", b, "--fingerprint", fingerprint, "--reason", "two causes after all", "--json"))
            .RootElement.GetProperty("id").GetString()!;
        Assert.Equal(fingerprint, JsonDocument.Parse(await Ok("cases", "show", newCase, "--json")).RootElement.GetProperty("fingerprints")[0].GetString());

        var kev = JsonDocument.Parse(await Ok("feeds", "kev", Clearwing.Tests.TestData.PathTo("cisa-kev", "kev-sample-2025.02.25-first10.json"), "--json"));
        Assert.Equal(10, kev.RootElement.GetProperty("entries").GetInt32());
        var epss = JsonDocument.Parse(await Ok("feeds", "epss", Clearwing.Tests.TestData.PathTo("first-epss", "epss-format-sample.csv"), "--json"));
        Assert.Equal(2, epss.RootElement.GetProperty("entries").GetInt32());

        var folder = Directory.CreateTempSubdirectory("clearwing-osv-").FullName;
        File.WriteAllText(Path.Combine(folder, "PYSEC-2021-10.json"), File.ReadAllText(Advisory).Replace("2021-9", "2021-10").Replace("0009", "0010"));
        var osv = JsonDocument.Parse(await Ok("osv", "import", folder, "--json")).RootElement;
        Assert.Equal((1, 1), (osv.GetProperty("read").GetInt32(), osv.GetProperty("imported").GetInt32()));
        Assert.Contains("PYSEC-2021-10", await Ok("osv", "query", "pkg:pypi/example@1.5"));

        var project = Directory.CreateTempSubdirectory("clearwing-scan-").FullName;
        File.WriteAllText(Path.Combine(project, "requirements.txt"), "example==1.0\n");
        var scan = JsonDocument.Parse(await Ok("scan", project, "--project", "app", "--json")).RootElement;
        Assert.Equal(["PYSEC-2021-10", "PYSEC-2021-9"], scan.GetProperty("advisories").EnumerateArray().Select(x => x.GetString()!).Order(StringComparer.Ordinal));
        Assert.Equal(2, scan.GetProperty("import").GetProperty("newCases").GetInt32());

        await Ok("commitment", "notice", a, "--vendor", "Example", "--product", "zlib", "--deadline", "2027-03-01T00:00:00Z");
        Assert.Contains("Example", await Ok("commitment", "list", "--json"));

        // An advisory from draft to publication: the content edited as a file, reviewed, published (disclosing the case).
        await Ok("exposure", a, "--set", "pkg:npm/lib1", "--vers", "vers:npm/<2.0.0");
        var content = System.Text.Json.Nodes.JsonNode.Parse(await Ok("advisories", "show", a, "--format", "content"))!;
        content["summary"] = "Heap overflow in the header parser";
        await Ok("advisories", "edit", a, Some.TempFile(content.ToJsonString()));
        Assert.Contains("reviewed", await Ok("advisories", "review", a));
        Assert.Contains("published (version 1)", await Ok("advisories", "publish", a));
        Assert.Contains("Heap overflow in the header parser", await Ok("advisories", "show", a, "--format", "osv"));
        Assert.Contains("cert@hospital.example", await Ok("orgs", "channels", "hospital", "--email", "cert@hospital.example", "--json"));
        Assert.Contains("intact", await Ok("audit", "verify"));
        var retry = await Run(server.AdminToken, ["jobs", "retry", "no-such-job", .. url]);
        Assert.Equal(2, retry.Exit);
    }

    [Fact]
    public async Task Admin_init_refuses_a_server_rather_than_initializing_a_local_database()
    {
        var (exit, _, error) = await Run(null, "admin", "init", "--org", "cert", "--admin", "you@example.org", "--server", "http://127.0.0.1:9");

        Assert.Equal(2, exit);
        Assert.Contains("--db", error);
    }
}
