using System.Text.Json.Nodes;
using Clearwing.Access;
using Clearwing.Finders;
using Clearwing.Findings;
using Clearwing.IntegrationTests.Cli;
using Clearwing.IntegrationTests.Storage;
using Clearwing.IntegrationTests.Support;
using Clearwing.Storage;

namespace Clearwing.IntegrationTests.Finders;

/// <summary>Finders' outputs through intake: a real analyzer run by the SARIF-command finder, and provenance kept on findings.</summary>
public sealed class FindersTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>
    /// The checkout analysed: a small C# library with a broken hash (CA5351), analysed by the SDK's own analyzers through <c>dotnet build</c> with
    /// <c>ErrorLog</c> (the comma of <c>,version=2.1</c> escaped, else MSBuild writes SARIF 1.0): once for all tests, it takes seconds.
    /// </summary>
    static readonly string Checkout = Directory.CreateTempSubdirectory("clearwing-analyzed-").FullName;

    static readonly Lazy<Task<(FinderReport First, FinderReport Again)>> Analysed = new(async () =>
    {
        var checkout = Checkout;
        File.WriteAllText(Path.Combine(checkout, "Vulnerable.csproj"), """
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup><TargetFramework>net10.0</TargetFramework><Nullable>enable</Nullable></PropertyGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(checkout, ".editorconfig"), "root = true\n[*.cs]\ndotnet_diagnostic.CA5351.severity = warning\n");
        Directory.CreateDirectory(Path.Combine(checkout, "src"));
        File.WriteAllText(Path.Combine(checkout, "src", "Accounts.cs"), """
            using System.Security.Cryptography;
            using System.Text;

            namespace Shop;

            public static class Accounts
            {
                public static byte[] HashPassword(string password) => MD5.Create().ComputeHash(Encoding.UTF8.GetBytes(password));
            }
            """);
        var finder = new SarifCommandFinder(new SarifCommandOptions(
            ["dotnet", "build", "Vulnerable.csproj", "-nologo", "--disable-build-servers", "-p:UseSharedCompilation=false",
                "-p:ErrorLog=analysis.sarif%2Cversion%3D2.1"], "analysis.sarif", Timeout: TimeSpan.FromMinutes(5)));
        var ledger = new MemoryUnitLedger();
        var request = new FinderRequest(new Checkout(checkout, "c0ffee1"), Path.Combine(checkout, ".clearwing"), ledger);
        var first = await finder.RunAsync(request, CancellationToken.None);
        return (first, await finder.RunAsync(request, CancellationToken.None));
    });

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_real_analyzer_run_by_the_sarif_command_finder_imports_as_cases(Engine engine)
    {
        var (report, again) = await Analysed.Value;
        Assert.True(report.Complete, string.Join("; ", report.Failed.Select(f => f.Reason)));
        Assert.Equal(FindingsFormat.Sarif, report.Output!.Format);
        // The ledger holds the command as done: the second run takes its SARIF without running it again.
        Assert.Equal((0, 1, report.Output.Path), (again.Done, again.Skipped, again.Output!.Path));

        await using var db = await TestDatabases.CreateAsync(engine);
        var import = await Wired.For(db).Get<Importer>().ImportAsync(
            new ImportRequest("shop", [new ImportFile(report.Output.Path, "analysis.sarif")], "c0ffee1", SourceRoot: Checkout), null, Ct);

        Assert.True(import.NewCases >= 1);
        var findings = (await Wired.For(db).Get<FindingQueries>().ListAsync(Caller.Local, new FindingFilter(Project: "shop"), Ct)).Items;
        var md5 = Assert.Single(findings, f => f.RuleId == "CA5351");
        Assert.Equal(("src/Accounts.cs", 8), (md5.Path, md5.StartLine));
        Assert.NotNull(md5.Case);
    }

    static string NativeFile(JsonNode? provenance)
    {
        var finding = new JsonObject
        {
            ["rule"] = "heap-overflow", ["cwe"] = "CWE-122", ["message"] = "memcpy of an unchecked length",
            ["location"] = new JsonObject { ["file"] = "src/http/header.c", ["startLine"] = 14 },
        };
        if (provenance is not null) finding["provenance"] = provenance;
        return Some.TempFile(new JsonObject
        {
            ["format"] = "clearwing-findings", ["version"] = "1.0",
            ["tool"] = new JsonObject { ["name"] = "clearwing-ai", ["model"] = "claude-sonnet-4-5" },
            ["findings"] = new JsonArray(finding),
        }.ToJsonString());
    }

    static JsonObject Provenance => new()
    {
        ["finder"] = "ai", ["promptVersion"] = "v1", ["unit"] = "src/http/header.c", ["inputTokens"] = 2107, ["outputTokens"] = 514,
        ["cost"] = 0.014031, ["currency"] = "USD", ["attempts"] = 2, ["requestId"] = "req_011CVhx4Yq3rS8dWm2Ebz5aT", ["later"] = "dropped",
    };

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_findings_provenance_is_stored_and_shown_with_it(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        await Wired.For(db).Get<Importer>().ImportAsync(new ImportRequest("httpd", [new ImportFile(NativeFile(Provenance), "ai.json")], "r1"), null, Ct);

        var queries = Wired.For(db).Get<FindingQueries>();
        var finding = Assert.Single((await queries.ListAsync(Caller.Local, new FindingFilter(Project: "httpd"), Ct)).Items);
        var detail = await queries.GetAsync(Caller.Local, finding.Id, Ct);

        Assert.Equal(new FindingProvenance("ai", "v1", "src/http/header.c", 2107, 514, 0.014031m, "USD", 2, "req_011CVhx4Yq3rS8dWm2Ebz5aT"),
            detail.Provenance);
        Assert.Equal("claude-sonnet-4-5", detail.Finding.Model);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_provenance_of_the_wrong_shape_is_refused_with_its_path_and_nothing_is_stored(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var bad = Provenance;
        bad["inputTokens"] = "many";

        var e = await Assert.ThrowsAsync<MalformedInputException>(() => Wired.For(db).Get<Importer>().ImportAsync(
            new ImportRequest("httpd", [new ImportFile(NativeFile(bad), "ai.json")], "r1"), null, Ct));

        Assert.Equal(("$.findings[0].provenance.inputTokens", "must be a whole number, 0 or more"), (e.JsonPath, e.Reason));
        Assert.Empty((await Wired.For(db).Get<FindingQueries>().ListAsync(Caller.Local, new FindingFilter(), Ct)).Items);
    }

    [Fact]
    public async Task Findings_show_prints_the_provenance_and_its_json_carries_it()
    {
        var db = Path.Combine(Directory.CreateTempSubdirectory("clearwing-provenance-").FullName, "clearwing.db");
        Assert.Equal(0, (await CliTests.Run("import", NativeFile(Provenance), "--project", "httpd", "--revision", "r1", "--db", db)).Exit);
        var id = JsonNode.Parse((await CliTests.Run("findings", "list", "--project", "httpd", "--json", "--db", db)).Out)!
            .AsArray()[0]!["id"]!.GetValue<string>();

        var text = await CliTests.Run("findings", "show", id, "--db", db);
        var json = JsonNode.Parse((await CliTests.Run("findings", "show", id, "--json", "--db", db)).Out)!;

        Assert.Contains("Provenance\n  finder         ai\n  prompt         v1\n  unit           src/http/header.c\n  tokens         2107 in, 514 out\n" +
            "  cost           0.014031 USD\n  attempts       2\n  request        req_011CVhx4Yq3rS8dWm2Ebz5aT\n", text.Out.ReplaceLineEndings("\n"));
        Assert.Equal(2107, json["provenance"]!["inputTokens"]!.GetValue<long>());
        Assert.Equal("v1", json["provenance"]!["promptVersion"]!.GetValue<string>());
    }
}
