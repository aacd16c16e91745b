using Clearwing.Access;
using Clearwing.Cases;
using Clearwing.Findings;
using Clearwing.IntegrationTests.Storage;
using Clearwing.Scoring;
using Clearwing.Storage;
using Clearwing.IntegrationTests.Support;

namespace Clearwing.IntegrationTests.Scoring;

/// <summary>CISA KEV and FIRST EPSS matched to cases by alias, on both engines, with the shared samples.</summary>
public sealed class FeedStoreTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    static string Kev => Clearwing.Tests.TestData.PathTo("cisa-kev", "kev-sample-2025.02.25-first10.json");
    static string Epss => Clearwing.Tests.TestData.PathTo("first-epss", "epss-format-sample.csv");

    static async Task<(Database Db, List<string> Cases)> CasesAsync(Engine engine)
    {
        var db = await TestDatabases.CreateAsync(engine);
        await Wired.For(db).Get<Importer>()
            .ImportAsync(new ImportRequest("zimbra", [new ImportFile(Some.SarifLog(Some.Results(2)), "scan.sarif")]), null, Ct);
        return (db, (await Wired.For(db).Get<Clearwing.Cases.CaseQueries>().ListAsync(Caller.Local, new CaseFilter(), Ct)).Items.Select(c => c.Id).ToList());
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_case_whose_alias_is_in_kev_is_flagged_and_marked_actively_exploited_and_gets_its_epss(Engine engine)
    {
        var (db, cases) = await CasesAsync(engine);
        await using var _ = db;
        var feeds = Wired.For(db).Get<FeedStore>();
        await feeds.AddAliasesAsync(Caller.Local, cases[0], ["CVE-2023-34192", "CVE-1999-0002"], Ct);
        await feeds.AddAliasesAsync(Caller.Local, cases[1], ["CVE-2000-0001"], Ct);

        var kev = await feeds.ImportKevAsync(Caller.Local, Kev, Ct);
        var epss = await feeds.ImportEpssAsync(Caller.Local, Epss, Ct);

        Assert.Equal(("2025.02.25", 10L, 1L), (kev.Version, kev.Entries, kev.CasesMarkedExploited));
        Assert.Equal(2, epss.Entries);
        var flagged = await feeds.GetAsync(Caller.Local, cases[0], Ct);
        Assert.Equal("Synacor", Assert.Single(flagged.Kev).VendorProject);
        Assert.Equal((0.04525m, 0.92176m), (Assert.Single(flagged.Epss).Score, flagged.Epss[0].Percentile));
        var ssvc = await Wired.For(db).Get<CaseSsvc>().GetAsync(Caller.Local, cases[0], Ct);
        Assert.Equal(("exploitation", "feed:cisa-kev"), (Assert.Single(ssvc.Values).DecisionPoint, ssvc.Values[0].SetBy));
        Assert.Equal("active", ssvc.Values[0].Value, ignoreCase: true);
        Assert.Empty((await feeds.GetAsync(Caller.Local, cases[1], Ct)).Kev);
        Assert.Empty((await Wired.For(db).Get<CaseSsvc>().GetAsync(Caller.Local, cases[1], Ct)).Values);
        // Importing the same catalog again marks nothing twice.
        Assert.Equal(0, (await feeds.ImportKevAsync(Caller.Local, Kev, Ct)).CasesMarkedExploited);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_malformed_feed_is_refused_naming_where_and_the_previous_feed_stays(Engine engine)
    {
        var (db, cases) = await CasesAsync(engine);
        await using var _ = db;
        var feeds = Wired.For(db).Get<FeedStore>();
        await feeds.AddAliasesAsync(Caller.Local, cases[0], ["CVE-2023-34192"], Ct);
        await feeds.ImportKevAsync(Caller.Local, Kev, Ct);

        var badKev = await Assert.ThrowsAsync<MalformedInputException>(() => feeds.ImportKevAsync(Caller.Local,
            Some.TempFile("""{"catalogVersion":"x","vulnerabilities":[{"cveID":"CVE-2024-1"}]}"""), Ct));
        var badEpss = await Assert.ThrowsAsync<MalformedInputException>(() => feeds.ImportEpssAsync(Caller.Local,
            Some.TempFile("cve,epss,percentile\nCVE-2024-1234,1.5,0.2\n", ".csv"), Ct));

        Assert.Equal("$.vulnerabilities[0].cveID", badKev.JsonPath);
        Assert.Equal("line 2", badEpss.JsonPath);
        Assert.Single((await feeds.GetAsync(Caller.Local, cases[0], Ct)).Kev);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task Only_the_coordinators_writers_import_feeds_and_set_aliases(Engine engine)
    {
        var (db, cases) = await CasesAsync(engine);
        await using var _ = db;
        var viewer = Caller.Local with { Role = Role.Viewer };
        var feeds = Wired.For(db).Get<FeedStore>();

        await Assert.ThrowsAsync<AccessDeniedException>(() => feeds.ImportKevAsync(viewer, Kev, Ct));
        await Assert.ThrowsAsync<AccessDeniedException>(() => feeds.AddAliasesAsync(viewer, cases[0], ["CVE-2023-34192"], Ct));
    }
}
