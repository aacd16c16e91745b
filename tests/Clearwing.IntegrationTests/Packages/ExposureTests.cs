using Clearwing.Access;
using Clearwing.Cases;
using Clearwing.Findings;
using Clearwing.IntegrationTests.Storage;
using Clearwing.Packages;
using Clearwing.Storage;
using Clearwing.IntegrationTests.Support;

namespace Clearwing.IntegrationTests.Packages;

/// <summary>Exposure on both engines: products and orgs reached, dependency paths, incremental updates, who sees what.</summary>
public sealed class ExposureTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A CycloneDX SBOM: the product depends on each of <paramref name="direct"/>; each "a>b" pair is an edge between components.</summary>
    sealed record World(Database Db, SbomStore Sboms, ExposureStore Exposure, string Case, Caller Hospital, Caller Maintainer);

    static async Task<World> WorldAsync(Engine engine)
    {
        var db = await TestDatabases.CreateAsync(engine);
        var time = TimeProvider.System;
        await Wired.For(db, time).Get<Importer>().ImportAsync(new ImportRequest("lodash", [new ImportFile(Some.SarifLog(Some.Results(1)), "scan.sarif")]), null, Ct);
        var caseId = (await Wired.For(db, time).Get<Clearwing.Cases.CaseQueries>().ListAsync(Caller.Local, new CaseFilter(), Ct)).Items.Single().Id;
        var access = new Clearwing.IntegrationTests.Access.AccessStores(Wired.For(db, time));
        async Task<Caller> MemberAsync(string org, OrgKind kind)
        {
            await access.CreateOrgAsync(Caller.Local, org, kind, Ct);
            await access.AddMemberAsync(Caller.Local, org, $"admin@{org}.example", Role.Admin, null, Ct);
            return (await access.MemberCallerAsync($"admin@{org}.example", Ct))!;
        }
        var world = new World(db, Wired.For(db, time).Get<SbomStore>(), Wired.For(db, time).Get<ExposureStore>(), caseId,
            await MemberAsync("hospital", OrgKind.Downstream), await MemberAsync("lodash-team", OrgKind.Maintainer));
        await access.CreateOrgAsync(Caller.Local, "bank", OrgKind.Downstream, Ct);
        await Wired.For(db, time).Get<GrantStore>().GrantAsync(Caller.Local, caseId, "lodash-team", "owns lodash", Ct);
        // portal: lodash 4.17.15 through express (affected); kiosk: 4.17.21 direct (fixed); ledger: lodash without a version.
        await world.Sboms.ImportAsync(Caller.Local, "hospital", "portal",
            SomeSbom.Bom("portal", [("express", "4.17.0"), ("lodash", "4.17.15")], ["express"], "express>lodash"), "portal.cdx.json", Ct);
        await world.Sboms.ImportAsync(Caller.Local, "hospital", "kiosk", SomeSbom.Bom("kiosk", [("lodash", "4.17.21")], ["lodash"]), "kiosk.cdx.json", Ct);
        await world.Sboms.ImportAsync(Caller.Local, "bank", "ledger", SomeSbom.Bom("ledger", [("lodash", null)], ["lodash"]), "ledger.cdx.json", Ct);
        return world;
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_range_on_a_case_finds_the_products_with_an_affected_version_and_the_path_that_brings_it_in(Engine engine)
    {
        var w = await WorldAsync(engine);
        await using var _ = w.Db;
        Assert.Empty((await w.Exposure.GetAsync(Caller.Local, w.Case, Ct)).Components);

        var exposure = await w.Exposure.SetPackageAsync(Caller.Local, w.Case, "pkg:npm/lodash", "vers:npm/<4.17.21", Ct);

        Assert.Equal((1, 1), (exposure.Orgs, exposure.Products));
        var portal = exposure.Components.Single(c => c.Product == "portal");
        Assert.Equal(("hospital", "4.17.15", true), (portal.Org, portal.Version, portal.Affected));
        Assert.Equal(["express@4.17.0", "lodash@4.17.15"], portal.Path);
        Assert.Equal("vers:npm/<4.17.21", portal.Basis);
        var ledger = exposure.Components.Single(c => c.Product == "ledger");
        Assert.False(ledger.Affected);
        Assert.Contains("no version", ledger.Reason);
        Assert.DoesNotContain(exposure.Components, c => c.Product == "kiosk");
        // The priority counts the reached org.
        var priority = (await Wired.For(w.Db).Get<Clearwing.Cases.CaseQueries>().GetAsync(Caller.Local, w.Case, Ct))!.Case.Priority;
        Assert.Equal(("1 org, 1 product", 2), (priority.Factors.Single(f => f.Name == "exposure").Value, priority.Factors.Single(f => f.Name == "exposure").Points));
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_new_sbom_or_a_changed_range_updates_exposure_at_once(Engine engine)
    {
        var w = await WorldAsync(engine);
        await using var _ = w.Db;
        await w.Exposure.SetPackageAsync(Caller.Local, w.Case, "pkg:npm/lodash", "vers:npm/<4.17.21", Ct);

        // kiosk downgrades to an affected version: its new SBOM brings it in; portal upgrades out of the range.
        await w.Sboms.ImportAsync(Caller.Local, "hospital", "kiosk", SomeSbom.Bom("kiosk", [("lodash", "4.17.20")], ["lodash"]), "kiosk.cdx.json", Ct);
        await w.Sboms.ImportAsync(Caller.Local, "hospital", "portal",
            SomeSbom.Bom("portal", [("express", "4.18.0"), ("lodash", "4.17.21")], ["express"], "express>lodash"), "portal.cdx.json", Ct);
        var exposure = await w.Exposure.GetAsync(Caller.Local, w.Case, Ct);
        Assert.Equal(["kiosk"], exposure.Components.Where(c => c.Affected).Select(c => c.Product));
        Assert.Equal(["lodash@4.17.20"], exposure.Components.Single(c => c.Affected).Path);

        // Widening the range reaches the upgraded portal again; removing it leaves nothing.
        exposure = await w.Exposure.SetPackageAsync(Caller.Local, w.Case, "pkg:npm/lodash", "vers:npm/<=4.17.21", Ct);
        Assert.Equal(["kiosk", "portal"], exposure.Components.Where(c => c.Affected).Select(c => c.Product).Order());
        Assert.Equal((1, 2), (exposure.Orgs, exposure.Products));
        exposure = await w.Exposure.RemovePackageAsync(Caller.Local, w.Case, "pkg:npm/lodash", Ct);
        Assert.Empty(exposure.Components);
        Assert.Empty(exposure.Packages);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task Maintainers_are_refused_exposure_and_bad_input_names_what_is_wrong(Engine engine)
    {
        var w = await WorldAsync(engine);
        await using var _ = w.Db;
        await w.Exposure.SetPackageAsync(Caller.Local, w.Case, "pkg:npm/lodash", "vers:npm/<4.17.21", Ct);

        await Assert.ThrowsAsync<AccessDeniedException>(() => w.Exposure.GetAsync(w.Maintainer, w.Case, Ct));
        await Assert.ThrowsAsync<NotFoundException>(() => w.Exposure.GetAsync(w.Hospital, w.Case, Ct)); // not disclosed: not visible downstream
        var versioned = await Assert.ThrowsAsync<BadInputException>(() => w.Exposure.SetPackageAsync(Caller.Local, w.Case, "pkg:npm/lodash@4.17.15", "vers:npm/<4.17.21", Ct));
        Assert.Contains("without a version", versioned.Message);
        var scheme = await Assert.ThrowsAsync<BadInputException>(() => w.Exposure.SetPackageAsync(Caller.Local, w.Case, "pkg:npm/lodash", "vers:pypi/<2.0", Ct));
        Assert.Contains("'pypi'", scheme.Message);
        var range = await Assert.ThrowsAsync<BadInputException>(() => w.Exposure.SetPackageAsync(Caller.Local, w.Case, "pkg:npm/lodash", "vers:npm/<<1", Ct));
        Assert.Contains("vers:npm/<<1", range.Message);
    }

    static string Native(string affects) => Some.TempFile($$"""
        {"format":"clearwing-findings","version":"1.0","tool":{"name":"dep-model","version":"1"},"findings":[{"rule":"prototype-pollution",
         "message":"zipObjectDeep lets a crafted path set Object.prototype","aliases":["CVE-2020-8203"],"affects":[{{affects}}]}]}
        """, ".json");

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_native_finding_that_names_its_aliases_and_affected_package_gives_its_case_both(Engine engine)
    {
        var w = await WorldAsync(engine);
        await using var _ = w.Db;
        var importer = Wired.For(w.Db).Get<Importer>();

        var bad = await Assert.ThrowsAsync<MalformedInputException>(() => importer.ImportAsync(
            new ImportRequest("lodash", [new ImportFile(Native("""{"purl":"pkg:npm/lodash@4.17.15","vers":"vers:npm/<4.17.19"}"""), "model.json")]), null, Ct));
        Assert.Contains("affects[0]", bad.Message);
        Assert.Contains("without a version", bad.Message);

        await importer.ImportAsync(new ImportRequest("lodash", [new ImportFile(Native("""{"purl":"pkg:npm/lodash","vers":"vers:npm/<4.17.19"}"""), "model.json")]), null, Ct);
        var cases = (await Wired.For(w.Db).Get<Clearwing.Cases.CaseQueries>().ListAsync(Caller.Local, new CaseFilter(), Ct)).Items;
        Assert.Equal(2, cases.Count);
        var claimed = cases.Single(c => c.Id != w.Case).Id;
        var exposure = await w.Exposure.GetAsync(Caller.Local, claimed, Ct);
        var package = Assert.Single(exposure.Packages);
        Assert.Equal(("pkg:npm/lodash", "vers:npm/<4.17.19", "finding:dep-model"), (package.Package, package.Vers, package.SetBy));
        Assert.Equal(["portal"], exposure.Components.Where(c => c.Affected).Select(c => c.Product));
        Assert.Equal(["CVE-2020-8203"], (await Wired.For(w.Db).Get<Clearwing.Scoring.FeedStore>().GetAsync(Caller.Local, claimed, Ct)).Aliases);
    }
}
