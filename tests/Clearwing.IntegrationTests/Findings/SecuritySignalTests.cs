using System.IO.Compression;
using System.Net;
using System.Text.Json.Nodes;
using Clearwing.Access;
using Clearwing.Cases;
using Clearwing.Findings;
using Clearwing.IntegrationTests.Server;
using Clearwing.IntegrationTests.Storage;
using Clearwing.IntegrationTests.Support;
using Clearwing.Storage;

namespace Clearwing.IntegrationTests.Findings;

/// <summary>A style warning does not become a vulnerability case, on both engines (docs/signal.md).</summary>
public sealed class SecuritySignalTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The .NET SDK's own log of a program with a weak hash, an unused variable and two quality hints (Fixtures/SOURCES.md).</summary>
    static string RoslynLog()
    {
        var log = Some.TempFile("", ".sarif");
        using (var gz = new GZipStream(File.OpenRead(Path.Combine(AppContext.BaseDirectory, "Fixtures", "roslyn-checkout-one.sarif.gz")),
                   CompressionMode.Decompress))
        using (var to = File.Create(log))
            gz.CopyTo(to);
        return log;
    }

    static async Task<List<CaseSummary>> Cases(IServiceProvider app, SecuritySignal? signal = null) =>
        [.. (await app.Get<CaseQueries>().ListAsync(Caller.Local, new CaseFilter(Project: "demo", Signal: signal), Ct)).Items];

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task Quality_findings_are_kept_and_counted_outside_the_queue_until_the_project_opens_cases_for_them(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var app = Wired.For(db);
        var log = RoslynLog();
        var request = new ImportRequest("demo", [new ImportFile(log, "build.sarif")], "v1");

        var summary = await app.Get<Importer>().ImportAsync(request, null, Ct);
        var again = await app.Get<Importer>().ImportAsync(request, null, Ct);

        Assert.Equal(new SignalCounts(1, 0, 3), summary.Signals);
        Assert.Equal(summary.Signals, again.Signals);
        var queue = Assert.Single(await Cases(app));
        Assert.Equal(SecuritySignal.Security, queue.Signal);
        Assert.StartsWith("CA5351", queue.Title, StringComparison.Ordinal);
        Assert.Equal(["CA1850", "CA2000", "CS0219"], (await Cases(app, SecuritySignal.NotSecurity)).Select(c => c.Title[..6]).Order());

        await app.Get<ProjectSettingsStore>().SetAsync(Caller.Local, "demo", new ProjectSettings(NonSecurity: NonSecurityHandling.Cases), Ct);
        var all = await Cases(app);
        Assert.Equal(4, all.Count);
        Assert.Equal(SecuritySignal.Security, all[0].Signal);
        Assert.Equal(NonSecurityHandling.Cases, Assert.Single(await app.Get<ProjectSettingsStore>().ListAsync(Caller.Local, Ct)).NonSecurity);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task Unknown_cases_rank_below_security_ones_whatever_their_severity_and_a_case_takes_its_strongest_finding(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var app = Wired.For(db);
        // One rule tagged security at level note; one rule the log says nothing about, at level error, listed first.
        var root = JsonNode.Parse(File.ReadAllText(Some.SarifLog(
            [Some.Result(1) with { Level = "error" }, Some.Result(2) with { Level = "note" }])))!;
        root["runs"]![0]!["tool"]!["driver"]!["rules"] = new JsonArray(
            new JsonObject { ["id"] = Some.Result(2).Rule, ["properties"] = new JsonObject { ["tags"] = new JsonArray("security") } });
        var log = Some.TempFile(root.ToJsonString(), ".sarif");
        await app.Get<Importer>().ImportAsync(new ImportRequest("demo", [new ImportFile(log, "a.sarif")]), null, Ct);

        var cases = await Cases(app);

        Assert.Equal([SecuritySignal.Security, SecuritySignal.Unknown], cases.Select(c => c.Signal));
        var unknown = (await app.Get<FindingQueries>().ListAsync(Caller.Local, new FindingFilter(Case: cases[1].Id), Ct)).Items.Single();
        Assert.Equal((SecuritySignal.Unknown, "no security-severity, category, tags or CWE"), (unknown.Signal, unknown.SignalReason));
    }

    [Fact]
    public async Task The_api_lists_by_signal_refuses_an_unknown_one_and_changes_a_projects_handling()
    {
        await using var server = await TestServer.StartAsync(Engine.Sqlite);
        var import = await server.Http.PostAsync("/api/v1/projects/demo/imports", new StringContent(File.ReadAllText(RoslynLog()), null, "application/sarif+json"), Ct);
        Assert.Equal(HttpStatusCode.OK, import.StatusCode);

        var bad = await server.Http.GetAsync("/api/v1/cases?signal=2", Ct);
        var quality = await server.Http.GetStringAsync("/api/v1/cases?signal=notSecurity", Ct);
        var set = await server.Http.PutAsync("/api/v1/projects/demo/settings",
            new StringContent("""{"nonSecurity":"cases"}""", null, "application/json"), Ct);
        var refused = await server.Http.PutAsync("/api/v1/projects/demo/settings",
            new StringContent("""{"nonSecurity":"sometimes"}""", null, "application/json"), Ct);
        var missing = await server.Http.PutAsync("/api/v1/projects/nope/settings",
            new StringContent("""{"nonSecurity":"cases"}""", null, "application/json"), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("Unknown signal '2'", await bad.Content.ReadAsStringAsync(Ct));
        Assert.Equal(3, JsonNode.Parse(quality)!["total"]!.GetValue<int>());
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        Assert.Equal("cases", JsonNode.Parse(await set.Content.ReadAsStringAsync(Ct))!["nonSecurity"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(4, JsonNode.Parse(await server.Http.GetStringAsync("/api/v1/cases", Ct))!["total"]!.GetValue<int>());
    }
}
