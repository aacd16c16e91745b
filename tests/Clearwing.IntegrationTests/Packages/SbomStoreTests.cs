using Clearwing.Access;
using Clearwing.Findings;
using Clearwing.IntegrationTests.Storage;
using Clearwing.Packages;
using Clearwing.Storage;
using Dapper;
using Clearwing.IntegrationTests.Support;

namespace Clearwing.IntegrationTests.Packages;

/// <summary>Products and their SBOMs on both engines: replace on re-import, nothing partial, org isolation.</summary>
public sealed class SbomStoreTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    static async Task<(Database Db, SbomStore Store, Caller Hospital, Caller Bank, Caller Maintainer)> SetUpAsync(Engine engine)
    {
        var db = await TestDatabases.CreateAsync(engine);
        var access = new Clearwing.IntegrationTests.Access.AccessStores(Wired.For(db));
        async Task<Caller> MemberAsync(string org, OrgKind kind, Role role)
        {
            await access.CreateOrgAsync(Caller.Local, org, kind, Ct);
            await access.AddMemberAsync(Caller.Local, org, $"admin@{org}.example", role, null, Ct);
            return (await access.MemberCallerAsync($"admin@{org}.example", Ct))!;
        }
        return (db, Wired.For(db).Get<SbomStore>(), await MemberAsync("hospital", OrgKind.Downstream, Role.Admin),
            await MemberAsync("bank", OrgKind.Downstream, Role.Admin), await MemberAsync("alpha", OrgKind.Maintainer, Role.Admin));
    }

    static async Task<long> CountAsync(Database db, string table)
    {
        await using var connection = await db.OpenAsync(Ct);
        return await connection.ExecuteScalarAsync<long>($"SELECT count(*) FROM {table}");
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task An_import_stores_the_components_graph_and_direct_dependencies_and_is_audited(Engine engine)
    {
        var (db, store, hospital, _, _) = await SetUpAsync(engine);
        await using var _db = db;
        var import = await store.ImportAsync(hospital, null, "portal", SomeSbom.CycloneDx(5), "portal.cdx.json", Ct);

        Assert.True(import.Created);
        Assert.Equal(("hospital", "portal", "cyclonedx-json", "1.6"), (import.Product.Org, import.Product.Name, import.Product.Format, import.Product.SpecVersion));
        Assert.Equal((5L, 1L, 4L, 4L), (import.Product.Components, import.Product.Direct, import.Product.Transitive, import.Product.Dependencies));
        var detail = await store.GetAsync(hospital, "portal", ct: Ct);
        Assert.Equal(["lib0", "lib1", "lib2", "lib3", "lib4"], detail.Components.Select(c => c.Ref));
        Assert.Equal([true, false, false, false, false], detail.Components.Select(c => c.Direct));
        Assert.Equal(["lib1"], detail.Components[0].DependsOn);
        Assert.Equal(("pkg:npm/lib2@1.2.0", "pkg:npm/lib2"), (detail.Components[2].Purl, detail.Components[2].PurlKey));
        Assert.Equal("root", detail.RootRef);
        // Found by id as well as by name.
        Assert.Equal("portal", (await store.GetAsync(hospital, import.Product.Id, ct: Ct)).Product.Name);
        var events = await new AuditLog(db, TimeProvider.System).ListAsync($"product:{import.Product.Id}", ct: Ct);
        Assert.Equal(("sbom-import", "hospital"), (Assert.Single(events).Action, events[0].Org));
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_new_SBOM_of_the_same_product_replaces_its_components_whole(Engine engine)
    {
        var (db, store, hospital, _, _) = await SetUpAsync(engine);
        await using var _db = db;
        var first = await store.ImportAsync(hospital, null, "portal", SomeSbom.CycloneDx(6, "old"), "v1.cdx.json", Ct);
        var second = await store.ImportAsync(hospital, null, "portal", SomeSbom.CycloneDx(3, "new"), "v2.cdx.json", Ct);

        Assert.False(second.Created);
        Assert.Equal(6, second.ReplacedComponents);
        Assert.Equal(first.Product.Id, second.Product.Id);
        Assert.Equal(["new0", "new1", "new2"], (await store.GetAsync(hospital, "portal", ct: Ct)).Components.Select(c => c.Ref));
        Assert.Equal(3, await CountAsync(db, "product_components"));
        Assert.Equal(2, await CountAsync(db, "product_dependencies"));
        Assert.Single(await store.ListAsync(hospital, Ct));
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_bad_SBOM_stores_nothing_and_the_previous_one_stays(Engine engine)
    {
        var (db, store, hospital, _, _) = await SetUpAsync(engine);
        await using var _db = db;
        await store.ImportAsync(hospital, null, "portal", SomeSbom.CycloneDx(4), "good.cdx.json", Ct);
        var events = await CountAsync(db, "events");

        var e = await Assert.ThrowsAsync<MalformedInputException>(() => store.ImportAsync(hospital, null, "portal", SomeSbom.Broken(50), "bad.cdx.json", Ct));
        Assert.Equal(("bad.cdx.json", "$.components[49].type"), (e.File, e.JsonPath));
        await Assert.ThrowsAsync<MalformedInputException>(() => store.ImportAsync(hospital, null, "kiosk", SomeSbom.Broken(3), "bad.cdx.json", Ct));

        var product = Assert.Single(await store.ListAsync(hospital, Ct));
        Assert.Equal(("portal", 4L), (product.Name, product.Components));
        Assert.Equal(4, await CountAsync(db, "product_components"));
        Assert.Equal(events, await CountAsync(db, "events"));
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_downstream_org_sees_and_registers_only_its_own_products_and_maintainers_none(Engine engine)
    {
        var (db, store, hospital, bank, maintainer) = await SetUpAsync(engine);
        await using var _db = db;
        var portal = await store.ImportAsync(hospital, null, "portal", SomeSbom.CycloneDx(2), "portal.cdx.json", Ct);
        await store.ImportAsync(bank, null, "portal", SomeSbom.CycloneDx(3), "bank.cdx.json", Ct);
        await store.ImportAsync(Caller.Local, "bank", "teller", SomeSbom.CycloneDx(1), "teller.cdx.json", Ct);

        Assert.Equal(["portal"], (await store.ListAsync(hospital, Ct)).Select(p => p.Name));
        Assert.Equal(2, (await store.GetAsync(hospital, "portal", ct: Ct)).Product.Components);
        Assert.Equal(3, (await store.GetAsync(bank, "portal", ct: Ct)).Product.Components);
        await Assert.ThrowsAsync<NotFoundException>(() => store.GetAsync(bank, portal.Product.Id, ct: Ct));
        await Assert.ThrowsAsync<NotFoundException>(() => store.GetAsync(bank, "portal", "hospital", ct: Ct));
        await Assert.ThrowsAsync<AccessDeniedException>(() => store.ImportAsync(bank, "hospital", "portal", SomeSbom.CycloneDx(1), "x.cdx.json", Ct));
        await Assert.ThrowsAsync<AccessDeniedException>(() => store.ListAsync(maintainer, Ct));
        await Assert.ThrowsAsync<AccessDeniedException>(() => store.ImportAsync(maintainer, null, "lib", SomeSbom.CycloneDx(1), "x.cdx.json", Ct));
        await Assert.ThrowsAsync<BadInputException>(() => store.ImportAsync(Caller.Local, null, "portal", SomeSbom.CycloneDx(1), "x.cdx.json", Ct));
        await Assert.ThrowsAsync<BadInputException>(() => store.ImportAsync(Caller.Local, "alpha", "portal", SomeSbom.CycloneDx(1), "x.cdx.json", Ct));

        var all = await store.ListAsync(Caller.Local, Ct);
        Assert.Equal(["bank/portal", "bank/teller", "hospital/portal"], all.Select(p => $"{p.Org}/{p.Name}"));
        Assert.Equal(2, (await store.GetAsync(Caller.Local, "portal", "hospital", ct: Ct)).Product.Components);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task Components_are_found_by_purl_key(Engine engine)
    {
        var (db, store, hospital, bank, _) = await SetUpAsync(engine);
        await using var _db = db;
        await store.ImportAsync(hospital, null, "portal", SomeSbom.CycloneDx(3), "a.cdx.json", Ct);
        await store.ImportAsync(bank, null, "app", SomeSbom.CycloneDx(2), "b.cdx.json", Ct);
        await using var connection = await db.OpenAsync(Ct);
        var products = await connection.ExecuteScalarAsync<long>("SELECT count(DISTINCT product_seq) FROM product_components WHERE purl_key = 'pkg:npm/lib1'");
        Assert.Equal(2, products);
    }
}
