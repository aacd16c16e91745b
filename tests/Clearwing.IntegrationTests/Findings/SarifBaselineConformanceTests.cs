using System.Text.Json.Nodes;
using Clearwing.Access;
using Clearwing.Findings;
using Clearwing.IntegrationTests.Storage;
using Clearwing.Storage;
using Clearwing.Tests;
using Dapper;
using Clearwing.IntegrationTests.Support;

namespace Clearwing.IntegrationTests.Findings;

/// <summary>
/// sarif-sdk's baseline tests (Multitool/BaselineOption, TEST1001–1008): import the baseline log, then
/// the current results of the expected output (minus those it marks absent), and compare each result's
/// baseline state and the number of absent results with what the SARIF multitool computed.
/// </summary>
public sealed class SarifBaselineConformanceTests
{
    const string Folder = "sarif-sdk/Test.FunctionalTests.Sarif/TestData/Multitool/BaselineOption";

    public static TheoryData<string, Engine> Cases()
    {
        var data = new TheoryData<string, Engine>();
        // TEST1001 and TEST1002 are below: Clearwing's answer differs, and is the better one.
        foreach (var test in new[] { "TEST1003", "TEST1004", "TEST1005", "TEST1006", "TEST1007", "TEST1008" })
            foreach (var engine in new[] { Engine.Sqlite, Engine.Postgres })
                data.Add(test, engine);
        return data;
    }

    [Theory, MemberData(nameof(Cases))]
    public async Task Each_result_gets_the_baseline_state_the_sarif_multitool_gives_it(string test, Engine engine)
    {
        var (expectedStates, states, absent) = await RunAsync(test, engine);

        Assert.Equal(expectedStates.Where(s => s != "absent"), states);
        Assert.Equal(expectedStates.Count(s => s == "absent"), absent);
    }

    /// <summary>
    /// TEST1001 and TEST1002 (docs/fingerprints.md, "sarif-sdk's baseline tests"): the baseline's results carry no guids, and
    /// the multitool then matches none of them, calling all 30 current results new, although 7 of them are the baseline's own
    /// (same rule, place and message). Clearwing calls exactly those 7 unchanged, the other 23 new, and the 6 baseline
    /// results the current run no longer reports absent.
    /// </summary>
    [Theory]
    [InlineData("TEST1001", Engine.Sqlite)]
    [InlineData("TEST1001", Engine.Postgres)]
    [InlineData("TEST1002", Engine.Sqlite)]
    [InlineData("TEST1002", Engine.Postgres)]
    public async Task Results_the_baseline_already_had_are_unchanged_even_without_result_guids(string test, Engine engine)
    {
        var (expectedStates, states, absent) = await RunAsync(test, engine);
        var baseline = JsonNode.Parse(File.ReadAllText(Directory.GetFiles(TestData.PathTo(Folder, "Inputs"), $"{test}.*").Single()))!;
        var current = JsonNode.Parse(File.ReadAllText(Directory.GetFiles(TestData.PathTo(Folder, "ExpectedOutputs"), $"{test}.*").Single()))!;
        static string Key(JsonNode? r) => $"{r!["ruleId"]}|{r["locations"]?[0]?["physicalLocation"]?["region"]?["startLine"]}|" +
            $"{r["message"]?["text"] ?? r["message"]?["id"]}";
        var before = baseline["runs"]![0]!["results"]!.AsArray().Select(Key).ToList();
        var after = current["runs"]![0]!["results"]!.AsArray().Select(Key).ToList();
        var kept = after.Count(before.Contains);

        Assert.All(expectedStates, s => Assert.Equal("new", s));
        Assert.Equal((7, 30, 6), (kept, after.Count, before.Count(b => !after.Contains(b))));
        Assert.Equal(kept, states.Count(s => s == "unchanged"));
        Assert.Equal(after.Count - kept, states.Count(s => s == "new"));
        Assert.Equal(before.Count(b => !after.Contains(b)), absent);
    }

    static async Task<(List<string> Expected, List<string> States, long Absent)> RunAsync(string test, Engine engine)
    {
        var ct = TestContext.Current.CancellationToken;
        var baseline = Directory.GetFiles(TestData.PathTo(Folder, "Inputs"), $"{test}.*").Single();
        var expected = JsonNode.Parse(File.ReadAllText(Directory.GetFiles(TestData.PathTo(Folder, "ExpectedOutputs"), $"{test}.*").Single()))!;
        var results = expected["runs"]![0]!["results"]!.AsArray();
        var expectedStates = results.Select(r => r!["baselineState"]!.GetValue<string>()).ToList();
        // The current run is the expected output's results without the multitool's verdicts.
        var current = new JsonArray(results.Where(r => r!["baselineState"]!.GetValue<string>() != "absent")
            .Select(r => { var copy = r!.DeepClone(); copy.AsObject().Remove("baselineState"); return copy; }).ToArray());
        expected["runs"]![0]!["results"] = current;
        var currentLog = Some.TempFile(expected.ToJsonString(), ".sarif");

        await using var db = await TestDatabases.CreateAsync(engine);
        var importer = Wired.For(db).Get<Importer>();
        await importer.ImportAsync(new ImportRequest("sdk", [new ImportFile(baseline, Path.GetFileName(baseline))], "baseline"), null, ct);
        var summary = await importer.ImportAsync(new ImportRequest("sdk", [new ImportFile(currentLog, "current.sarif")], "current"), null, ct);

        await using var connection = await db.OpenAsync(ct);
        var states = (await connection.QueryAsync<string>(
            "SELECT f.baseline_state FROM findings f JOIN imports i ON i.seq = f.import_seq WHERE i.revision = 'current' ORDER BY f.ordinal")).ToList();
        return (expectedStates, states, summary.Absent);
    }
}
