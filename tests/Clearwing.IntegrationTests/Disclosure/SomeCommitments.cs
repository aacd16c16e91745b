using Clearwing.Access;
using System.Text.Json;
using Clearwing.Cases;
using Clearwing.Disclosure;
using Clearwing.Findings;
using Clearwing.Storage;
using Clearwing.IntegrationTests.Support;

namespace Clearwing.IntegrationTests.Disclosure;

/// <summary>Test vocabulary for commitments: real cases from an import, reports with text that must not leak, commits in a transaction.</summary>
public static class SomeCommitments
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Imports <paramref name="count"/> results into project p and returns the ids of the cases they opened.</summary>
    public static async Task<List<string>> CasesAsync(Database db, int count)
    {
        var log = Some.SarifLog(Some.Results(count));
        await Wired.For(db).Get<Importer>().ImportAsync(new ImportRequest("p", [new ImportFile(log, "log.sarif")]), null, Ct);
        return (await Wired.For(db).Get<Clearwing.Cases.CaseQueries>().ListAsync(Clearwing.Access.Caller.Local, new CaseFilter(Limit: 1000), Ct)).Items.Select(c => c.Id).ToList();
    }

    /// <summary>A report whose <paramref name="secret"/> appears nowhere else, so a test can search output for it.</summary>
    public static JsonElement Report(string secret = "EMBARGOED-overflow-in-parse_header") =>
        JsonDocument.Parse($$"""
            { "title": "{{secret}}", "severity": "critical", "cvss": 9.8,
              "affected": { "vendor": "Example Org", "product": "libexample", "versions": "< 1.4.2" } }
            """).RootElement;

    /// <summary>Commits in a transaction of its own, as the lifecycle does when it confirms a case.</summary>
    public static async Task<Commitment> CommitAsync(Database db, CommitmentStore store, string caseId, JsonElement report)
    {
        await using var connection = await db.OpenAsync(Ct);
        await using var tx = await db.BeginAsync(connection, Ct);
        var commitment = await store.CommitAsync(connection, tx, caseId, report, Ct);
        await tx.CommitAsync(Ct);
        return commitment;
    }

    /// <summary>Reveals in a transaction of its own, as the lifecycle does when it discloses a case.</summary>
    public static async Task<RevealedReport?> RevealAsync(Database db, CommitmentStore store, string caseId)
    {
        await using var connection = await db.OpenAsync(Ct);
        await using var tx = await db.BeginAsync(connection, Ct);
        var revealed = await store.RevealAsync(connection, tx, caseId, Ct);
        await tx.CommitAsync(Ct);
        return revealed;
    }
}
