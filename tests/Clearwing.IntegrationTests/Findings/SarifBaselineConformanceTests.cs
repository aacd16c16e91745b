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
        // TEST1001 and TEST1002 do not apply: their baselines carry no result guids, and the multitool
        // then matches nothing (every result "new") although the results are identical to the current
        // ones; Clearwing matches by fingerprint and calls them unchanged, which is the point of a baseline.
        foreach (var test in new[] { "TEST1003", "TEST1004", "TEST1005", "TEST1006", "TEST1007", "TEST1008" })
            foreach (var engine in new[] { Engine.Sqlite, Engine.Postgres })
                data.Add(test, engine);
        return data;
    }

    [Theory, MemberData(nameof(Cases))]
    public async Task Each_result_gets_the_baseline_state_the_sarif_multitool_gives_it(string test, Engine engine)
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
        Assert.Equal(expectedStates.Where(s => s != "absent"), states);
        Assert.Equal(expectedStates.Count(s => s == "absent"), summary.Absent);
    }
}
