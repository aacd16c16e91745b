using Clearwing.Access;
using Clearwing.Cases;
using Clearwing.IntegrationTests.Storage;
using Clearwing.IntegrationTests.Support;
using Clearwing.Storage;
using Dapper;

namespace Clearwing.IntegrationTests.Cases;

/// <summary>Which tools reported each case (case_finders, the finder filter's table) is what the cases' findings say, on both engines:
/// after imports that take every path of the intake writer, after a merge and after a split.</summary>
public sealed class CaseFindersTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    static async Task AssertAsTheFindingsSay(Database db)
    {
        await using var connection = await db.OpenAsync(Ct);
        const string Listed = """
            SELECT cf.tool || ' ' || c.id FROM case_finders cf JOIN cases c ON c.seq = cf.case_seq WHERE c.merged_into IS NULL ORDER BY 1
            """;
        const string Found = """
            SELECT DISTINCT f.tool || ' ' || c.id FROM findings f JOIN fingerprints x ON x.id = f.fingerprint_id JOIN cases c ON c.seq = x.case_seq
            WHERE c.merged_into IS NULL ORDER BY 1
            """;
        var found = (await connection.QueryAsync<string>(Found)).ToList();
        Assert.Equal(found, await connection.QueryAsync<string>(Listed));
        Assert.Contains(found, f => f.StartsWith("B ", StringComparison.Ordinal));
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task The_tools_of_each_case_are_those_of_its_findings_after_imports_merges_and_splits(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        await new IntakeScenario().ImportAsync(db);
        await AssertAsTheFindingsSay(db);

        var editor = Wired.For(db).Get<CaseEditor>();
        List<(string Id, string Tool, string Fingerprint)> cases;
        await using (var connection = await db.OpenAsync(Ct))
            cases = [.. await connection.QueryAsync<(string, string, string)>(
                """
                SELECT DISTINCT c.id, f.tool, x.fingerprint FROM cases c JOIN fingerprints x ON x.case_seq = c.seq
                JOIN findings f ON f.fingerprint_id = x.id ORDER BY 1, 2, 3
                """)];
        var ai = cases.First(c => c.Tool == "clearwing-ai");
        var sarif = cases.First(c => c.Tool == "SomeAnalyzer");
        await editor.MergeAsync(Caller.Local, sarif.Id, [ai.Id], "one root cause", Ct);
        await AssertAsTheFindingsSay(db);
        await editor.SplitAsync(Caller.Local, sarif.Id, [ai.Fingerprint], "two after all", Ct);
        await AssertAsTheFindingsSay(db);
    }
}
