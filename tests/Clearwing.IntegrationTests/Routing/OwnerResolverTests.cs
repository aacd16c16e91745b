using Clearwing.Access;
using Clearwing.Findings;
using Clearwing.IntegrationTests.Storage;
using Clearwing.IntegrationTests.Support;
using Clearwing.Packages;
using Clearwing.Routing;
using Clearwing.Storage;

namespace Clearwing.IntegrationTests.Routing;

/// <summary>Whose a case is, on both engines: by an affected package a policy claims, else by its project's policy; its paths'
/// owners by the policy's CODEOWNERS lines; unresolved with the reason; the coordinator's alone.</summary>
public sealed class OwnerResolverTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    static async Task<(IServiceProvider Stores, List<string> Cases)> ProgramAsync(Database db)
    {
        var stores = Wired.For(db);
        await stores.Get<OrgStore>().CreateOrgAsync(Caller.Local, "png-team", OrgKind.Maintainer, Ct);
        await stores.Get<OrgStore>().CreateOrgAsync(Caller.Local, "zlib-team", OrgKind.Maintainer, Ct);
        var log = Some.SarifLog([
            new SomeResult("RULE1", "src/pngrutil.c", 10, "memcpy(dst, src, len);"),
            new SomeResult("RULE2", "contrib/tools/png-fix.c", 20, "strcpy(a, b);"),
        ]);
        await stores.Get<Importer>().ImportAsync(new ImportRequest("libpng", [new ImportFile(log, "scan.sarif")]), null, Ct);
        var cases = (await stores.Get<Clearwing.Cases.CaseQueries>().ListAsync(Caller.Local,
            new Clearwing.Cases.CaseFilter(Limit: 10), Ct)).Items.OrderBy(c => c.Title, StringComparer.Ordinal).Select(c => c.Id).ToList();
        return (stores, cases);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_case_goes_to_its_projects_owner_and_each_path_to_its_last_matching_line(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var (stores, cases) = await ProgramAsync(db);
        var resolver = stores.Get<OwnerResolver>();

        var before = await resolver.ResolveAsync(Caller.Local, cases[0], Ct);
        Assert.Equal(("libpng", null), (before.Project, before.Owner));
        Assert.Contains("has no intake policy", before.Unresolved, StringComparison.Ordinal);

        await stores.Get<ProjectRegistry>().ImportAsync(Caller.Local, """
            project: libpng
            owner: png-team
            pathOwners: |
              *           png-team
              /contrib/   @pnggroup/contrib
            """, "p", Ct);
        var owned = await Task.WhenAll(cases.Select(c => resolver.ResolveAsync(Caller.Local, c, Ct)));

        Assert.All(owned, o => Assert.Equal(("libpng", "png-team", "project", null), (o.Project, o.Owner, o.Basis, o.Unresolved)));
        var paths = owned.SelectMany(o => o.Paths).OrderBy(p => p.Path, StringComparer.Ordinal)
            .Select(p => (p.Path, p.Pattern, string.Join(' ', p.Owners))).ToList();
        Assert.Equal([("contrib/tools/png-fix.c", "/contrib/", "@pnggroup/contrib"), ("src/pngrutil.c", "*", "png-team")], paths);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task An_affected_package_a_policy_claims_decides_and_two_projects_packages_leave_it_to_triage(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var (stores, cases) = await ProgramAsync(db);
        var registry = stores.Get<ProjectRegistry>();
        await registry.ImportAsync(Caller.Local, "project: libpng\nowner: png-team\n", "p", Ct);
        await registry.ImportAsync(Caller.Local, "project: zlib\nowner: zlib-team\npackages: [pkg:github/madler/zlib]\n", "z", Ct);
        var exposure = stores.Get<ExposureStore>();
        // The flaw is in the bundled zlib: the case is zlib's, whichever project's scan found it.
        await exposure.SetPackageAsync(Caller.Local, cases[0], "pkg:github/madler/zlib", "vers:github/<1.3.1", Ct);

        var zlib = await stores.Get<OwnerResolver>().ResolveAsync(Caller.Local, cases[0], Ct);
        Assert.Equal(("zlib", "zlib-team", "package pkg:github/madler/zlib"), (zlib.Project, zlib.Owner, zlib.Basis));

        await registry.ImportAsync(Caller.Local, "project: libpng\nowner: png-team\npackages: [pkg:github/pnggroup/libpng]\n", "p", Ct);
        await exposure.SetPackageAsync(Caller.Local, cases[0], "pkg:github/pnggroup/libpng", "vers:github/<1.6.44", Ct);
        var both = await stores.Get<OwnerResolver>().ResolveAsync(Caller.Local, cases[0], Ct);
        Assert.Null(both.Owner);
        Assert.Equal("its affected packages belong to 2 projects: pkg:github/madler/zlib, pkg:github/pnggroup/libpng", both.Unresolved);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task Routing_is_the_coordinators_and_another_org_finds_no_case(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var (stores, cases) = await ProgramAsync(db);
        var maintainer = new Caller(2, "png-team", OrgKind.Maintainer, Role.Admin, "member:lead@png.example");

        var e = await Assert.ThrowsAsync<NotFoundException>(() => stores.Get<OwnerResolver>().ResolveAsync(maintainer, cases[0], Ct));
        Assert.Equal($"No case {cases[0]}.", e.Message);
        await Assert.ThrowsAsync<NotFoundException>(() => stores.Get<OwnerResolver>().ResolveAsync(Caller.Local, "CW-nothing", Ct));
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_repository_a_policy_claims_decides_for_the_findings_found_in_it_whatever_its_clone_url(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var stores = Wired.For(db);
        await stores.Get<OrgStore>().CreateOrgAsync(Caller.Local, "zlib-team", OrgKind.Maintainer, Ct);
        await stores.Get<ProjectRegistry>().ImportAsync(Caller.Local, """
            project: zlib
            owner: zlib-team
            repositories: [https://github.com/madler/zlib]
            """, "p", Ct);
        // A campaign scanned a checkout of zlib into a project of its own; the log names the repository as its ssh clone URL.
        var log = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Some.SarifLog([new SomeResult("RULE1", "inflate.c", 10, "copy(a);")])))!;
        log["runs"]![0]!["versionControlProvenance"] = new System.Text.Json.Nodes.JsonArray(
            new System.Text.Json.Nodes.JsonObject { ["repositoryUri"] = "git@github.com:madler/zlib.git", ["revisionId"] = "51b7f2a" });
        await stores.Get<Importer>().ImportAsync(
            new ImportRequest("campaign-2027", [new ImportFile(Some.TempFile(log.ToJsonString(), ".sarif"), "scan.sarif")]), null, Ct);
        var id = Assert.Single((await stores.Get<Clearwing.Cases.CaseQueries>().ListAsync(Caller.Local,
            new Clearwing.Cases.CaseFilter(Project: "campaign-2027", Limit: 10), Ct)).Items).Id;

        var owner = await stores.Get<OwnerResolver>().ResolveAsync(Caller.Local, id, Ct);

        Assert.Equal(("zlib", "zlib-team", "repository github.com/madler/zlib", null), (owner.Project, owner.Owner, owner.Basis, owner.Unresolved));
    }
}
