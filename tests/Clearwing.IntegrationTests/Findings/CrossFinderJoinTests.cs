using System.Text.Json.Nodes;
using Clearwing.Access;
using Clearwing.Cases;
using Clearwing.Findings;
using Clearwing.IntegrationTests.Storage;
using Clearwing.IntegrationTests.Support;
using Clearwing.Scoring;
using Clearwing.Storage;

namespace Clearwing.IntegrationTests.Findings;

/// <summary>
/// The same flaw from two finders is one case, on both engines (docs/fingerprints.md, "Joins"): the same file, overlapping
/// lines and the same CWE, or a shared advisory id; never across a split, and not where the project switched it off.
/// </summary>
public sealed class CrossFinderJoinTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>An analyzer's SARIF log: one result of a rule tagged with <paramref name="cwe"/>, at lines
    /// <paramref name="start"/>–<paramref name="end"/> of src/png.c.</summary>
    static string Analyzer(string cwe = "787", int start = 10, int end = 12, string rule = "cpp/overflow-buffer") => Some.TempFile(new JsonObject
    {
        ["version"] = "2.1.0",
        ["runs"] = new JsonArray(new JsonObject
        {
            ["tool"] = new JsonObject
            {
                ["driver"] = new JsonObject
                {
                    ["name"] = "codeql",
                    ["rules"] = new JsonArray(new JsonObject
                    {
                        ["id"] = rule,
                        ["properties"] = new JsonObject { ["tags"] = new JsonArray("security", $"external/cwe/cwe-{cwe}") },
                    }),
                },
            },
            ["results"] = new JsonArray(new JsonObject
            {
                ["ruleId"] = rule,
                ["message"] = new JsonObject { ["text"] = "This write may overflow 'row_buf'." },
                ["locations"] = new JsonArray(new JsonObject
                {
                    ["physicalLocation"] = new JsonObject
                    {
                        ["artifactLocation"] = new JsonObject { ["uri"] = "src/png.c" },
                        ["region"] = new JsonObject { ["startLine"] = start, ["endLine"] = end },
                    },
                }),
            }),
        }),
    }.ToJsonString(), ".sarif");

    /// <summary>A model's native finding of <paramref name="rule"/> at <paramref name="line"/> of src/png.c, with a CWE.</summary>
    static string Model(string? cwe = "CWE-787", int line = 11, string rule = "heap-overflow", string? severity = null) => Some.TempFile(new JsonObject
    {
        ["format"] = "clearwing-findings",
        ["version"] = "1.0",
        ["tool"] = new JsonObject { ["name"] = "model-x", ["version"] = "1" },
        ["findings"] = new JsonArray(WithSeverity(new JsonObject
        {
            ["rule"] = rule,
            ["cwe"] = cwe,
            ["location"] = new JsonObject { ["file"] = "src/png.c", ["startLine"] = line },
            ["message"] = "heap buffer overflow writing row_buf in png_read_row",
        }, severity)),
    }.ToJsonString(), ".json");

    static Task<ImportSummary> Import(IServiceProvider app, string revision, params string[] files) =>
        app.Get<Importer>().ImportAsync(new ImportRequest("png", [.. files.Select(f => new ImportFile(f, Path.GetFileName(f)))], revision), null, Ct);

    static async Task<List<CaseSummary>> Cases(IServiceProvider app) =>
        [.. (await app.Get<CaseQueries>().ListAsync(Caller.Local, new CaseFilter(Project: "png"), Ct)).Items];

    static async Task<List<Finding>> Findings(IServiceProvider app) =>
        [.. (await app.Get<FindingQueries>().ListAsync(Caller.Local, new FindingFilter(Project: "png"), Ct)).Items];

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_second_finder_reporting_the_same_weakness_at_overlapping_lines_joins_the_case_and_says_why(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var app = Wired.For(db);
        await Import(app, "v1", Analyzer());
        var model = await Import(app, "v1", Model());

        Assert.Equal((1L, 0L), (model.New, model.NewCases));
        var only = Assert.Single(await Cases(app));
        Assert.Equal(2, only.Findings);
        var findings = await Findings(app);
        var analyzer = findings.Single(f => f.Tool == "codeql");
        var joined = findings.Single(f => f.Tool == "model-x");
        Assert.Equal(only.Id, joined.Case);
        var reason = Assert.Single((await app.Get<FindingQueries>().GetAsync(Caller.Local, joined.Id, Ct)).Reasons);
        Assert.Equal((CaseReasonKind.Joined, analyzer.Id, only.Id), (reason.Kind, reason.Finding, reason.Case));
        Assert.Contains("CWE-787", reason.Reason, StringComparison.Ordinal);
        Assert.Contains("codeql", reason.Reason, StringComparison.Ordinal);
        Assert.Contains((await app.Get<CaseQueries>().GetAsync(Caller.Local, only.Id, Ct))!.Reasons, r => r.Kind == CaseReasonKind.Joined);

        // Seen again, each finder's result stays where it is: matched by its own fingerprint, not joined twice.
        var again = await Import(app, "v2", Model());
        Assert.Equal((0L, 1L, 0L), (again.New, again.Unchanged, again.NewCases));
        Assert.Single(await Cases(app));
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task Two_finders_in_one_import_make_one_case(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var app = Wired.For(db);

        var summary = await Import(app, "v1", Analyzer(), Model(severity: "critical"));

        Assert.Equal((2L, 1L), (summary.New, summary.NewCases));
        var only = Assert.Single(await Cases(app));
        // The case opened by the analyzer's result counts the model's too, and takes its higher severity.
        Assert.Equal((2L, ReportedSeverity.Critical), (only.Findings, only.HighestSeverity));
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task Another_weakness_other_lines_or_the_same_finder_open_cases_of_their_own(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var app = Wired.For(db);
        await Import(app, "v1", Analyzer());

        await Import(app, "v1", Model(cwe: "CWE-416", rule: "use-after-free"));
        await Import(app, "v1", Model(line: 40, rule: "heap-overflow-far"));
        await Import(app, "v1", Model(cwe: null, rule: "unchecked-length"));

        Assert.Equal(4, (await Cases(app)).Count);
        // The same finder's other rule about the same weakness at the same lines: a finding of its own (two rules of one
        // tool that fire on one line are two findings; matching, not joining, follows one tool's results).
        await Import(app, "v1", Analyzer(rule: "cpp/overrun-write"));
        Assert.Equal(5, (await Cases(app)).Count);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_finding_naming_an_advisory_joins_the_case_that_carries_it(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var app = Wired.For(db);
        await Import(app, "v1", Analyzer());
        var first = Assert.Single(await Cases(app));
        await app.Get<Clearwing.Scoring.FeedStore>().AddAliasesAsync(Caller.Local, first.Id, ["CVE-2026-12345"], Ct);

        // Another file and no CWE: only the advisory id says it is the same flaw.
        var summary = await Import(app, "v1", Some.TempFile("""
            {"format":"clearwing-findings","version":"1.0","tool":{"name":"model-y","version":"2"},"findings":[{"rule":"uaf",
             "location":{"file":"src/other.c","startLine":3},"message":"use after free","aliases":["cve-2026-12345"]}]}
            """));

        Assert.Equal(0L, summary.NewCases);
        var joined = (await Findings(app)).Single(f => f.Tool == "model-y");
        Assert.Equal(first.Id, joined.Case);
        Assert.Contains("CVE-2026-12345", Assert.Single((await app.Get<FindingQueries>().GetAsync(Caller.Local, joined.Id, Ct)).Reasons).Reason,
            StringComparison.Ordinal);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_split_stays_split_and_a_project_can_switch_joins_off(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var app = Wired.For(db);
        await Import(app, "v1", Analyzer(), Model());
        var joined = (await Findings(app)).Single(f => f.Tool == "model-x");
        var split = await app.Get<CaseEditor>().SplitAsync(Caller.Local, joined.Case!, [joined.Fingerprint], "a different bug", Ct);

        var again = await Import(app, "v2", Analyzer(), Model());

        Assert.Equal((0L, 2L), (again.NewCases, again.Unchanged));
        Assert.Equal(2, (await Cases(app)).Count);
        Assert.Contains((await Findings(app)).Where(f => f.Revision == "v2"), f => f.Case == split);

        var settings = await app.Get<ProjectSettingsStore>().SetAsync(Caller.Local, "png", new ProjectSettings(CrossFinderJoins: false), Ct);
        Assert.False(settings.CrossFinderJoins);
        var off = await Import(app, "v3", Analyzer(), Some.TempFile("""
            {"format":"clearwing-findings","version":"1.0","tool":{"name":"model-z","version":"1"},"findings":[{"rule":"heap-overflow",
             "cwe":"CWE-787","location":{"file":"src/png.c","startLine":10},"message":"row_buf overflow"}]}
            """));
        Assert.Equal(1L, off.NewCases);
        Assert.Equal(3, (await Cases(app)).Count);
    }

    static JsonObject WithSeverity(JsonObject finding, string? severity)
    {
        if (severity is not null) finding["severity"] = severity;
        return finding;
    }
}
