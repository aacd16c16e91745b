using System.Net;
using System.Text;
using System.Text.Json;
using Clearwing.Access;
using Clearwing.Cases;
using Clearwing.IntegrationTests.Cli;
using Clearwing.IntegrationTests.Server;
using Clearwing.IntegrationTests.Storage;
using Clearwing.IntegrationTests.Support;
using Clearwing.Routing;
using Clearwing.Storage;
using Dapper;

namespace Clearwing.IntegrationTests.Routing;

/// <summary>
/// The project registry on both engines: a policy imported is what the project reads back, with its defaults; the packages and
/// repositories it claims are its own; a refused policy stores nothing; need-to-know holds in the query; the CLI, the API and
/// the dependency scan reach it.
/// </summary>
public sealed class ProjectRegistryTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    const string Libpng = """
        project: libpng
        owner: png-team
        packages: [pkg:github/pnggroup/libpng, pkg:deb/debian/libpng1.6]
        repositories: [https://github.com/pnggroup/libpng.git]
        intake: {perDay: 5, aiPatches: refuse}
        disclosure: oss-fuzz
        channels:
          webhooks: [{url: 'https://hooks.libpng.example/cw', secretEnv: LIBPNG_SECRET}]
        """;

    static async Task<IServiceProvider> StoresAsync(Database db)
    {
        var stores = Wired.For(db);
        var orgs = stores.Get<OrgStore>();
        await orgs.CreateOrgAsync(Caller.Local, "png-team", OrgKind.Maintainer, Ct);
        await orgs.CreateOrgAsync(Caller.Local, "zlib-team", OrgKind.Maintainer, Ct);
        await orgs.CreateOrgAsync(Caller.Local, "hospital", OrgKind.Downstream, Ct);
        return stores;
    }

    static Caller Member(string org, long orgId, OrgKind kind, Role role = Role.Viewer) => new(orgId, org, kind, role, $"member:someone@{org}");

    static async Task<long> OrgIdAsync(Database db, string org)
    {
        await using var connection = await db.OpenAsync(Ct);
        return await connection.ExecuteScalarAsync<long>("SELECT id FROM orgs WHERE name = @org", new { org });
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task An_imported_policy_is_what_the_project_reads_back_and_its_profile_becomes_the_projects(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var stores = await StoresAsync(db);
        var registry = stores.Get<ProjectRegistry>();

        var entry = await registry.ImportAsync(Caller.Local, Libpng, "SECURITY-INTAKE.yaml", Ct);

        Assert.Equal(("libpng", "png-team", "oss-fuzz"), (entry.Project, entry.Owner, entry.Disclosure));
        Assert.Equal(new IntakeLimits(5, 35, Acceptance.Accept, Acceptance.Refuse), entry.Intake);
        Assert.Equal(["github.com/pnggroup/libpng"], entry.Repositories);
        Assert.Equal("LIBPNG_SECRET", Assert.Single(entry.Channels.Webhooks).SecretEnv);
        Assert.Equal(("SECURITY-INTAKE.yaml", "local"), (entry.Policy!.Source, entry.Policy.ImportedBy));
        Assert.Equal(64, entry.Policy.Digest.Length);
        Assert.Equivalent(entry, await registry.GetAsync(Caller.Local, "libpng", Ct), strict: true);
        // The profile the policy wants is the one the project's cases run on.
        var policy = await stores.Get<DisclosurePolicyStore>().GetPolicyAsync(Caller.Local, Ct);
        Assert.Equal(("libpng", "oss-fuzz"), (Assert.Single(policy.Overrides).Project, policy.Overrides[0].Profile));
        // On the audit chain, with the file's digest.
        await using var connection = await db.OpenAsync(Ct);
        var payload = await connection.ExecuteScalarAsync<string>(
            "SELECT payload FROM events WHERE action = 'import_intake_policy' AND subject = 'project:libpng'");
        Assert.Contains(entry.Policy.Digest, payload!, StringComparison.Ordinal);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_project_without_a_policy_shows_the_defaults_and_a_new_policy_replaces_the_old_claims(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var registry = (await StoresAsync(db)).Get<ProjectRegistry>();
        await using (var connection = await db.OpenAsync(Ct))
            await connection.ExecuteAsync("INSERT INTO projects (name, created_at) VALUES ('zlib', 0)");

        var bare = await registry.GetAsync(Caller.Local, "zlib", Ct);
        Assert.Equal((null, null, "coordinator"), (bare.Owner, bare.Policy, bare.Disclosure));
        Assert.Equal(IntakeLimits.Default, bare.Intake);

        await registry.ImportAsync(Caller.Local, "project: zlib\nowner: zlib-team\npackages: [pkg:github/madler/zlib, pkg:deb/debian/zlib]\n", "a", Ct);
        await registry.ImportAsync(Caller.Local, "project: zlib\nowner: zlib-team\npackages: [pkg:github/madler/zlib]\n", "b", Ct);
        // The package zlib let go is free for another project to claim; the one it kept is not.
        await registry.ImportAsync(Caller.Local, "project: zlib-ng\nowner: zlib-team\npackages: [pkg:deb/debian/zlib]\n", "c", Ct);
        var taken = await Assert.ThrowsAsync<MalformedInputException>(() => registry.ImportAsync(Caller.Local,
            "project: zlib-ng\nowner: zlib-team\npackages: [pkg:deb/debian/zlib, pkg:github/madler/zlib]\n", "d", Ct));
        Assert.Equal(("d", "$.packages[1]", "'pkg:github/madler/zlib' belongs to project 'zlib'"), (taken.File, taken.JsonPath, taken.Reason));
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_refused_policy_stores_nothing(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var stores = await StoresAsync(db);
        var registry = stores.Get<ProjectRegistry>();
        await registry.ImportAsync(Caller.Local, "project: libpng\nowner: png-team\nrepositories: [https://github.com/pnggroup/libpng]\n", "a", Ct);

        // Refused after the project row was made and the packages claimed: the transaction takes all of it back.
        var e = await Assert.ThrowsAsync<MalformedInputException>(() => registry.ImportAsync(Caller.Local,
            "project: newcomer\nowner: png-team\npackages: [pkg:npm/newcomer]\nrepositories: [git@github.com:pnggroup/libpng.git]\n", "b", Ct));
        Assert.Equal("$.repositories[0]", e.JsonPath);
        var wrongOwner = await Assert.ThrowsAsync<MalformedInputException>(() =>
            registry.ImportAsync(Caller.Local, "project: newcomer\nowner: hospital\n", "c", Ct));
        Assert.Equal(("$.owner", "'hospital' is a downstream org, not a maintainer org"), (wrongOwner.JsonPath, wrongOwner.Reason));

        await using var connection = await db.OpenAsync(Ct);
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM projects WHERE name = 'newcomer'"));
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM project_packages"));
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task The_owner_org_reads_its_project_and_every_other_org_finds_nothing(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var stores = await StoresAsync(db);
        var registry = stores.Get<ProjectRegistry>();
        await registry.ImportAsync(Caller.Local, Libpng, "p", Ct);
        var png = Member("png-team", await OrgIdAsync(db, "png-team"), OrgKind.Maintainer);
        var zlib = Member("zlib-team", await OrgIdAsync(db, "zlib-team"), OrgKind.Maintainer);
        var hospital = Member("hospital", await OrgIdAsync(db, "hospital"), OrgKind.Downstream);

        Assert.Equal("png-team", (await registry.GetAsync(png, "libpng", Ct)).Owner);
        foreach (var other in new[] { zlib, hospital })
        {
            var e = await Assert.ThrowsAsync<NotFoundException>(() => registry.GetAsync(other, "libpng", Ct));
            // The same words as for a project that does not exist.
            Assert.Equal((await Assert.ThrowsAsync<NotFoundException>(() => registry.GetAsync(other, "nothing", Ct))).Message.Replace(
                "nothing", "libpng", StringComparison.Ordinal), e.Message);
        }
        await Assert.ThrowsAsync<AccessDeniedException>(() => registry.ImportAsync(png with { Role = Role.Admin }, Libpng, "p", Ct));
        await Assert.ThrowsAsync<AccessDeniedException>(() => registry.ImportAsync(Caller.Local with { Role = Role.Triager }, Libpng, "p", Ct));
    }

    [Fact]
    public async Task The_api_takes_yaml_and_refuses_with_the_json_path()
    {
        await using var server = await TestServer.StartAsync(Engine.Sqlite);
        await server.Access.CreateOrgAsync(Caller.Local, "png-team", OrgKind.Maintainer, Ct);

        var ok = await server.Http.PostAsync("/api/v1/projects?source=SECURITY-INTAKE.yaml",
            new StringContent(Libpng, Encoding.UTF8, "application/yaml"), Ct);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        var shown = JsonDocument.Parse(await server.Http.GetStringAsync("/api/v1/projects/libpng", Ct)).RootElement;
        Assert.Equal(5, shown.GetProperty("intake").GetProperty("perDay").GetInt32());
        Assert.Equal("refuse", shown.GetProperty("intake").GetProperty("aiPatches").GetString());
        Assert.Equal("SECURITY-INTAKE.yaml", shown.GetProperty("policy").GetProperty("source").GetString());

        var bad = await server.Http.PostAsync("/api/v1/projects?source=SECURITY-INTAKE.yaml",
            new StringContent("project: libpng\nowner: png-team\nintake: {perDay: 500}\n", Encoding.UTF8, "application/yaml"), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var problem = JsonDocument.Parse(await bad.Content.ReadAsStringAsync(Ct)).RootElement;
        Assert.Equal("$.intake.perDay", problem.GetProperty("jsonPath").GetString());
        // Nothing of the refused policy replaced the stored one.
        Assert.Equal(5, JsonDocument.Parse(await server.Http.GetStringAsync("/api/v1/projects/libpng", Ct)).RootElement
            .GetProperty("intake").GetProperty("perDay").GetInt32());
    }

    [Fact]
    public async Task The_cli_imports_and_shows_and_a_scan_picks_up_the_repositorys_policy()
    {
        var db = await TestDatabases.CreateSpecAsync(Engine.Sqlite);
        Assert.Equal(0, (await CliTests.Run("orgs", "create", "png-team", "--kind", "maintainer", "--db", db)).Exit);
        var folder = Directory.CreateTempSubdirectory("clearwing-policy-").FullName;
        var file = Path.Combine(folder, "SECURITY-INTAKE.yaml");
        await File.WriteAllTextAsync(file, Libpng, Ct);

        var (exit, output, error) = await CliTests.Run("projects", "import", file, "--db", db);
        Assert.True(exit == 0, error);
        Assert.Contains("intake: 5 new reports a day, 35 a week; AI findings accepted, AI patches refused", output, StringComparison.Ordinal);
        var json = JsonDocument.Parse((await CliTests.Run("projects", "show", "libpng", "--json", "--db", db)).Out).RootElement;
        Assert.Equal("png-team", json.GetProperty("owner").GetString());

        await File.WriteAllTextAsync(file, "project: libpng\nowner: png-team\nintake:\n  perDay: 500\n", Ct);
        var refused = await CliTests.Run("projects", "import", file, "--db", db);
        Assert.NotEqual(0, refused.Exit);
        Assert.Contains("SECURITY-INTAKE.yaml: $.intake.perDay: 500 should be at most 100", refused.Err, StringComparison.Ordinal);

        // A scanned repository's own policy, in its .well-known folder, is picked up with the scan.
        var repository = Directory.CreateTempSubdirectory("clearwing-scan-").FullName;
        await File.WriteAllTextAsync(Path.Combine(repository, "requirements.txt"), "jinja2==2.10\n", Ct);
        Directory.CreateDirectory(Path.Combine(repository, ".well-known"));
        await File.WriteAllTextAsync(Path.Combine(repository, ".well-known", "security-intake.yaml"),
            "project: libpng\nowner: png-team\nintake: {perDay: 2}\n", Ct);
        var scan = await CliTests.Run("scan", repository, "--project", "libpng", "--db", db);
        Assert.True(scan.Exit == 0, scan.Err);
        Assert.Contains("Imported the intake policy .well-known/security-intake.yaml of libpng", scan.Err, StringComparison.Ordinal);
        Assert.Equal(2, JsonDocument.Parse((await CliTests.Run("projects", "show", "libpng", "--json", "--db", db)).Out).RootElement
            .GetProperty("intake").GetProperty("perDay").GetInt32());
        // Another project's policy in the tree is not imported: the scan says so and still succeeds.
        var other = await CliTests.Run("scan", repository, "--project", "webapp", "--db", db);
        Assert.True(other.Exit == 0, other.Err);
        Assert.Contains("not imported: it is project 'libpng''s, not 'webapp''s", other.Err, StringComparison.Ordinal);
    }
}
