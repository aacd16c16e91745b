using Clearwing.Access;
using Clearwing.Cases;
using Clearwing.Cli;
using Clearwing.Findings;
using Clearwing.IntegrationTests.Storage;
using Clearwing.IntegrationTests.Support;
using Clearwing.Routing;
using Clearwing.Storage;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace Clearwing.IntegrationTests.Routing;

/// <summary>
/// The forecast on both engines (docs/forecast.md): the backlog, the measured weekly inflow (a project's first scan is its stock, not
/// inflow) and fixes, the clearance date with its band, the deadlines predicted to be missed, and need-to-know: a maintainer sees
/// the projects of the cases granted to it and nothing else.
/// </summary>
public sealed class ForecastTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    sealed record Program(IServiceProvider Stores, FakeTime Time, Caller Alpha, Caller Beta);

    /// <summary>
    /// libpng (owned by alpha): a first scan of 20 flaws, then 5 new ones a week for four weeks, each confirmed and dispatched, and
    /// 8 fixes a week; zlib (owned by beta): a first scan of 5 flaws, confirmed and dispatched, never fixed.
    /// </summary>
    static async Task<Program> ProgramAsync(Database db)
    {
        var time = new FakeTime();
        var stores = Wired.For(db, time);
        var orgs = stores.Get<OrgStore>();
        var callers = new Dictionary<string, Caller>();
        foreach (var (org, project) in new[] { ("alpha", "libpng"), ("beta", "zlib") })
        {
            await orgs.CreateOrgAsync(Caller.Local, org, OrgKind.Maintainer, Ct);
            await using var connection = await db.OpenAsync(Ct);
            var id = await connection.ExecuteScalarAsync<long>("SELECT id FROM orgs WHERE name = @org", new { org });
            callers[org] = new Caller(id, org, OrgKind.Maintainer, Role.Triager, $"member:dev@{org}.example");
            await stores.Get<ProjectRegistry>().ImportAsync(Caller.Local, $"project: {project}\nowner: {org}\nintake: {{perDay: 100}}\n", "p", Ct);
        }
        var serial = 0;
        async Task ScanAsync(string project, int flaws)
        {
            var log = Some.SarifLog(Enumerable.Range(serial, flaws).Select(i => new SomeResult($"R{i}", $"src/f{i}.c", 10 + i, $"flaw_{i}_{i * 7919}(buf);")));
            serial += flaws;
            await stores.Get<Importer>().ImportAsync(new ImportRequest(project, [new ImportFile(log, "scan.sarif")], $"r{serial}"), null, Ct);
            foreach (var c in (await stores.Get<CaseQueries>().ListAsync(Caller.Local, new CaseFilter(State: CaseState.New, Limit: 100), Ct)).Items)
                await stores.Get<Clearwing.Validation.ValidatorQueue>().DecideAsync(Caller.Local, c.Id,
                    new Clearwing.Validation.QueueDecision(true, null, "reproduced"), Ct);
            await stores.Get<Dispatcher>().RunAsync(Caller.Local, null, Ct);
        }
        async Task FixAsync(int count)
        {
            var notified = (await stores.Get<CaseQueries>().ListAsync(callers["alpha"],
                new CaseFilter(Project: "libpng", State: CaseState.Notified, Limit: 100, Sort: CaseSort.Age), Ct)).Items;
            foreach (var c in notified.Take(count))
            {
                await stores.Get<CaseLifecycle>().TransitionAsync(callers["alpha"], c.Id, new TransitionRequest(CaseState.FixInProgress), Ct);
                await stores.Get<CaseLifecycle>().TransitionAsync(callers["alpha"], c.Id, new TransitionRequest(CaseState.Fixed, FixCommit: "abc"), Ct);
            }
        }
        await ScanAsync("libpng", 20);
        await ScanAsync("zlib", 5);
        for (var week = 1; week <= 4; week++)
        {
            time.Advance(TimeSpan.FromDays(6));
            await ScanAsync("libpng", 5);
            await FixAsync(8);
            time.Advance(TimeSpan.FromDays(1));
        }
        return new Program(stores, time, callers["alpha"], callers["beta"]);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task The_forecast_measures_the_weeks_and_dates_the_clearance_per_project_and_overall(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var p = await ProgramAsync(db);

        var f = await p.Stores.Get<ForecastQueries>().GetAsync(Caller.Local, null, Ct);

        var libpng = Assert.Single(f.Projects, x => x.Project == "libpng");
        // 40 confirmed, 32 fixed; the first scan's 20 are stock: 20 confirmed in four weeks is the inflow.
        Assert.Equal((8L, 5.0, 8.0), (libpng.Backlog, libpng.InflowPerWeek, libpng.FixesPerWeek));
        Assert.Equal(0, libpng.InflowTrend);
        // 8 left, 3 a week net: cleared in about 2.7 weeks, within the band.
        var expected = DateOnly.FromDateTime(p.Time.GetUtcNow().AddDays(7 * 8 / 3.0).UtcDateTime);
        Assert.InRange(libpng.ClearsOn!.Value.DayNumber, expected.DayNumber - 4, expected.DayNumber + 4);
        Assert.True(libpng.ClearsOnLow <= libpng.ClearsOn && libpng.ClearsOn <= libpng.ClearsOnHigh);
        Assert.Equal(0, libpng.AtRisk);

        var zlib = Assert.Single(f.Projects, x => x.Project == "zlib");
        Assert.Equal((5L, 0.0, 0.0), (zlib.Backlog, zlib.InflowPerWeek, zlib.FixesPerWeek));
        Assert.Null(zlib.ClearsOn);
        Assert.StartsWith("no fixes in the last 8 weeks", zlib.Reason, StringComparison.Ordinal);
        // Never fixed, so every one of its deadlines is predicted to be missed, soonest first.
        Assert.Equal(5, zlib.AtRisk);
        Assert.Equal(5, f.DeadlinesAtRiskTotal);
        Assert.All(f.DeadlinesAtRisk, d => Assert.Equal(("zlib", (DateOnly?)null), (d.Project, d.PredictedFix)));
        Assert.Equal([1, 2, 3, 4, 5], f.DeadlinesAtRisk.Select(d => d.Position));

        // Overall: the backlog clears when every project's has; zlib's never does.
        Assert.Equal((13L, 5.0, 8.0), (f.Backlog, f.InflowPerWeek, f.FixesPerWeek));
        Assert.Null(f.ClearsOn);
        Assert.StartsWith("project zlib: no fixes", f.Reason, StringComparison.Ordinal);
        // The past: 25 confirmed at the start (a stock of 25), then 5 in and 8 out a week: 25, 22, 19, 16, 13.
        Assert.Equal([25L, 22, 19, 16, 13], f.History.TakeLast(5).Select(h => h.Backlog));
        Assert.NotEmpty(f.Projection);

        var one = await p.Stores.Get<ForecastQueries>().GetAsync(Caller.Local, "libpng", Ct);
        Assert.Equal((8L, libpng.ClearsOn, libpng.ClearsOnHigh), (one.Backlog, one.ClearsOn, one.ClearsOnHigh));
        Assert.Empty(one.DeadlinesAtRisk);
        Assert.True(one.Projection[^1].Backlog == 0 && one.Projection.All(x => x.Low <= x.Backlog && x.Backlog <= x.High));
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_maintainer_sees_only_the_projects_of_its_granted_cases(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var p = await ProgramAsync(db);
        var forecasts = p.Stores.Get<ForecastQueries>();

        var alpha = await forecasts.GetAsync(p.Alpha, null, Ct);
        Assert.Equal(["libpng"], alpha.Projects.Select(x => x.Project));
        Assert.Equal(8, alpha.Backlog);
        Assert.Equal(0, alpha.DeadlinesAtRiskTotal);
        var beta = await forecasts.GetAsync(p.Beta, null, Ct);
        Assert.Equal(["zlib"], beta.Projects.Select(x => x.Project));
        Assert.All(beta.DeadlinesAtRisk, d => Assert.Equal("zlib", d.Project));
        // Another org's project does not exist for it, exactly like one that does not exist at all.
        var other = await Assert.ThrowsAsync<NotFoundException>(() => forecasts.GetAsync(p.Alpha, "zlib", Ct));
        var none = await Assert.ThrowsAsync<NotFoundException>(() => forecasts.GetAsync(p.Alpha, "nothing", Ct));
        Assert.Equal(none.Message.Replace("nothing", "zlib", StringComparison.Ordinal), other.Message);
        var downstream = new Caller(99, "hospital", OrgKind.Downstream, Role.Admin, "member:it@hospital.example");
        var seen = await forecasts.GetAsync(downstream, null, Ct);
        Assert.Equal((0L, 0, 0), (seen.Backlog, seen.Projects.Count, seen.DeadlinesAtRiskTotal));
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task The_forecast_verb_prints_the_dates_and_the_deadlines_at_risk(Engine engine)
    {
        var spec = await TestDatabases.CreateSpecAsync(engine);
        await using var db = Database.Open(spec);
        await Migrator.MigrateAsync(db, TimeProvider.System, Ct);
        var p = await ProgramAsync(db);
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        var io = new CliIO(stdout, stderr, new StringReader(""), _ => null)
        {
            ConfigureServices = services => services.AddSingleton<TimeProvider>(p.Time),
        };

        Assert.Equal(0, await CliApp.RunAsync(["forecast", "--db", spec], io, Ct));
        var text = stdout.ToString();
        Assert.Contains("Overall: backlog 13, 5 confirmed and 8 fixed a week over the last 8 weeks.", text, StringComparison.Ordinal);
        Assert.Contains("Does not clear: project zlib: no fixes in the last 8 weeks", text, StringComparison.Ordinal);
        Assert.Contains("Deadlines predicted to be missed: 5", text, StringComparison.Ordinal);
        var libpng = (await p.Stores.Get<ForecastQueries>().GetAsync(Caller.Local, "libpng", Ct)).ClearsOn!.Value;
        Assert.Matches($@"(?m)^libpng\s+8\s+5\s+8\s+{libpng:yyyy-MM-dd}\s", text);

        stdout.GetStringBuilder().Clear();
        Assert.Equal(2, await CliApp.RunAsync(["forecast", "--project", "nothing", "--db", spec], io, Ct));
    }
}
