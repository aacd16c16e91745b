using System.Text.Json.Nodes;
using Clearwing.Access;
using Clearwing.Cases;
using Clearwing.Findings;
using Clearwing.IntegrationTests.Storage;
using Clearwing.IntegrationTests.Support;
using Clearwing.Storage;
using Clearwing.Validation;
using Dapper;

namespace Clearwing.IntegrationTests.Cases;

/// <summary>
/// The program overview (docs/overview.md) on both engines: every figure of a small program whose cases move on a fake clock, as the
/// coordinator, a maintainer granted one case, a maintainer granted two, a downstream org and a validator without grants see it; and
/// the tallies behind it exact after every change (equal to the tallies computed again from the stored cases).
/// </summary>
public sealed class ProgramOverviewTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Monday 2026-11-02 09:00 UTC: the weeks of the program start on the first day.</summary>
    static readonly DateTimeOffset T0 = FakeTime.Start;

    static DateTimeOffset Week(int n) => T0.AddDays(7 * n).AddHours(-9);

    sealed class Program(string spec, Database db, FakeTime time)
    {
        /// <summary>The database's --db value.</summary>
        public string Spec { get; } = spec;
        public Database Db { get; } = db;
        public FakeTime Time { get; } = time;
        public IServiceProvider App { get; } = Wired.For(db, time);
        public Dictionary<string, string> Case { get; } = [];

        /// <summary>Moves the clock to <paramref name="hours"/> after the start (never back).</summary>
        public void At(double hours)
        {
            var to = T0.AddHours(hours);
            Assert.True(to >= Time.GetUtcNow(), $"the clock is past {to:u}");
            Time.Advance(to - Time.GetUtcNow());
        }

        public async Task MoveAsync(string name, CaseState to, Caller? by = null, string? reason = null, Rejection? rejection = null,
            string? fix = null)
        {
            await App.Get<CaseLifecycle>().TransitionAsync(by ?? Caller.Local, Case[name],
                new TransitionRequest(to, reason, rejection, FixCommit: fix), Ct);
            await AssertTalliesExactAsync(Db);
        }

        public Task<ProgramOverview> OverviewAsync(Caller caller, int weeks = 4, int window = 14) =>
            App.Get<ProgramOverviewQueries>().GetAsync(caller, new OverviewOptions(weeks, window), Ct);

        public async Task<string> ImportAsync(string project, string log)
        {
            await App.Get<Importer>().ImportAsync(new ImportRequest(project, [new ImportFile(log, "scan.sarif")]), null, Ct);
            await AssertTalliesExactAsync(Db);
            return log;
        }
    }

    /// <summary>A log of <paramref name="count"/> results whose rules are tagged: "style" (not security relevant) for the first
    /// <paramref name="style"/>, "security" for the rest.</summary>
    static string TaggedLog(int count, int style)
    {
        var root = JsonNode.Parse(File.ReadAllText(Some.SarifLog(Some.Results(count))))!;
        root["runs"]![0]!["tool"]!["driver"]!["rules"] = new JsonArray([.. Enumerable.Range(1, count).Select(n => (JsonNode)new JsonObject
        {
            ["id"] = Some.Result(n).Rule,
            ["properties"] = new JsonObject { ["tags"] = new JsonArray(n <= style ? "style" : "security") },
        })]);
        return Some.TempFile(root.ToJsonString(), ".sarif");
    }

    /// <summary>
    /// libpng: six cases A–F (B merged into A); zlib: one security case G and three quality ones. A goes all the way to disclosure,
    /// C is rejected, D is notified (granted to beta, which never answers it), E is fixed and reopened (granted to beta), F and G
    /// stay new; alpha is granted A. Each move at a whole hour, so each stay is a whole number of hours.
    /// </summary>
    static async Task<(Program P, Caller Alpha, Caller Beta)> ProgramAsync(Engine engine)
    {
        var p = await NewProgramAsync(engine);
        await p.ImportAsync("libpng", Some.SarifLog(Some.Results(6)));
        var ids = (await p.App.Get<CaseQueries>().ListAsync(Caller.Local, new CaseFilter(Project: "libpng"), Ct)).Items.Select(c => c.Id)
            .Order(StringComparer.Ordinal).ToList();
        foreach (var (name, id) in "ABCDEF".Zip(ids)) p.Case[name.ToString()] = id;
        await p.ImportAsync("zlib", TaggedLog(4, style: 3));
        p.Case["G"] = Assert.Single((await p.App.Get<CaseQueries>().ListAsync(Caller.Local, new CaseFilter(Project: "zlib"), Ct)).Items).Id;

        p.At(1);
        await p.App.Get<CaseEditor>().MergeAsync(Caller.Local, p.Case["A"], [p.Case["B"]], "same root cause", Ct);
        await AssertTalliesExactAsync(p.Db);

        Caller? alpha = null, beta = null;
        (double At, Func<Task> Act)[] timeline =
        [
            (24, () => p.MoveAsync("A", CaseState.Triage)),
            (30, () => p.MoveAsync("C", CaseState.Triage)),
            (36, () => p.MoveAsync("D", CaseState.Triage)),
            (48, () => p.MoveAsync("E", CaseState.Triage)),
            (50, () => p.MoveAsync("A", CaseState.Confirmed)),
            (54, () => p.MoveAsync("C", CaseState.Rejected, reason: "not reachable", rejection: Rejection.FalsePositive)),
            (60, () => p.MoveAsync("D", CaseState.Confirmed)),
            (72, () => p.MoveAsync("E", CaseState.Confirmed)),
            (74, () => p.MoveAsync("A", CaseState.Notified)),
            (84, () => p.MoveAsync("D", CaseState.Notified)),
            (96, () => p.MoveAsync("E", CaseState.Notified)),
            (100, async () =>
            {
                alpha = await SomeDisclosure.MemberAsync(p.Db, "alpha", OrgKind.Maintainer, Role.Triager, p.Case["A"]);
                beta = await SomeDisclosure.MemberAsync(p.Db, "beta", OrgKind.Maintainer, Role.Triager, p.Case["D"], p.Case["E"]);
                await AssertTalliesExactAsync(p.Db);
            }),
            (120, () => p.MoveAsync("A", CaseState.FixInProgress, alpha)),
            (126, () => p.MoveAsync("E", CaseState.FixInProgress, beta)),
            (192, () => p.MoveAsync("A", CaseState.Fixed, alpha, fix: "a1b2c3")),
            (200, () => p.MoveAsync("E", CaseState.Fixed, beta, fix: "d4e5f6")),
            (240, () => p.MoveAsync("A", CaseState.FixVerified)),
            (264, () => p.MoveAsync("E", CaseState.FixInProgress, reason: "the overflow is still there")),
            (432, () => p.MoveAsync("A", CaseState.Disclosed)),
        ];
        foreach (var (at, act) in timeline)
        {
            p.At(at);
            await act();
        }
        p.At(504);
        return (p, alpha!, beta!);
    }

    /// <summary>Case A's stays, state by state: the median (its only stay) and how many ended.</summary>
    static readonly (long? Median, long Left)[] AlphaStays =
        [(24, 1), (26, 1), (24, 1), (null, 0), (46, 1), (72, 1), (48, 1), (192, 1), (null, 0)];

    static async Task<Program> NewProgramAsync(Engine engine)
    {
        var spec = await TestDatabases.CreateSpecAsync(engine);
        var db = Database.Open(spec);
        await Migrator.MigrateAsync(db, TimeProvider.System, Ct);
        return new Program(spec, db, new FakeTime());
    }

    static List<(FunnelStage, long?)> Counts(ProgramOverview o) => [.. o.Funnel.Select(s => (s.Stage, s.Count))];

    static StageTime Stage(ProgramOverview o, CaseState state) => o.Stages.Single(s => s.State == state);

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task The_coordinator_sees_every_figure_of_the_program_and_merged_away_and_quality_cases_do_not_count(Engine engine)
    {
        var (p, _, _) = await ProgramAsync(engine);
        await using var _ = p.Db;

        var o = await p.OverviewAsync(Caller.Local);

        // Ten results imported; A–F but B (merged into A), and zlib's security case G; validated: decided out of triage.
        Assert.Equal([(FunnelStage.Findings, 10), (FunnelStage.Cases, 6), (FunnelStage.Validated, 4), (FunnelStage.Confirmed, 3),
            (FunnelStage.Notified, 3), (FunnelStage.Fixed, 2), (FunnelStage.FixVerified, 1), (FunnelStage.Disclosed, 1)], Counts(o));
        Assert.Equal([null, 0.6, 0.6667, 0.75, 1, 0.6667, 0.5, 1], o.Funnel.Select(s => s.Share));

        // Opened the first week; A and E first fixed in the second (E's reopening does not take it back).
        Assert.Equal([(Week(0), 6L, 0L), (Week(1), 0L, 2L), (Week(2), 0L, 0L), (Week(3), 0L, 0L)],
            o.Weeks.Select(w => (w.Week, w.Opened, w.Fixed)));

        Assert.Equal(Enum.GetValues<CaseState>(), o.Stages.Select(s => s.State));
        Assert.Equal(new StageTime(CaseState.New, 2, 4, 30, 48), Stage(o, CaseState.New));
        Assert.Equal(new StageTime(CaseState.Triage, 0, 4, 24, 26), Stage(o, CaseState.Triage));
        Assert.Equal(new StageTime(CaseState.Confirmed, 0, 3, 24, 24), Stage(o, CaseState.Confirmed));
        Assert.Equal(new StageTime(CaseState.Rejected, 1, 0, null, null), Stage(o, CaseState.Rejected));
        Assert.Equal(new StageTime(CaseState.Notified, 1, 2, 30, 46), Stage(o, CaseState.Notified));
        // From two days on, stays count in whole days: 74 hours are 3 days, 64 hours 2.
        Assert.Equal(new StageTime(CaseState.FixInProgress, 1, 2, 72, 72), Stage(o, CaseState.FixInProgress));
        Assert.Equal(new StageTime(CaseState.Fixed, 0, 2, 48, 48), Stage(o, CaseState.Fixed));
        Assert.Equal(new StageTime(CaseState.FixVerified, 0, 1, 192, 192), Stage(o, CaseState.FixVerified));
        Assert.Equal(new StageTime(CaseState.Disclosed, 1, 0, null, null), Stage(o, CaseState.Disclosed));

        // D's maintainer never answered: its escalation, 30 days after notification, is within two weeks. E's next deadline is the
        // end of its embargo, months away.
        var clock = await p.App.Get<ClockStore>().GetClockAsync(Caller.Local, p.Case["D"], Ct);
        var next = clock.Deadlines.Where(d => d.IsOpen).MinBy(d => d.At)!;
        Assert.Equal((DeadlineKind.Escalation, T0.AddHours(84).AddDays(30)), (next.Kind, next.At));
        var risk = Assert.Single(o.Deadlines.Nearest);
        Assert.Equal(new DeadlineAtRisk(p.Case["D"], risk.Title, "libpng", CaseState.Notified, next.At, DeadlineKind.Escalation), risk);
        Assert.Equal((14, 1L, 0L), (o.Deadlines.WindowDays, o.Deadlines.Count, o.Deadlines.Passed));
        Assert.Equal(0, (await p.OverviewAsync(Caller.Local, window: 0)).Deadlines.Count);
        var wide = (await p.OverviewAsync(Caller.Local, window: 120)).Deadlines;
        Assert.Equal(2, wide.Count);
        Assert.Equal([p.Case["D"], p.Case["E"]], wide.Nearest.Select(d => d.Case));

        Assert.Equal([new Backlog("libpng", 3, 1, 0, 0, 1, 1), new Backlog("zlib", 1, 1, 0, 0, 0, 0)], o.Projects);
        // Alpha's only case is disclosed: no backlog.
        Assert.Equal([new Backlog("beta", 2, 0, 0, 0, 1, 1)], o.Orgs);

        // The deadline passes: passed, and still at risk until someone acts.
        p.At(84 + 30 * 24 + 1);
        var later = (await p.OverviewAsync(Caller.Local)).Deadlines;
        Assert.Equal((1L, 1L), (later.Count, later.Passed));
        await AssertTalliesExactAsync(p.Db);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_maintainer_sees_the_figures_of_its_granted_cases_only(Engine engine)
    {
        var (p, alpha, beta) = await ProgramAsync(engine);
        await using var _ = p.Db;

        var a = await p.OverviewAsync(alpha);
        // A holds its own finding and B's.
        Assert.Equal([(FunnelStage.Findings, 2), (FunnelStage.Cases, 1), (FunnelStage.Validated, 1), (FunnelStage.Confirmed, 1),
            (FunnelStage.Notified, 1), (FunnelStage.Fixed, 1), (FunnelStage.FixVerified, 1), (FunnelStage.Disclosed, 1)], Counts(a));
        Assert.Equal([(Week(0), 1L, 0L), (Week(1), 0L, 1L), (Week(2), 0L, 0L), (Week(3), 0L, 0L)], a.Weeks.Select(w => (w.Week, w.Opened, w.Fixed)));
        Assert.Equal(AlphaStays, a.Stages.Select(s => (s.MedianHours, s.Left)));
        Assert.Equal([0L, 0, 0, 0, 0, 0, 0, 0, 1], a.Stages.Select(s => s.Current));
        Assert.Equal((0L, 0), (a.Deadlines.Count, a.Deadlines.Nearest.Count));
        Assert.Empty(a.Projects);
        Assert.Empty(a.Orgs);

        var b = await p.OverviewAsync(beta);
        Assert.Equal([(FunnelStage.Findings, 2), (FunnelStage.Cases, 2), (FunnelStage.Validated, 2), (FunnelStage.Confirmed, 2),
            (FunnelStage.Notified, 2), (FunnelStage.Fixed, 1), (FunnelStage.FixVerified, 0), (FunnelStage.Disclosed, 0)], Counts(b));
        Assert.Equal([p.Case["D"]], b.Deadlines.Nearest.Select(d => d.Case));
        Assert.Equal([new Backlog("libpng", 2, 0, 0, 0, 1, 1)], b.Projects);
        Assert.Equal([new Backlog("beta", 2, 0, 0, 0, 1, 1)], b.Orgs);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_downstream_org_sees_disclosed_cases_only_and_no_findings_and_an_org_without_grants_sees_nothing(Engine engine)
    {
        var (p, _, _) = await ProgramAsync(engine);
        await using var _ = p.Db;
        var hospital = await SomeDisclosure.MemberAsync(p.Db, "hospital", OrgKind.Downstream, Role.Viewer);
        var vals = await SomeDisclosure.MemberAsync(p.Db, "vals", OrgKind.Validator, Role.Triager);

        var d = await p.OverviewAsync(hospital);
        Assert.Equal([(FunnelStage.Findings, null), (FunnelStage.Cases, 1), (FunnelStage.Validated, 1), (FunnelStage.Confirmed, 1),
            (FunnelStage.Notified, 1), (FunnelStage.Fixed, 1), (FunnelStage.FixVerified, 1), (FunnelStage.Disclosed, 1)], Counts(d));
        Assert.Null(d.Funnel[1].Share);
        Assert.Equal([1L, 0, 0, 0], d.Weeks.Select(w => w.Opened));
        Assert.Equal(AlphaStays, d.Stages.Select(s => (s.MedianHours, s.Left)));
        Assert.Equal((0L, 0), (d.Deadlines.Count, d.Deadlines.Nearest.Count));
        Assert.Empty(d.Projects);
        Assert.Empty(d.Orgs);

        var v = await p.OverviewAsync(vals);
        Assert.Equal([0L, 0, 0, 0, 0, 0, 0, 0], v.Funnel.Select(s => s.Count));
        Assert.All(v.Stages, s => Assert.Equal((0L, 0L), (s.Current, s.Left)));
        Assert.Empty(v.Projects);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task Quality_cases_count_once_their_project_opens_cases_for_them_or_a_finding_raises_them_and_a_validation_run_validates(
        Engine engine)
    {
        var (p, _, _) = await ProgramAsync(engine);
        await using var _ = p.Db;
        var settings = p.App.Get<ProjectSettingsStore>();

        await settings.SetAsync(Caller.Local, "zlib", new ProjectSettings(NonSecurity: NonSecurityHandling.Cases), Ct);
        await AssertTalliesExactAsync(p.Db);
        var all = await p.OverviewAsync(Caller.Local);
        Assert.Equal((9L, 4L), (all.Funnel[1].Count!.Value, all.Projects.Single(b => b.Name == "zlib").New));
        Assert.Equal(9, all.Weeks[0].Opened);
        await settings.SetAsync(Caller.Local, "zlib", new ProjectSettings(NonSecurity: NonSecurityHandling.Quality), Ct);
        await AssertTalliesExactAsync(p.Db);
        Assert.Equal(6, (await p.OverviewAsync(Caller.Local)).Funnel[1].Count);

        // The same results again, the first rule now tagged security: its case joins the queue; every result counts again.
        var raised = JsonNode.Parse(File.ReadAllText(TaggedLog(4, style: 3)))!;
        raised["runs"]![0]!["tool"]!["driver"]!["rules"]![0]!["properties"]!["tags"] = new JsonArray("security");
        await p.ImportAsync("zlib", Some.TempFile(raised.ToJsonString(), ".sarif"));
        var o = await p.OverviewAsync(Caller.Local);
        Assert.Equal((14L, 7L), (o.Funnel[0].Count!.Value, o.Funnel[1].Count!.Value));
        Assert.Equal(new Backlog("zlib", 2, 2, 0, 0, 0, 0), o.Projects.Single(b => b.Name == "zlib"));

        // A validation run with an answer validates F, which stays new; one that reproduces confirms G (through triage) at once.
        await FinishRunAsync(p, "F", Verdict.NotReproduced);
        await FinishRunAsync(p, "G", Verdict.Reproduced);
        o = await p.OverviewAsync(Caller.Local);
        Assert.Equal([(FunnelStage.Findings, 14), (FunnelStage.Cases, 7), (FunnelStage.Validated, 6), (FunnelStage.Confirmed, 4),
            (FunnelStage.Notified, 3), (FunnelStage.Fixed, 2), (FunnelStage.FixVerified, 1), (FunnelStage.Disclosed, 1)], Counts(o));
        Assert.Equal((2L, 1L), (Stage(o, CaseState.New).Current, Stage(o, CaseState.Confirmed).Current));
    }

    /// <summary>A validate run of the case, stored as queued and finished with one reproducer's verdict, as the job would.</summary>
    static async Task FinishRunAsync(Program p, string name, Verdict verdict)
    {
        var run = $"run-{name}";
        await using (var connection = await p.Db.OpenAsync(Ct))
            await connection.ExecuteAsync("""
                INSERT INTO validation_runs (id, case_seq, purpose, state, requested_by, requested_at)
                SELECT @run, seq, 'validate', 'queued', 'test', 0 FROM cases WHERE id = @id
                """, new { run, id = p.Case[name] });
        await p.App.Get<ValidationStore>().FinishAsync(run, [new RunOutcome("digest", "test", verdict, null, "{}", null)], null, Ct);
        await AssertTalliesExactAsync(p.Db);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task Merges_splits_grants_and_concurrent_moves_keep_the_tallies_exact(Engine engine)
    {
        var p = await NewProgramAsync(engine);
        await using var db = p.Db;
        await p.ImportAsync("libpng", Some.SarifLog(Some.Results(12)));
        var ids = (await p.App.Get<CaseQueries>().ListAsync(Caller.Local, new CaseFilter(), Ct)).Items.Select(c => c.Id).Order(StringComparer.Ordinal)
            .ToList();
        var editor = p.App.Get<CaseEditor>();
        await editor.MergeAsync(Caller.Local, ids[0], [ids[1], ids[2]], "one cause", Ct);
        await AssertTalliesExactAsync(db);
        var fingerprint = (await p.App.Get<CaseQueries>().GetAsync(Caller.Local, ids[0], Ct))!.Fingerprints[0];
        var split = await editor.SplitAsync(Caller.Local, ids[0], [fingerprint], "two causes after all", Ct);
        await AssertTalliesExactAsync(db);
        Assert.Equal(11, (await p.OverviewAsync(Caller.Local)).Funnel[1].Count);

        var maintainer = await SomeDisclosure.MemberAsync(db, "alpha", OrgKind.Maintainer, Role.Triager, ids[3], ids[4]);
        await AssertTalliesExactAsync(db);
        Assert.Equal(2, Assert.Single((await p.OverviewAsync(Caller.Local)).Orgs).Open);
        await p.App.Get<GrantStore>().RevokeAsync(Caller.Local, ids[4], "alpha", Ct);
        await AssertTalliesExactAsync(db);
        Assert.Equal(1, Assert.Single((await p.OverviewAsync(maintainer)).Orgs).Open);

        // Ten cases through notification at once (on PostgreSQL in parallel transactions), each move at its own hour.
        var moving = ids.Skip(3).Append(split).Take(10).ToList();
        await Task.WhenAll(moving.Select(async id =>
        {
            foreach (var to in new[] { CaseState.Triage, CaseState.Confirmed, CaseState.Notified })
                await p.App.Get<CaseLifecycle>().TransitionAsync(Caller.Local, id, new TransitionRequest(to), Ct);
        }));
        await AssertTalliesExactAsync(db);
        var o = await p.OverviewAsync(Caller.Local);
        Assert.Equal((11L, 10L, 10L), (o.Funnel[1].Count!.Value, o.Funnel[2].Count!.Value, o.Funnel[4].Count!.Value));
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task The_verb_prints_each_part_as_a_table_and_the_same_figures_as_json(Engine engine)
    {
        var (p, _, _) = await ProgramAsync(engine);
        await using var _ = p.Db;
        async Task<string> RunAsync(params string[] args)
        {
            var (stdout, stderr) = (new StringWriter(), new StringWriter());
            var io = new Clearwing.Cli.CliIO(stdout, stderr, TextReader.Null, _ => null)
            {
                ConfigureServices = services => Microsoft.Extensions.DependencyInjection.ServiceCollectionServiceExtensions
                    .AddSingleton<TimeProvider>(services, p.Time),
            };
            Assert.Equal(0, await Clearwing.Cli.CliApp.RunAsync([.. args, "--db", p.Spec], io, Ct));
            return stdout.ToString();
        }

        var text = System.Text.RegularExpressions.Regex.Replace(await RunAsync("overview", "--weeks", "4"), " {2,}", "  ");
        string[] lines =
        [
            "stage  count  moves on", "findings  10", "cases  6  60.0%", "validated  4  66.7%", "fix verified  1  50.0%", "disclosed  1  100.0%",
            "week  opened  fixed", "2026-11-02  6  0", "2026-11-09  0  2",
            "state  now  left  median  90th percentile", "new  2  4  1d 6h  2d", "rejected  1  0  -  -", "fix_verified  0  1  8d  8d",
            "Deadlines at risk: 1 open cases with a deadline passed or within 14 days (0 passed)",
            "project  open  new  triage  confirmed  notified  fix_in_progress", "libpng  3  1  0  0  1  1", "zlib  1  1  0  0  0  0",
            "org  open  new  triage  confirmed  notified  fix_in_progress", "beta  2  0  0  0  1  1",
        ];
        var printed = text.Split('\n').Select(l => l.TrimEnd()).ToList();
        Assert.All(lines, line => Assert.Contains(line, printed));
        Assert.Contains(printed, l => l.StartsWith(p.Case["D"], StringComparison.Ordinal) && l.Contains("escalation", StringComparison.Ordinal));

        var json = System.Text.Json.JsonSerializer.Deserialize<ProgramOverview>(await RunAsync("overview", "--weeks", "4", "--json"),
            Clearwing.Cli.CliIO.Json)!;
        var direct = await p.OverviewAsync(Caller.Local);
        Assert.Equal(direct.Funnel, json.Funnel);
        Assert.Equal(direct.Weeks, json.Weeks);
        Assert.Equal(direct.Stages, json.Stages);
        Assert.Equal(direct.Deadlines.Nearest, json.Deadlines.Nearest);
        Assert.Equal(direct.Projects, json.Projects);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task Migration_0033_and_a_rebuild_fill_the_tallies_as_the_stores_keep_them(Engine engine)
    {
        var (p, _, _) = await ProgramAsync(engine);
        await using var _ = p.Db;
        var script = Migration(engine);
        var backfill = script[script.IndexOf("-- The cases stored so far", StringComparison.Ordinal)..];

        await using var connection = await p.Db.OpenAsync(Ct);
        var kept = await OverviewTally.StoredAsync(connection, null, Ct);
        foreach (var table in OverviewTally.Tables) await connection.ExecuteAsync($"DELETE FROM {table.Name}");
        await connection.ExecuteAsync(backfill);

        AssertSame(kept, await OverviewTally.StoredAsync(connection, null, Ct));
        await using (var tx = await p.Db.BeginAsync(connection, Ct))
        {
            await OverviewTally.RebuildAsync(connection, tx, Ct);
            await tx.CommitAsync(Ct);
        }
        AssertSame(kept, await OverviewTally.StoredAsync(connection, null, Ct));
        // A stay's start, filled in for the moves stored before the migration, is the move before it (or the case's creation).
        var wrong = await connection.ExecuteScalarAsync<long>("""
            SELECT count(*) FROM case_transitions t JOIN cases c ON c.seq = t.case_seq
            WHERE t.entered_at <> coalesce((SELECT max(p.at) FROM case_transitions p WHERE p.case_seq = t.case_seq AND p.id < t.id), c.created_at)
            """);
        Assert.Equal(0, wrong);
    }

    [Fact]
    public async Task Options_out_of_range_are_refused_naming_the_range()
    {
        await using var db = await TestDatabases.CreateAsync(Engine.Sqlite);
        var overview = Wired.For(db).Get<ProgramOverviewQueries>();
        Assert.Contains("1 to 260", (await Assert.ThrowsAsync<BadInputException>(() =>
            overview.GetAsync(Caller.Local, new OverviewOptions(Weeks: 0), Ct))).Message);
        Assert.Contains("0 to 365", (await Assert.ThrowsAsync<BadInputException>(() =>
            overview.GetAsync(Caller.Local, new OverviewOptions(WindowDays: 400), Ct))).Message);
        var empty = await overview.GetAsync(Caller.Local, new OverviewOptions(), Ct);
        Assert.Equal([0L, 0, 0, 0, 0, 0, 0, 0], empty.Funnel.Select(s => s.Count));
        Assert.Equal(12, empty.Weeks.Count);
    }

    static string Migration(Engine engine)
    {
        var name = $"Clearwing.Storage.Migrations.{(engine == Engine.Sqlite ? "sqlite" : "postgres")}.0033_overview.sql";
        using var stream = typeof(Database).Assembly.GetManifestResourceStream(name)!;
        return new StreamReader(stream).ReadToEnd();
    }

    /// <summary>The tallies the stores kept equal the tallies computed again from every stored case; and the findings the overview
    /// counts without reading them (the imports' results, the cases' finding counts) are the stored findings.</summary>
    internal static async Task AssertTalliesExactAsync(Database db)
    {
        await using var connection = await db.OpenAsync(Ct);
        var everything = OverviewTally.Contributions("1 = 1");
        AssertSame(await OverviewTally.ReadAsync(connection, null, OverviewTally.Tables, t => everything[t], null, Ct),
            await OverviewTally.StoredAsync(connection, null, Ct));
        var findings = await connection.QuerySingleAsync<(long Rows, long Results, long OnCases)>("""
            SELECT (SELECT count(*) FROM findings), (SELECT coalesce(sum(results), 0) FROM imports),
                   (SELECT coalesce(sum(finding_count), 0) FROM cases WHERE merged_into IS NULL)
            """);
        Assert.Equal((findings.Rows, findings.Rows), (findings.Results, findings.OnCases));
    }

    static void AssertSame(OverviewTally.Counts expected, OverviewTally.Counts actual)
    {
        foreach (var table in OverviewTally.Tables)
            Assert.Equal(expected.Rows[table].Where(r => r.Value != 0).OrderBy(r => r.Key),
                actual.Rows[table].Where(r => r.Value != 0).OrderBy(r => r.Key));
    }
}
