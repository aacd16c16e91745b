using Clearwing.Access;
using Clearwing.Cases;
using Clearwing.Findings;
using Clearwing.IntegrationTests.Storage;
using Clearwing.Scoring;
using Clearwing.Storage;
using Clearwing.IntegrationTests.Support;

namespace Clearwing.IntegrationTests.Scoring;

/// <summary>SSVC decision points stored on cases, on both engines: who sets them, the decisions they give, need-to-know.</summary>
public sealed class CaseSsvcTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    static async Task<(Database Db, string Case)> CaseAsync(Engine engine)
    {
        var db = await TestDatabases.CreateAsync(engine);
        await Wired.For(db).Get<Importer>()
            .ImportAsync(new ImportRequest("libpng", [new ImportFile(Some.SarifLog(Some.Results(1)), "scan.sarif")]), null, Ct);
        return (db, (await Wired.For(db).Get<Clearwing.Cases.CaseQueries>().ListAsync(Caller.Local, new CaseFilter(), Ct)).Items.Single().Id);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task Values_set_on_a_case_give_the_cisa_decision_with_its_explanation(Engine engine)
    {
        var (db, caseId) = await CaseAsync(engine);
        await using var _ = db;
        var ssvc = Wired.For(db).Get<CaseSsvc>();

        var partial = await ssvc.SetAsync(Caller.Local, caseId, new Dictionary<string, string> { ["exploitation"] = "active", ["Automatable"] = "yes" }, Ct);
        var cisa = partial.Decisions.Single(d => d.Table == "cisa-coordinator");
        Assert.Null(cisa.Outcome);
        Assert.Equal(["technical-impact", "mission-and-well-being-impact"], cisa.Missing);

        var full = await ssvc.SetAsync(Caller.Local, caseId, new Dictionary<string, string> { ["technical-impact"] = "total", ["mission-and-well-being-impact"] = "high" }, Ct);
        cisa = full.Decisions.Single(d => d.Table == "cisa-coordinator");
        Assert.Equal("act", cisa.Outcome, ignoreCase: true);
        Assert.Contains("Exploitation", cisa.Explanation);
        Assert.Equal(4, full.Values.Count);
        Assert.All(full.Values, v => Assert.Equal("local", v.SetBy));
        Assert.Equal(2, (await new AuditLog(db, TimeProvider.System).ListAsync($"case:{caseId}", 10, Ct)).Count(e => e.Action == "ssvc"));
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task Unknown_points_and_values_are_refused_naming_what_is_allowed_and_nothing_is_stored(Engine engine)
    {
        var (db, caseId) = await CaseAsync(engine);
        await using var _ = db;
        var ssvc = Wired.For(db).Get<CaseSsvc>();

        var point = await Assert.ThrowsAsync<BadInputException>(() => ssvc.SetAsync(Caller.Local, caseId, new Dictionary<string, string> { ["exploitability"] = "poc" }, Ct));
        var value = await Assert.ThrowsAsync<BadInputException>(() => ssvc.SetAsync(Caller.Local, caseId,
            new Dictionary<string, string> { ["automatable"] = "yes", ["exploitation"] = "weaponized" }, Ct));

        Assert.Contains("exploitation", point.Message);
        Assert.Contains("public poc", value.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Empty((await ssvc.GetAsync(Caller.Local, caseId, Ct)).Values);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_maintainer_sees_the_values_of_a_granted_case_but_does_not_set_them(Engine engine)
    {
        var (db, caseId) = await CaseAsync(engine);
        await using var _ = db;
        var access = new Clearwing.IntegrationTests.Access.AccessStores(Wired.For(db));
        await access.CreateOrgAsync(Caller.Local, "alpha", OrgKind.Maintainer, Ct);
        await access.CreateOrgAsync(Caller.Local, "omega", OrgKind.Maintainer, Ct);
        var alpha = (await access.AuthenticateTokenAsync((await access.CreateTokenAsync(Caller.Local, "alpha", "t", Role.Admin, null, Ct)).Secret, Ct))!.Value.Caller;
        var omega = (await access.AuthenticateTokenAsync((await access.CreateTokenAsync(Caller.Local, "omega", "t", Role.Admin, null, Ct)).Secret, Ct))!.Value.Caller;
        await Wired.For(db).Get<GrantStore>().GrantAsync(Caller.Local, caseId, "alpha", "owns libpng", Ct);
        var ssvc = Wired.For(db).Get<CaseSsvc>();
        await ssvc.SetAsync(Caller.Local, caseId, new Dictionary<string, string> { ["exploitation"] = "none" }, Ct);

        Assert.Single((await ssvc.GetAsync(alpha, caseId, Ct)).Values);
        await Assert.ThrowsAsync<AccessDeniedException>(() => ssvc.SetAsync(alpha, caseId, new Dictionary<string, string> { ["exploitation"] = "active" }, Ct));
        await Assert.ThrowsAsync<NotFoundException>(() => ssvc.GetAsync(omega, caseId, Ct));
    }
}
