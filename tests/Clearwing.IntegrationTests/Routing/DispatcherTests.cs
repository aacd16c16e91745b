using Clearwing.Access;
using Clearwing.Cases;
using Clearwing.Findings;
using Clearwing.IntegrationTests.Storage;
using Clearwing.IntegrationTests.Support;
using Clearwing.Routing;
using Clearwing.Scoring;
using Clearwing.Storage;

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

    static async Task<(IServiceProvider Stores, List<string> Cases)> ConfirmedAsync(Database db, string project, int count)
    {
        var stores = Wired.For(db);
        var log = Some.SarifLog(Some.Results(count));
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
}
