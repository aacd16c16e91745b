using Clearwing.Access;
using Clearwing.Cases;
using Clearwing.Findings;
using Clearwing.IntegrationTests.Storage;
using Clearwing.IntegrationTests.Support;
using Clearwing.Routing;
using Clearwing.Scoring;
using Clearwing.Storage;
using Clearwing.Storage.Jobs;

namespace Clearwing.IntegrationTests.Routing;

/// <summary>
/// Dispatch rounds on both engines: confirmed cases go to their owner within the project's day and week, the rest wait and go
/// in later rounds, never dropped; an exploited case goes past the capacity and says so; a case nobody owns waits for the
/// coordinator; every decision is explained; sending grants the owner and starts the embargo clock.
/// </summary>
public sealed class DispatcherTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;
    static readonly DateTimeOffset Monday = new(2026, 11, 2, 9, 0, 0, TimeSpan.Zero);

    /// <summary>Confirmed cases, each in a file of its own: related to none of the others.</summary>
    internal static async Task<(IServiceProvider Stores, List<string> Cases)> ConfirmedAsync(Database db, string project, int count)
    {
        var stores = Wired.For(db);
        var log = Some.SarifLog(Some.Results(count).Select((r, i) => r with { File = $"src/file{i}.c" }));
        await stores.Get<Importer>().ImportAsync(new ImportRequest(project, [new ImportFile(log, "scan.sarif")]), null, Ct);
        var ids = (await stores.Get<CaseQueries>().ListAsync(Caller.Local, new CaseFilter(Project: project, Limit: 100), Ct)).Items
            .Select(c => c.Id).ToList();
        var lifecycle = stores.Get<CaseLifecycle>();
        foreach (var id in ids)
        {
            await lifecycle.TransitionAsync(Caller.Local, id, new TransitionRequest(CaseState.Triage), Ct);
            await lifecycle.TransitionAsync(Caller.Local, id, new TransitionRequest(CaseState.Confirmed, "reproduced by hand"), Ct);
        }
        return (stores, ids);
    }

    static async Task<int> NotifiedAsync(IServiceProvider stores, string project) =>
        (await stores.Get<CaseQueries>().ListAsync(Caller.Local, new CaseFilter(Project: project, State: CaseState.Notified, Limit: 100), Ct)).Items.Count;

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task Confirmed_cases_go_within_the_projects_day_and_week_and_the_rest_wait_for_later_rounds(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var (stores, cases) = await ConfirmedAsync(db, "libpng", 8);
        await stores.Get<OrgStore>().CreateOrgAsync(Caller.Local, "png-team", OrgKind.Maintainer, Ct);
        await stores.Get<ProjectRegistry>().ImportAsync(Caller.Local, "project: libpng\nowner: png-team\nintake: {perDay: 3, perWeek: 5}\n",
            "p", Ct);
        var dispatcher = stores.Get<Dispatcher>();

        var first = await dispatcher.RunAsync(Caller.Local, Monday, Ct);
        Assert.Equal((3, 5, 0), (first.Sent, first.Waiting, first.Unresolved));
        // Highest priority first: what was sent ranks at least as high as what waits.
        Assert.True(first.Decisions.Where(d => d.Decision == DispatchDecision.Sent).Min(d => d.Priority)
            >= first.Decisions.Where(d => d.Decision == DispatchDecision.Waits).Max(d => d.Priority));
        Assert.Equal(3, await NotifiedAsync(stores, "libpng"));
        var again = await dispatcher.RunAsync(Caller.Local, Monday.AddHours(1), Ct);
        Assert.Equal((0, 5), (again.Sent, again.Waiting));
        var tuesday = await dispatcher.RunAsync(Caller.Local, Monday.AddHours(25), Ct);
        Assert.Equal((2, 3), (tuesday.Sent, tuesday.Waiting));
        var wednesday = await dispatcher.RunAsync(Caller.Local, Monday.AddHours(49), Ct);
        Assert.Equal((0, 3), (wednesday.Sent, wednesday.Waiting));
        Assert.Contains("takes 5 new reports a week", wednesday.Decisions[0].Reason, StringComparison.Ordinal);
        // A week after the first round the first three no longer count.
        var nextWeek = await dispatcher.RunAsync(Caller.Local, Monday.AddDays(7).AddMinutes(1), Ct);
        Assert.Equal((3, 0), (nextWeek.Sent, nextWeek.Waiting));
        Assert.Equal(8, await NotifiedAsync(stores, "libpng"));

        // Every decision about the last one sent, once each: waiting for the day, for the week, then sent.
        var last = nextWeek.Decisions[^1].Case;
        var explained = await dispatcher.ExplainAsync(Caller.Local, last, Ct);
        Assert.Equal([DispatchDecision.Waits, DispatchDecision.Waits, DispatchDecision.Sent], explained.Select(d => d.Decision));
        Assert.Contains("a day", explained[0].Reason, StringComparison.Ordinal);
        Assert.Contains("a week", explained[1].Reason, StringComparison.Ordinal);
        Assert.StartsWith("sent to png-team, the owner of project libpng (by project)", explained[2].Reason, StringComparison.Ordinal);
        // Sent means granted and on the clock.
        Assert.Contains(await stores.Get<GrantStore>().ListAsync(Caller.Local, last, Ct), g => g.Org == "png-team");
        Assert.NotNull((await stores.Get<ClockStore>().GetClockAsync(Caller.Local, last, Ct)).Timeline.Notified);
        Assert.Contains(cases, c => c == last);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task An_exploited_case_goes_past_the_capacity_and_an_unowned_one_waits_for_the_coordinator(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var (stores, cases) = await ConfirmedAsync(db, "libpng", 3);
        var (_, orphans) = await ConfirmedAsync(db, "orphan", 1);
        await stores.Get<OrgStore>().CreateOrgAsync(Caller.Local, "png-team", OrgKind.Maintainer, Ct);
        await stores.Get<ProjectRegistry>().ImportAsync(Caller.Local, "project: libpng\nowner: png-team\nintake: {perDay: 0}\n", "p", Ct);
        await stores.Get<CaseSsvc>().SetAsync(Caller.Local, cases[1], new Dictionary<string, string> { ["exploitation"] = "active" }, Ct);

        var round = await stores.Get<Dispatcher>().RunAsync(Caller.Local, Monday, Ct);

        var sent = Assert.Single(round.Decisions, d => d.Decision == DispatchDecision.Sent);
        Assert.Equal(cases[1], sent.Case);
        Assert.StartsWith("exploited in the wild", sent.Bypass, StringComparison.Ordinal);
        Assert.Contains("past the project's capacity", sent.Reason, StringComparison.Ordinal);
        Assert.Equal(2, round.Waiting);
        var orphan = Assert.Single(round.Decisions, d => d.Decision == DispatchDecision.Unresolved);
        Assert.Equal(orphans[0], orphan.Case);
        Assert.Contains("has no intake policy", orphan.Reason, StringComparison.Ordinal);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task Dispatch_is_the_coordinators(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var (stores, cases) = await ConfirmedAsync(db, "libpng", 1);
        var maintainer = new Caller(2, "png-team", OrgKind.Maintainer, Role.Admin, "member:lead@png.example");

        await Assert.ThrowsAsync<AccessDeniedException>(() => stores.Get<Dispatcher>().RunAsync(maintainer, Monday, Ct));
        await Assert.ThrowsAsync<AccessDeniedException>(() => stores.Get<Dispatcher>().RunAsync(Caller.Local with { Role = Role.Viewer }, Monday, Ct));
        await Assert.ThrowsAsync<NotFoundException>(() => stores.Get<Dispatcher>().ExplainAsync(maintainer, cases[0], Ct));
        Assert.Empty(await stores.Get<Dispatcher>().ExplainAsync(Caller.Local, cases[0], Ct));
    }

    /// <summary>Imports the results into libpng, owned by png-team (the given intake), and confirms the cases of the rules given.</summary>
    static async Task<(IServiceProvider Stores, Dictionary<string, string> ByRule, Caller Maintainer)> LibpngAsync(Database db, FakeTime clock,
        IEnumerable<SomeResult> results, string intake, params string[] confirm)
    {
        var stores = Wired.For(db, clock);
        await stores.Get<Importer>().ImportAsync(new ImportRequest("libpng", [new ImportFile(Some.SarifLog(results), "scan.sarif")]), null, Ct);
        await stores.Get<OrgStore>().CreateOrgAsync(Caller.Local, "png-team", OrgKind.Maintainer, Ct);
        await stores.Get<ProjectRegistry>().ImportAsync(Caller.Local, $"project: libpng\nowner: png-team\nintake: {intake}\n", "p", Ct);
        var byRule = new Dictionary<string, string>();
        foreach (var c in (await stores.Get<CaseQueries>().ListAsync(Caller.Local, new CaseFilter(Project: "libpng", Limit: 100), Ct)).Items)
            byRule[c.Title.Split(' ')[0]] = c.Id;
        foreach (var rule in confirm) await ConfirmAsync(stores, byRule[rule]);
        await using var connection = await db.OpenAsync(Ct);
        var org = await Dapper.SqlMapper.ExecuteScalarAsync<long>(connection, "SELECT id FROM orgs WHERE name = 'png-team'");
        return (stores, byRule, new Caller(org, "png-team", OrgKind.Maintainer, Role.Admin, "member:lead@png.example"));
    }

    static async Task ConfirmAsync(IServiceProvider stores, string id)
    {
        var lifecycle = stores.Get<CaseLifecycle>();
        await lifecycle.TransitionAsync(Caller.Local, id, new TransitionRequest(CaseState.Triage), Ct);
        await lifecycle.TransitionAsync(Caller.Local, id, new TransitionRequest(CaseState.Confirmed, "reproduced by hand"), Ct);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task Related_cases_go_out_together_as_one_report_and_one_notification(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var clock = new FakeTime();
        // Two flaws in one file (one of them an error, so it leads), two more each in a file of its own.
        var (stores, byRule, _) = await LibpngAsync(db, clock,
        [
            new SomeResult("R1", "src/png.c", 10, "a(1);", Level: "error"), new SomeResult("R2", "src/png.c", 90, "b(2);", Level: "note"),
            new SomeResult("R3", "src/zlib.c", 10, "c(3);"), new SomeResult("R4", "src/inflate.c", 10, "d(4);", Level: "note"),
        ], "{perDay: 1}", "R1", "R2", "R3", "R4");
        var dispatcher = stores.Get<Dispatcher>();

        var first = await dispatcher.RunAsync(Caller.Local, clock.GetUtcNow(), Ct);

        // The lead and the flaw in its file go, past R3 which ranks above R2; the two are the day's one report.
        Assert.Equal((2, 2), (first.Sent, first.Waiting));
        var sent = first.Decisions.Where(d => d.Decision == DispatchDecision.Sent).ToList();
        Assert.Equal([byRule["R1"], byRule["R2"]], sent.Select(d => d.Case));
        Assert.All(sent, d => Assert.Equal(byRule["R1"], d.TogetherWith));
        Assert.Contains("with 1 related case in one notification", sent[0].Reason, StringComparison.Ordinal);
        Assert.Contains($"together with case {byRule["R1"]} (same component: src/png.c)", sent[1].Reason, StringComparison.Ordinal);
        Assert.Single(Dispatcher.Group(sent));
        var explained = await dispatcher.ExplainAsync(Caller.Local, byRule["R2"], Ct);
        Assert.Equal(byRule["R1"], Assert.Single(explained).TogetherWith);

        // The next day one more report: R3 alone (its own notification), R4 still waits.
        var next = await dispatcher.RunAsync(Caller.Local, clock.GetUtcNow().AddHours(25), Ct);
        var alone = Assert.Single(next.Decisions, d => d.Decision == DispatchDecision.Sent);
        Assert.Equal((byRule["R3"], null), (alone.Case, alone.TogetherWith));
        Assert.Equal(byRule["R4"], Assert.Single(next.Decisions, d => d.Decision == DispatchDecision.Waits).Case);
        Assert.Equal(2, Dispatcher.Group([.. sent, alone]).Count);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_case_like_one_fixed_in_the_last_48_hours_waits_until_that_fix_is_verified(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var clock = new FakeTime();
        var (stores, byRule, maintainer) = await LibpngAsync(db, clock,
            [
                new SomeResult("R1", "src/png.c", 10, "a(1);"), new SomeResult("R2", "src/png.c", 90, "b(2);"),
                new SomeResult("R3", "src/io.c", 5, "c();"),
            ],
            "{perDay: 10}", "R1");
        var dispatcher = stores.Get<Dispatcher>();
        var lifecycle = stores.Get<CaseLifecycle>();
        Assert.Equal(1, (await dispatcher.RunAsync(Caller.Local, clock.GetUtcNow(), Ct)).Sent);
        clock.Advance(TimeSpan.FromHours(2));
        await lifecycle.TransitionAsync(maintainer, byRule["R1"], new TransitionRequest(CaseState.FixInProgress), Ct);
        await lifecycle.TransitionAsync(maintainer, byRule["R1"], new TransitionRequest(CaseState.Fixed, FixCommit: "4f2c1e9"), Ct);
        await ConfirmAsync(stores, byRule["R2"]);
        await ConfirmAsync(stores, byRule["R3"]);
        clock.Advance(TimeSpan.FromHours(1));

        var held = await dispatcher.RunAsync(Caller.Local, clock.GetUtcNow(), Ct);

        // R2 is in the fixed file and waits; R3 is elsewhere and goes.
        Assert.Equal(byRule["R3"], Assert.Single(held.Decisions, d => d.Decision == DispatchDecision.Sent).Case);
        var waits = Assert.Single(held.Decisions, d => d.Decision == DispatchDecision.Waits);
        Assert.Equal(byRule["R2"], waits.Case);
        Assert.Contains($"case {byRule["R1"]} (same component: src/png.c) was fixed at", waits.Reason, StringComparison.Ordinal);
        Assert.Contains("not verified yet", waits.Reason, StringComparison.Ordinal);

        await lifecycle.TransitionAsync(Caller.Local, byRule["R1"], new TransitionRequest(CaseState.FixVerified, "the reproducer no longer crashes"),
            Ct);
        var verified = await dispatcher.RunAsync(Caller.Local, clock.GetUtcNow(), Ct);
        Assert.Equal(byRule["R2"], Assert.Single(verified.Decisions, d => d.Decision == DispatchDecision.Sent).Case);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_maintainer_silent_past_the_escalation_deadline_is_escalated_once_and_one_that_answered_is_not(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var clock = new FakeTime();
        var (stores, byRule, maintainer) = await LibpngAsync(db, clock,
            [new SomeResult("R1", "src/png.c", 10, "a(1);"), new SomeResult("R2", "src/io.c", 90, "b(2);")], "{perDay: 10}", "R1", "R2");
        var dispatcher = stores.Get<Dispatcher>();
        Assert.Equal(2, (await dispatcher.RunAsync(Caller.Local, clock.GetUtcNow(), Ct)).Sent);
        // The maintainer answers on R2 (starts fixing it) and says nothing about R1.
        await stores.Get<CaseLifecycle>().TransitionAsync(maintainer, byRule["R2"], new TransitionRequest(CaseState.FixInProgress), Ct);
        clock.Advance(TimeSpan.FromDays(29));
        Assert.Equal(0, (await dispatcher.RunAsync(Caller.Local, clock.GetUtcNow(), Ct)).Escalated);
        clock.Advance(TimeSpan.FromDays(4));

        var round = await dispatcher.RunAsync(Caller.Local, clock.GetUtcNow(), Ct);

        Assert.Equal(1, round.Escalated);
        var escalated = Assert.Single(round.Decisions, d => d.Decision == DispatchDecision.Escalated);
        Assert.Equal((byRule["R1"], "png-team"), (escalated.Case, escalated.Org));
        Assert.StartsWith("escalated to the coordinator: png-team did not answer by the escalation deadline", escalated.Reason,
            StringComparison.Ordinal);
        Assert.Equal(0, (await dispatcher.RunAsync(Caller.Local, clock.GetUtcNow().AddHours(1), Ct)).Escalated);
        Assert.Equal([DispatchDecision.Sent, DispatchDecision.Escalated],
            (await dispatcher.ExplainAsync(Caller.Local, byRule["R1"], Ct)).Select(d => d.Decision));
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task The_server_runs_rounds_as_queue_jobs_on_the_hour_one_job_per_hour_however_many_hosts_start(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var clock = new FakeTime();
        clock.Advance(TimeSpan.FromMinutes(20));
        var (stores, byRule, _) = await LibpngAsync(db, clock, [new SomeResult("R1", "src/png.c", 10, "a(1);")], "{perDay: 10}", "R1");
        var job = stores.Get<DispatchJob>();
        var queue = stores.Get<Clearwing.Storage.Jobs.JobQueue>();

        // Two hosts start: one round is queued, at the next whole hour.
        await job.ScheduleAsync(Ct);
        await job.ScheduleAsync(Ct);
        var queued = Assert.Single(await queue.ListAsync(ct: Ct), j => j.Kind == DispatchJob.JobKind);
        Assert.Equal(FakeTime.Start.AddHours(1), queued.RunAfter);
        Assert.Null(await queue.ClaimAsync("w", [DispatchJob.JobKind], TimeSpan.FromMinutes(5), Ct));

        clock.Advance(TimeSpan.FromMinutes(41));
        var due = await queue.ClaimAsync("w", [DispatchJob.JobKind], TimeSpan.FromMinutes(5), Ct);
        Assert.NotNull(due);
        await job.RunAsync(due, Ct);
        Assert.True(await queue.CompleteAsync(due, "w", Ct));

        // The round ran as Clearwing's own triager, and queued the next one.
        var decision = Assert.Single(await stores.Get<Dispatcher>().ExplainAsync(Caller.Local, byRule["R1"], Ct));
        Assert.Equal((DispatchDecision.Sent, "clearwing:dispatch"), (decision.Decision, decision.DecidedBy));
        var next = Assert.Single(await queue.ListAsync(JobState.Queued, ct: Ct), j => j.Kind == DispatchJob.JobKind);
        Assert.Equal(FakeTime.Start.AddHours(2), next.RunAfter);
    }
}
