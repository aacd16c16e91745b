using System.Text.Json;
using Clearwing.Access;
using Clearwing.Cases;
using Clearwing.Findings;
using Clearwing.IntegrationTests.Storage;
using Clearwing.Scoring;
using Clearwing.Storage;
using Clearwing.IntegrationTests.Support;

namespace Clearwing.IntegrationTests.Scoring;

/// <summary>CVSS vectors on cases, on both engines: from the findings' reports, set by people, with history.</summary>
public sealed class CaseCvssTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>One case from a native finding that reports a vector.</summary>
    static async Task<(Database Db, string Case)> CaseAsync(Engine engine)
    {
        var db = await TestDatabases.CreateAsync(engine);
        var native = Some.TempFile("""
            {"format":"clearwing-findings","version":"1.0","tool":{"name":"model-x","version":"1"},"findings":[{"rule":"heap-overflow","cwe":"CWE-122","location":{"file":"png.c","startLine":10},
             "message":"heap overflow in png_read_row","cvss":"CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H"}]}
            """, ".json");
        await Wired.For(db).Get<Importer>()
            .ImportAsync(new ImportRequest("libpng", [new ImportFile(native, "model.json")]), null, Ct);
        return (db, (await Wired.For(db).Get<Clearwing.Cases.CaseQueries>().ListAsync(Caller.Local, new CaseFilter(), Ct)).Items.Single().Id);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_case_shows_the_reported_vector_until_a_person_sets_one_and_keeps_every_vector_set(Engine engine)
    {
        var (db, caseId) = await CaseAsync(engine);
        await using var _ = db;
        var cvss = Wired.For(db).Get<CaseCvss>();

        var reported = await cvss.GetAsync(Caller.Local, caseId, Ct);
        Assert.Equal(("intake", 8.8m, "High"), (reported.Current!.Source, reported.Current.Score, reported.Current.Severity));

        await cvss.SetAsync(Caller.Local, caseId, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "no interaction needed", Ct);
        var corrected = await cvss.SetAsync(Caller.Local, caseId, "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", null, Ct);

        Assert.Equal(("set", "4.0", 9.3m, "CVSS-B"), (corrected.Current!.Source, corrected.Current.Version, corrected.Current.Score, corrected.Current.Nomenclature));
        Assert.Equal(2, corrected.History.Count);
        Assert.Equal("no interaction needed", corrected.History[1].Reason);
        Assert.Single(corrected.FromIntake);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task An_invalid_vector_is_refused_naming_the_problem_and_a_maintainer_cannot_set_one(Engine engine)
    {
        var (db, caseId) = await CaseAsync(engine);
        await using var _ = db;
        var cvss = Wired.For(db).Get<CaseCvss>();
        var access = new Clearwing.IntegrationTests.Access.AccessStores(Wired.For(db));
        await access.CreateOrgAsync(Caller.Local, "alpha", OrgKind.Maintainer, Ct);
        var alpha = (await access.AuthenticateTokenAsync((await access.CreateTokenAsync(Caller.Local, "alpha", "t", Role.Admin, null, Ct)).Secret, Ct))!.Value.Caller;
        await Wired.For(db).Get<GrantStore>().GrantAsync(Caller.Local, caseId, "alpha", "owns libpng", Ct);

        var bad = await Assert.ThrowsAsync<BadInputException>(() => cvss.SetAsync(Caller.Local, caseId, "CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", null, Ct));
        Assert.Contains("AV", bad.Message);
        await Assert.ThrowsAsync<AccessDeniedException>(() => cvss.SetAsync(alpha, caseId, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", null, Ct));
        Assert.Empty((await cvss.GetAsync(alpha, caseId, Ct)).History);
    }
}
