using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Clearwing.Access;
using Clearwing.Cases;
using Clearwing.Findings;
using Clearwing.IntegrationTests.Server;
using Clearwing.IntegrationTests.Storage;
using Clearwing.IntegrationTests.Support;
using Clearwing.Storage;
using Dapper;

namespace Clearwing.IntegrationTests.Findings;

/// <summary>What a person sees follows the baseline, and says why each finding is in its case (both engines).</summary>
public sealed class FindingDetailTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    sealed class App(Database db)
    {
        readonly IServiceProvider _services = Wired.For(db);
        public Importer Importer => _services.Get<Importer>();
        public FindingQueries Findings => _services.Get<FindingQueries>();
        public CaseQueries Cases => _services.Get<CaseQueries>();
        public CaseEditor Editor => _services.Get<CaseEditor>();

        public Task<ImportSummary> ImportAsync(string path, string revision) =>
            Importer.ImportAsync(new ImportRequest("zlib", [new ImportFile(path, Path.GetFileName(path))], revision), null, Ct);

        public async Task<List<Finding>> FindingsAsync() =>
            [.. (await Findings.ListAsync(Caller.Local, new FindingFilter(Project: "zlib", Limit: 1000), Ct)).Items];

        public async Task<CaseDetail> CaseAsync(string id) => (await Cases.GetAsync(Caller.Local, id, Ct))!;
    }

    /// <summary>A log of <paramref name="results"/> whose results at <paramref name="suppressed"/> carry an in-source suppression.</summary>
    static string Log(IEnumerable<SomeResult> results, params int[] suppressed)
    {
        var log = JsonNode.Parse(File.ReadAllText(Some.SarifLog(results)))!;
        foreach (var i in suppressed)
            log["runs"]![0]!["results"]![i]!["suppressions"] = new JsonArray(new JsonObject { ["kind"] = "inSource" });
        return Some.TempFile(log.ToJsonString(), ".sarif");
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_result_gone_from_the_latest_scan_shows_as_absent_with_the_revision_in_lists_in_its_detail_and_on_its_case(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var app = new App(db);
        await app.ImportAsync(Log(Some.Results(4)), "r1");
        await app.ImportAsync(Log(Some.Results(3)), "r2");

        var findings = await app.FindingsAsync();
        var gone = Assert.Single(findings, f => f.RuleId == Some.Result(4).Rule && f.Revision == "r1");
        Assert.Equal("r2", gone.AbsentAt);
        Assert.All(findings.Where(f => f != gone), f => Assert.Null(f.AbsentAt));
        var detail = await app.Findings.GetAsync(Caller.Local, gone.Id, Ct);
        Assert.Equal("r2", detail.Finding.AbsentAt);
        Assert.Equal(Some.Result(4).Snippet, detail.Snippet);
        // Several at once, as the case page asks: each finding's own, and nothing for an id that names none.
        var snippets = await app.Findings.SnippetsAsync(Caller.Local, [.. findings.Select(f => f.Id), findings[0].Id, "nothing-1", "no-dash"], Ct);
        Assert.Equal(findings.ToDictionary(f => f.Id, f => Some.Results(4).Single(r => r.Rule == f.RuleId && r.File == f.Path).Snippet),
            snippets);
        // Within need-to-know: an org granted none of these cases, and a downstream org, get none.
        foreach (var kind in new[] { OrgKind.Maintainer, OrgKind.Downstream })
            Assert.Empty(await app.Findings.SnippetsAsync(new Caller(999, "elsewhere", kind, Role.Admin, "someone"), [.. findings.Select(f => f.Id)], Ct));

        var goneCase = await app.CaseAsync(gone.Case!);
        Assert.Equal(new CaseBaseline(0, 0, 1, "r2"), goneCase.Baseline);
        Assert.Equal(CaseBaselineStatus.Absent, goneCase.Baseline!.Status);
        var kept = await app.CaseAsync(findings.First(f => f.Revision == "r2").Case!);
        Assert.Equal(CaseBaselineStatus.Present, kept.Baseline!.Status);
        Assert.Equal(1, kept.Baseline.Present);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_case_whose_present_results_are_all_suppressed_in_source_is_shown_as_suppressed(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var app = new App(db);
        await app.ImportAsync(Log(Some.Results(2)), "r1");
        await app.ImportAsync(Log(Some.Results(2), suppressed: 0), "r2");

        var findings = await app.FindingsAsync();
        var suppressed = await app.CaseAsync(findings.Single(f => f.Revision == "r2" && f.Suppressed).Case!);
        var open = await app.CaseAsync(findings.Single(f => f.Revision == "r2" && !f.Suppressed).Case!);

        Assert.Equal(CaseBaselineStatus.Suppressed, suppressed.Baseline!.Status);
        Assert.Equal((1, 1, 0), (suppressed.Baseline.Present, suppressed.Baseline.Suppressed, suppressed.Baseline.Absent));
        Assert.Equal(CaseBaselineStatus.Present, open.Baseline!.Status);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_finding_says_it_opened_its_case_then_every_merge_and_split_that_moved_it_and_its_case_lists_why(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var app = new App(db);
        var import = await app.ImportAsync(Log(Some.Results(2)), "r1");
        var findings = await app.FindingsAsync();
        var (first, second) = (findings.Single(f => f.Id == $"{import.ImportId}-0"), findings.Single(f => f.Id == $"{import.ImportId}-1"));

        await app.Editor.MergeAsync(Caller.Local, first.Case!, [second.Case!], "same overflow", Ct);
        var split = await app.Editor.SplitAsync(Caller.Local, first.Case!, [second.Fingerprint], "different root cause after all", Ct);

        var reasons = (await app.Findings.GetAsync(Caller.Local, second.Id, Ct)).Reasons;
        Assert.Equal([CaseReasonKind.Opened, CaseReasonKind.Merged, CaseReasonKind.Split], reasons.Select(r => r.Kind));
        Assert.Equal((second.Case, second.Id, $"import:{import.ImportId}"), (reasons[0].Case, reasons[0].Finding, reasons[0].By));
        Assert.Equal((first.Case, second.Case, "same overflow", "local"), (reasons[1].Case, reasons[1].FromCase, reasons[1].Reason, reasons[1].By));
        Assert.Equal((split, first.Case), (reasons[2].Case, reasons[2].FromCase));

        var splitCase = await app.CaseAsync(split);
        Assert.Equal(CaseReasonKind.Split, Assert.Single(splitCase.Reasons).Kind);
        var firstCase = await app.CaseAsync(first.Case!);
        Assert.Equal((CaseReasonKind.Opened, first.Id), (Assert.Single(firstCase.Reasons).Kind, firstCase.Reasons[0].Finding));
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task The_same_file_given_twice_in_one_import_is_imported_once_with_a_warning(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var app = new App(db);
        var log = Log(Some.Results(5));
        var copy = Some.TempFile(File.ReadAllText(log), ".sarif");

        var summary = await app.Importer.ImportAsync(new ImportRequest("zlib",
            [new ImportFile(log, "first.sarif"), new ImportFile(copy, "again.sarif"), new ImportFile(log, "first.sarif")]), null, Ct);

        Assert.Equal((5, 5, 5), (summary.Results, summary.New, summary.NewCases));
        Assert.Equal(["again.sarif is the same file as first.sarif: imported once.", "first.sarif was given twice: imported once."],
            summary.Warnings);
        Assert.Equal(5, (await app.FindingsAsync()).Count);
    }

    [Fact]
    public async Task A_finding_outside_need_to_know_is_not_found_and_a_downstream_org_sees_a_disclosed_case_without_its_findings()
    {
        await using var server = await TestServer.StartAsync(Engine.Sqlite);
        var import = await server.Http.PostAsync("/api/v1/projects/zlib/imports",
            new StringContent(File.ReadAllText(Some.SarifLog(Some.Results(2))), null, "application/json"), Ct);
        var importId = JsonDocument.Parse(await import.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("importId").GetString();
        var detail = JsonDocument.Parse(await server.Http.GetStringAsync($"/api/v1/findings/{importId}-0", Ct)).RootElement;
        var caseId = detail.GetProperty("finding").GetProperty("case").GetString();
        await using (var connection = await server.Db.OpenAsync(Ct))
            await connection.ExecuteAsync("UPDATE cases SET state = 'disclosed' WHERE id = @caseId", new { caseId });
        using var downstream = await server.ClientForAsync("hospital", OrgKind.Downstream);
        using var maintainer = await server.ClientForAsync("alpha", OrgKind.Maintainer);

        Assert.Equal("opened", detail.GetProperty("reasons")[0].GetProperty("kind").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await maintainer.GetAsync($"/api/v1/findings/{importId}-0", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Http.GetAsync($"/api/v1/findings/{importId}-7", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Http.GetAsync("/api/v1/findings/not-a-finding", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await downstream.GetAsync($"/api/v1/findings/{importId}-0", Ct)).StatusCode);
        var seen = JsonDocument.Parse(await downstream.GetStringAsync($"/api/v1/cases/{caseId}", Ct)).RootElement;
        Assert.Equal(0, seen.GetProperty("reasons").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, seen.GetProperty("baseline").ValueKind);
    }
}
