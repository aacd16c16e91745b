using System.Text;
using Clearwing.Access;
using Clearwing.Cases;
using Clearwing.Disclosure;
using Clearwing.IntegrationTests.Cases;
using Clearwing.IntegrationTests.Support;
using Clearwing.Packages;
using Clearwing.Scoring;
using Clearwing.Storage;
using Dapper;

namespace Clearwing.IntegrationTests.Disclosure;

/// <summary>Test vocabulary for advisories: notified cases with a package, a vector and a CVE alias, and the rows publication leaves.</summary>
public static class SomeAdvisories
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    public const string Package = "pkg:npm/libexample";
    public const string Vers = "vers:npm/>=1.0.0|<1.4.2";
    public const string Vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H";

    /// <summary>Cases of <paramref name="project"/>, notified at FakeTime.Start, each with the package's range, a vector and (when
    /// <paramref name="cve"/>) the alias CVE-2026-1000+n.</summary>
    public static async Task<List<string>> NotifiedAsync(Database db, string project, int count, bool cve = true)
    {
        var cases = await SomeDisclosure.CasesAsync(db, project, count);
        var services = Wired.For(db, new FakeTime());
        for (var i = 0; i < cases.Count; i++)
        {
            await SomeDisclosure.NotifyAsync(db, cases[i], FakeTime.Start);
            await services.Get<ExposureStore>().SetPackageAsync(Caller.Local, cases[i], Package, Vers, Ct);
            await services.Get<CaseCvss>().SetAsync(Caller.Local, cases[i], Vector, "assessed", Ct);
            if (cve) await services.Get<FeedStore>().AddAliasesAsync(Caller.Local, cases[i], [$"CVE-2026-{1000 + i}"], Ct);
        }
        return cases;
    }

    /// <summary>The published versions of the case's advisory, oldest first: (advisory id, version, osv, cve).</summary>
    public static async Task<List<(string Id, long Version, string Osv, string Csaf, string Vex, string? Cve)>> VersionsAsync(Database db, string caseId)
    {
        await using var connection = await db.OpenAsync(Ct);
        return (await connection.QueryAsync<(string, long, string, string, string, string?)>(
            """
            SELECT v.advisory_id, v.version, v.osv, v.csaf, v.csaf_vex, v.cve FROM advisory_versions v JOIN cases c ON c.seq = v.case_seq
            WHERE c.id = @caseId ORDER BY v.version
            """, new { caseId })).ToList();
    }

    public static async Task<string> StateAsync(Database db, string caseId)
    {
        await using var connection = await db.OpenAsync(Ct);
        return await connection.ExecuteScalarAsync<string>("SELECT state FROM cases WHERE id = @caseId", new { caseId }) ?? "";
    }

    /// <summary>The content as an edit file's bytes, changed by <paramref name="change"/>.</summary>
    public static byte[] Edited(AdvisoryContent content, Func<AdvisoryContent, AdvisoryContent> change) => change(content).ToJson();

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
