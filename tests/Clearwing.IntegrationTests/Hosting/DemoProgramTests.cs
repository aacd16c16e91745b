using Clearwing.Access;
using Clearwing.Cases;
using Clearwing.Findings;
using Clearwing.Hosting;
using Clearwing.IntegrationTests.Storage;
using Clearwing.IntegrationTests.Support;
using Clearwing.Packages;
using Clearwing.Storage;
using Dapper;

namespace Clearwing.IntegrationTests.Hosting;

/// <summary>
/// <c>clearwing serve --demo</c>'s program on both engines: it loads into an empty database through the product's own stores,
/// with a case in every lifecycle state, findings of several finders over two revisions, need-to-know per maintainer and
/// sign-ins that work; a database that holds data is refused and left as it was.
/// </summary>
/// <remarks>One demo per engine serves the tests that only read it (loading one is most of the time these take).</remarks>
public sealed class DemoProgramTests(DemoProgramTests.Demos demos) : IClassFixture<DemoProgramTests.Demos>
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    public sealed record Loaded(Database Db, IServiceProvider App, DemoSummary Summary);

    public sealed class Demos : IAsyncDisposable
    {
        readonly Dictionary<Engine, Task<Loaded>> _loaded = [];

        internal Task<Loaded> ForAsync(Engine engine)
        {
            lock (_loaded)
                return _loaded.TryGetValue(engine, out var loaded) ? loaded : _loaded[engine] = LoadAsync(engine);
        }

        static async Task<Loaded> LoadAsync(Engine engine)
        {
            var db = await TestDatabases.CreateAsync(engine);
            var summary = await DemoProgram.LoadAsync(db, TimeProvider.System, TestContext.Current.CancellationToken);
            return new Loaded(db, Wired.For(db), summary);
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var loaded in _loaded.Values.Where(l => l.IsCompletedSuccessfully))
                await loaded.Result.Db.DisposeAsync();
        }
    }

    static async Task<Caller> AdminAsync(Loaded demo) => (await new Access.AccessStores(demo.App).MemberCallerAsync("admin@clearwing.example", Ct))!;

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task The_demo_loads_on_an_empty_database_with_a_case_in_every_lifecycle_state(Engine engine)
    {
        var demo = await demos.ForAsync(engine);
        var admin = await AdminAsync(demo);
        var cases = demo.App.Get<CaseQueries>();

        foreach (var state in Enum.GetValues<CaseState>())
            Assert.True((await cases.ListAsync(admin, new CaseFilter(State: state, Limit: 1), Ct)).Total > 0, $"no case is {Lifecycle.Name(state)}");
        Assert.Equal((7, 3, 3), (demo.Summary.Orgs, demo.Summary.Projects, demo.Summary.Products));
        Assert.InRange(demo.Summary.Findings, 2_000, 6_000);
        Assert.InRange(demo.Summary.Cases, 200, 600);
        // Fixes verified by the second scan not finding them, and by a person; cases with a CVSS vector set and an SSVC decision.
        await using var connection = await demo.Db.OpenAsync(Ct);
        Assert.Equal(["person", "rescan"], await connection.QueryAsync<string>(
            "SELECT DISTINCT fix_verification FROM cases WHERE fix_verification IS NOT NULL ORDER BY fix_verification"));
        Assert.True(await connection.ExecuteScalarAsync<long>("SELECT count(DISTINCT case_seq) FROM case_cvss") > 50);
        Assert.True(await connection.ExecuteScalarAsync<long>("SELECT count(DISTINCT case_seq) FROM case_ssvc") > 50);
        Assert.True(await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM embargo_extensions") > 0);
        // Replayed on a clock of its own, the history still makes one intact audit chain.
        Assert.True((await demo.App.Get<AuditLog>().VerifyAsync(null, Ct)).Intact);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task Each_project_has_findings_of_three_finders_over_two_revisions_some_joined_across_finders(Engine engine)
    {
        var demo = await demos.ForAsync(engine);
        await using var connection = await demo.Db.OpenAsync(Ct);

        var perProject = (await connection.QueryAsync<(string Project, long Finders, long Revisions)>(
            """
            SELECT p.name, count(DISTINCT f.tool), count(DISTINCT i.revision)
            FROM findings f JOIN imports i ON i.seq = f.import_seq JOIN projects p ON p.id = f.project_id GROUP BY p.name ORDER BY p.name
            """)).ToList();
        Assert.Equal([("harbor-web", 3L, 2L), ("libvista", 3L, 2L), ("tessera-tls", 3L, 2L)], perProject);
        Assert.Equal(["ClusterFuzzLite", "CodeQL", "Semgrep OSS", "clearwing-ai"],
            await connection.QueryAsync<string>("SELECT DISTINCT tool FROM findings ORDER BY tool"));
        Assert.Equal("claude-opus-4", await connection.ExecuteScalarAsync<string>("SELECT DISTINCT model FROM findings WHERE tool = 'clearwing-ai'"));
        // The second scans dropped what was fixed and added what is new.
        var imports = (await connection.QueryAsync<(long New, long Absent)>("SELECT new, absent FROM imports")).ToList();
        Assert.True(imports.Sum(i => i.Absent) > 0 && imports.Count(i => i.New > 0) == imports.Count);
        Assert.True(await connection.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM fingerprint_placements WHERE reason LIKE '%also reported by%'") > 5);

        var admin = await AdminAsync(demo);
        var exposed = await connection.ExecuteScalarAsync<string>(
            "SELECT c.id FROM cases c JOIN case_exposure e ON e.case_seq = c.seq ORDER BY c.id LIMIT 1");
        var exposure = await demo.App.Get<ExposureStore>().GetAsync(admin, exposed!, Ct);
        Assert.Contains(exposure.Components, c => c.Path.Count > 1);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task Each_maintainer_sees_exactly_the_cases_granted_to_its_org(Engine engine)
    {
        var demo = await demos.ForAsync(engine);
        var access = new Access.AccessStores(demo.App);
        var cases = demo.App.Get<CaseQueries>();
        await using var connection = await demo.Db.OpenAsync(Ct);

        foreach (var signIn in demo.Summary.SignIns.Where(s => s.Kind == OrgKind.Maintainer))
        {
            var maintainer = (await access.MemberCallerAsync(signIn.Login, Ct))!;
            var seen = (await cases.ListAsync(maintainer, new CaseFilter(Limit: CaseQueries.MaxLimit), Ct)).Items.Select(c => c.Id).Order().ToList();
            var granted = (await connection.QueryAsync<string>(
                "SELECT c.id FROM grants g JOIN cases c ON c.seq = g.case_seq JOIN orgs o ON o.id = g.org_id WHERE o.name = @org ORDER BY c.id",
                new { org = signIn.Org })).ToList();

            Assert.NotEmpty(seen);
            Assert.Equal(granted, seen);
        }
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task Every_demo_sign_in_logs_in_with_its_printed_password(Engine engine)
    {
        var demo = await demos.ForAsync(engine);
        var members = demo.App.Get<MemberStore>();

        Assert.Equal(7, demo.Summary.SignIns.Count);
        Assert.Equal(Enum.GetValues<OrgKind>(), demo.Summary.SignIns.Select(s => s.Kind).Distinct().Order());
        foreach (var signIn in demo.Summary.SignIns)
        {
            var login = await members.LoginAsync(signIn.Login, signIn.Password, "192.0.2.1", null, Ct);
            Assert.True(login.Succeeded, signIn.Login);
            Assert.Equal((signIn.Org, signIn.Kind, signIn.Role), (login.Caller!.Org, login.Caller.Kind, login.Caller.Role));
        }
        Assert.Contains(demo.Summary.SignIns[0].Password, demo.Summary.SignInTable());
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_database_that_holds_data_is_refused_naming_it_and_left_unchanged(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var app = Wired.For(db);
        await app.Get<Importer>().ImportAsync(new ImportRequest("libpng", [new ImportFile(Some.SarifLog(Some.Results(3)), "scan.sarif")]), null, Ct);
        const string Counts = """
            SELECT (SELECT count(*) FROM orgs) || ' ' || (SELECT count(*) FROM members) || ' ' || (SELECT count(*) FROM projects) || ' ' ||
                   (SELECT count(*) FROM cases) || ' ' || (SELECT count(*) FROM findings) || ' ' || (SELECT count(*) FROM events)
            """;
        string before;
        await using (var connection = await db.OpenAsync(Ct)) before = (await connection.ExecuteScalarAsync<string>(Counts))!;

        var refused = await Assert.ThrowsAsync<BadInputException>(() => DemoProgram.LoadAsync(db, TimeProvider.System, Ct));

        Assert.Contains(db.Display, refused.Message);
        Assert.Equal(ErrorKind.BadInput, ErrorKinds.Of(refused));
        await using (var connection = await db.OpenAsync(Ct)) Assert.Equal(before, await connection.ExecuteScalarAsync<string>(Counts));
    }
}
