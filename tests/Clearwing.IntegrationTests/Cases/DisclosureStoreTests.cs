using Clearwing.Access;
using Clearwing.Cases;
using Clearwing.IntegrationTests.Storage;
using Clearwing.IntegrationTests.Support;
using Clearwing.Storage;
using Dapper;
using static Clearwing.IntegrationTests.Cases.SomeDisclosure;

namespace Clearwing.IntegrationTests.Cases;

/// <summary>
/// The disclosure store's contract on both engines: policy per project, extensions asked and decided, clock facts,
/// deadlines for one case and for the listing, need-to-know, and an audit event for every change.
/// FakeTime starts on Monday 2026-11-02 09:00 UTC; 90 days later is Sunday 2027-01-31.
/// </summary>
public sealed class DisclosureStoreTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_notified_case_runs_on_the_default_coordinator_profile_and_a_case_not_yet_notified_has_no_deadlines(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var cases = await CasesAsync(db, "zlib", 2);
        var store = Store(db, new FakeTime());
        await NotifyAsync(db, cases[0], FakeTime.Start);

        var clock = await store.GetClockAsync(Caller.Local, cases[0], Ct);

        Assert.Equal(("coordinator", "zlib", "notified", FakeTime.Start), (clock.Profile.Name, clock.Project, Lifecycle.Name(clock.State), clock.Timeline.Notified));
        var disclosure = Only(clock.Deadlines, DeadlineKind.PublicDisclosure);
        Assert.Equal((Day(90), DeadlineStatus.Upcoming, "90 days after notification (2026-11-02)"), (disclosure.At, disclosure.Status, disclosure.Rule));
        Assert.Equal(Day(30), Only(clock.Deadlines, DeadlineKind.Escalation).At);
        Assert.Equal(Day(90), Only(clock.Deadlines, DeadlineKind.TechnicalDetails).At);
        Assert.Equal(14, clock.ExtensionDaysLeft);

        var untouched = await store.GetClockAsync(Caller.Local, cases[1], Ct);
        Assert.Empty(untouched.Deadlines);
        Assert.Null(untouched.Timeline.Notified);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_project_override_applies_to_that_projects_cases_and_the_default_to_the_rest(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var zlib = (await CasesAsync(db, "zlib", 1))[0];
        var libpng = (await CasesAsync(db, "libpng", 1))[0];
        var store = Store(db, new FakeTime());
        await NotifyAsync(db, zlib, FakeTime.Start);
        await NotifyAsync(db, libpng, FakeTime.Start);

        var settings = await store.SetProjectProfileAsync(Caller.Local, "zlib", "oss-fuzz", Ct);

        Assert.Equal(("coordinator", "zlib", "oss-fuzz", "local"), (settings.DefaultProfile, Assert.Single(settings.Overrides).Project,
            settings.Overrides[0].Profile, settings.Overrides[0].SetBy));
        var ossFuzz = await store.GetClockAsync(Caller.Local, zlib, Ct);
        var disclosure = Assert.Single(ossFuzz.Deadlines);
        Assert.Equal(("oss-fuzz", DeadlineKind.PublicDisclosure, Day(91)), (ossFuzz.Profile.Name, disclosure.Kind, disclosure.At));
        Assert.Equal("90 days after notification (2026-11-02), moved from Sunday 2027-01-31 to Monday 2027-02-01 (weekend)", disclosure.Rule);
        Assert.Equal("coordinator", (await store.GetClockAsync(Caller.Local, libpng, Ct)).Profile.Name);

        await store.SetDefaultProfileAsync(Caller.Local, "project-zero", Ct);
        Assert.Equal("project-zero", (await store.GetClockAsync(Caller.Local, libpng, Ct)).Profile.Name);
        Assert.Equal("oss-fuzz", (await store.GetClockAsync(Caller.Local, zlib, Ct)).Profile.Name);

        var cleared = await store.SetProjectProfileAsync(Caller.Local, "zlib", null, Ct);
        Assert.Empty(cleared.Overrides);
        Assert.Equal("project-zero", (await store.GetClockAsync(Caller.Local, zlib, Ct)).Profile.Name);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task Policy_is_set_by_coordinator_admins_only_and_an_unknown_profile_is_refused_listing_the_known_ones(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        await CasesAsync(db, "zlib", 1);
        var store = Store(db, new FakeTime());
        var triager = await MemberAsync(db, "coordinator", OrgKind.Coordinator, Role.Triager);
        var maintainer = await MemberAsync(db, "alpha", OrgKind.Maintainer);

        var unknown = await Assert.ThrowsAsync<BadInputException>(() => store.SetProjectProfileAsync(Caller.Local, "zlib", "OSS-Fuzz", Ct));
        Assert.Equal("Unknown disclosure profile 'OSS-Fuzz'; known profiles: coordinator, oss-fuzz, project-zero.", unknown.Message);
        await Assert.ThrowsAsync<BadInputException>(() => store.SetDefaultProfileAsync(Caller.Local, "ninety-days", Ct));
        await Assert.ThrowsAsync<NotFoundException>(() => store.SetProjectProfileAsync(Caller.Local, "no-such-project", "oss-fuzz", Ct));
        await Assert.ThrowsAsync<BadInputException>(() => store.SetProjectProfileAsync(Caller.Local, "zlib", null, Ct));
        await Assert.ThrowsAsync<AccessDeniedException>(() => store.SetDefaultProfileAsync(triager, "oss-fuzz", Ct));
        await Assert.ThrowsAsync<AccessDeniedException>(() => store.SetProjectProfileAsync(maintainer, "zlib", "oss-fuzz", Ct));

        var settings = await store.GetPolicyAsync(maintainer, Ct);
        Assert.Equal(("coordinator", null), (settings.DefaultProfile, settings.SetBy));
        Assert.Equal(["coordinator", "oss-fuzz", "project-zero"], settings.Profiles.Select(p => p.Name));
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task An_approved_extension_moves_the_deadline_and_a_refused_one_does_not(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var caseId = (await CasesAsync(db, "zlib", 1))[0];
        var time = new FakeTime();
        var store = Store(db, time);
        await NotifyAsync(db, caseId, FakeTime.Start);
        var maintainer = await MemberAsync(db, "alpha", OrgKind.Maintainer, Role.Triager, caseId);
        var coordinator = await MemberAsync(db, "coordinator", OrgKind.Coordinator, Role.Triager);
        time.Advance(TimeSpan.FromDays(40));

        var refused = await store.AskExtensionAsync(maintainer, caseId, 14, "the release train leaves on the 15th", Ct);
        Assert.Equal(("pending", "alpha", maintainer.Actor), (refused.State, refused.Org, refused.Extension.Request.RequestedBy));
        await store.DecideExtensionAsync(coordinator, refused.Id, ExtensionVerdict.Refused, "ship the point release", caseId, Ct);
        Assert.Equal(Day(90), Only((await store.GetClockAsync(maintainer, caseId, Ct)).Deadlines, DeadlineKind.PublicDisclosure).At);

        time.Advance(TimeSpan.FromDays(1));
        var approved = await store.AskExtensionAsync(maintainer, caseId, 10, "the fix needs a parser rewrite", Ct);
        var decided = await store.DecideExtensionAsync(coordinator, approved.Id, ExtensionVerdict.Approved, null, ct: Ct);

        Assert.Equal(("approved", coordinator.Actor, Day(41)), (decided.State, decided.Extension.Decision!.DecidedBy, decided.Extension.Decision.DecidedAt));
        var clock = await store.GetClockAsync(maintainer, caseId, Ct);
        var disclosure = Only(clock.Deadlines, DeadlineKind.PublicDisclosure);
        Assert.Equal((Day(100), "90 days after notification (2026-11-02) + 10-day extension approved 2026-12-13"), (disclosure.At, disclosure.Rule));
        Assert.Equal(4, clock.ExtensionDaysLeft);
        Assert.Equal(["refused", "approved"], (await store.ListExtensionsAsync(maintainer, caseId, Ct)).Select(e => e.State));
        // Asking answered the notification, but only on day 40: the escalation stays, breached, with the ask as its discharge.
        Assert.Equal((Day(40), DeadlineStatus.Breached), (Only(clock.Deadlines, DeadlineKind.Escalation).DischargedAt, Only(clock.Deadlines, DeadlineKind.Escalation).Status));

        var again = await Assert.ThrowsAsync<BadInputException>(() => store.DecideExtensionAsync(coordinator, approved.Id, ExtensionVerdict.Refused, null, ct: Ct));
        Assert.Contains("already approved by " + coordinator.Actor, again.Message);
        await Assert.ThrowsAsync<AccessDeniedException>(() => store.DecideExtensionAsync(maintainer, refused.Id, ExtensionVerdict.Approved, null, ct: Ct));
        await Assert.ThrowsAsync<AccessDeniedException>(() => store.AskExtensionAsync(coordinator, caseId, 7, "on their behalf", Ct));
        await Assert.ThrowsAsync<AccessDeniedException>(() => store.AskExtensionAsync(Caller.Local, caseId, 7, "on their behalf", Ct));
        await Assert.ThrowsAsync<BadInputException>(() => store.AskExtensionAsync(maintainer, caseId, 0, "none at all", Ct));
        await Assert.ThrowsAsync<BadInputException>(() => store.AskExtensionAsync(maintainer, caseId, 7, "  ", Ct));
        await Assert.ThrowsAsync<NotFoundException>(() => store.DecideExtensionAsync(coordinator, "ffffffffffffffffffffffffffffffff", ExtensionVerdict.Approved, null, ct: Ct));
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_maintainer_without_a_grant_finds_no_case_and_a_validator_sees_deadlines_but_not_extensions(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var cases = await CasesAsync(db, "zlib", 2);
        var store = Store(db, new FakeTime());
        await NotifyAsync(db, cases[0], FakeTime.Start);
        var alpha = await MemberAsync(db, "alpha", OrgKind.Maintainer, Role.Admin, cases[0]);
        var beta = await MemberAsync(db, "beta", OrgKind.Maintainer, Role.Admin, cases[1]);
        var validator = await MemberAsync(db, "vals", OrgKind.Validator, Role.Triager, cases[0]);
        var asked = await store.AskExtensionAsync(alpha, cases[0], 7, "release on Friday", Ct);
        const string missing = "ffffffffffffffffffffffffffffffff";

        var hidden = await Assert.ThrowsAsync<NotFoundException>(() => store.AskExtensionAsync(beta, cases[0], 7, "not mine", Ct));
        var none = await Assert.ThrowsAsync<NotFoundException>(() => store.AskExtensionAsync(beta, missing, 7, "not anyone's", Ct));
        Assert.Equal(none.Message.Replace(missing, cases[0]), hidden.Message);
        await Assert.ThrowsAsync<NotFoundException>(() => store.ListExtensionsAsync(beta, cases[0], Ct));
        await Assert.ThrowsAsync<NotFoundException>(() => store.GetClockAsync(beta, cases[0], Ct));
        await Assert.ThrowsAsync<NotFoundException>(() =>
            store.RecordAsync(beta, cases[0], new ClockEntry(ClockFact.FixScheduled, ScheduledFor: Day(20)), Ct));
        var coordinatorTriager = await MemberAsync(db, "coordinator", OrgKind.Coordinator, Role.Triager);
        await Assert.ThrowsAsync<NotFoundException>(() => store.DecideExtensionAsync(coordinatorTriager, asked.Id, ExtensionVerdict.Approved, null, cases[1], Ct));

        // Alpha's request answered the notification at once, so no escalation is due.
        Assert.Equal([DeadlineKind.PublicDisclosure, DeadlineKind.TechnicalDetails],
            (await store.GetClockAsync(validator, cases[0], Ct)).Deadlines.Select(d => d.Kind));
        await Assert.ThrowsAsync<AccessDeniedException>(() => store.ListExtensionsAsync(validator, cases[0], Ct));
        await Assert.ThrowsAsync<AccessDeniedException>(() => store.AskExtensionAsync(validator, cases[0], 7, "validators do not ask", Ct));
        // Beta's own case is not notified: there is no clock to extend.
        var early = await Assert.ThrowsAsync<BadInputException>(() => store.AskExtensionAsync(beta, cases[1], 7, "too early", Ct));
        Assert.Contains("it is 'new', and the disclosure clock starts when it is notified", early.Message);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task The_deadline_listing_shows_each_org_only_its_own_running_cases_soonest_first(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var cases = await CasesAsync(db, "zlib", 5);
        var store = Store(db, new FakeTime());
        for (var i = 0; i < 4; i++) await NotifyAsync(db, cases[i], Day(i));
        await MoveAsync(db, cases[3], new TransitionRequest(CaseState.Disclosed), Day(10));
        var alpha = await MemberAsync(db, "alpha", OrgKind.Maintainer, Role.Viewer, cases[0]);
        var beta = await MemberAsync(db, "beta", OrgKind.Maintainer, Role.Viewer, cases[1], cases[3]);
        var downstream = await MemberAsync(db, "hospital", OrgKind.Downstream);

        var all = await store.ListDeadlinesAsync(Caller.Local, new DeadlineFilter(), Ct);

        // Three running cases (the fourth is disclosed, the fifth not notified), three open deadlines each.
        Assert.Equal(9, all.Total);
        Assert.Equal([cases[0], cases[1], cases[2]], all.Items.Take(3).Select(e => e.Case));
        Assert.All(all.Items.Take(3), e => Assert.Equal(DeadlineKind.Escalation, e.Deadline.Kind));
        Assert.Equal(all.Items.OrderBy(e => e.Deadline.At).Select(e => e.Deadline.At), all.Items.Select(e => e.Deadline.At));
        Assert.Equal([cases[0]], (await store.ListDeadlinesAsync(alpha, new DeadlineFilter(), Ct)).Items.Select(e => e.Case).Distinct());
        Assert.Equal([cases[1]], (await store.ListDeadlinesAsync(beta, new DeadlineFilter(), Ct)).Items.Select(e => e.Case).Distinct());
        Assert.Equal(0, (await store.ListDeadlinesAsync(downstream, new DeadlineFilter(), Ct)).Total);

        var page = await store.ListDeadlinesAsync(Caller.Local, new DeadlineFilter(Offset: 2, Limit: 3), Ct);
        Assert.Equal((9L, 2, 3), (page.Total, page.Offset, page.Limit));
        Assert.Equal(all.Items.Skip(2).Take(3), page.Items);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_deadline_that_passes_is_breached_and_the_listing_filters_by_status(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var caseId = (await CasesAsync(db, "zlib", 1))[0];
        var time = new FakeTime();
        var store = Store(db, time);
        await NotifyAsync(db, caseId, FakeTime.Start);

        time.Advance(TimeSpan.FromDays(31));
        var breached = await store.ListDeadlinesAsync(Caller.Local, new DeadlineFilter(DeadlineStatus.Breached), Ct);
        Assert.Equal(DeadlineKind.Escalation, Assert.Single(breached.Items).Deadline.Kind);
        Assert.Equal(2, (await store.ListDeadlinesAsync(Caller.Local, new DeadlineFilter(DeadlineStatus.Upcoming), Ct)).Total);

        time.Advance(TimeSpan.FromDays(54));
        Assert.Equal(2, (await store.ListDeadlinesAsync(Caller.Local, new DeadlineFilter(DeadlineStatus.DueSoon), Ct)).Total);

        time.Advance(TimeSpan.FromDays(6));
        var late = await store.ListDeadlinesAsync(Caller.Local, new DeadlineFilter(DeadlineFilter.ParseStatus("breached")), Ct);
        Assert.Equal([DeadlineKind.Escalation, DeadlineKind.PublicDisclosure, DeadlineKind.TechnicalDetails], late.Items.Select(e => e.Deadline.Kind));
        Assert.Equal(DeadlineStatus.Breached, Only((await store.GetClockAsync(Caller.Local, caseId, Ct)).Deadlines, DeadlineKind.PublicDisclosure).Status);
        Assert.Equal(DeadlineStatus.DueSoon, DeadlineFilter.ParseStatus("due-soon"));
        Assert.Contains("expected one of: upcoming, dueSoon, breached", Assert.Throws<BadInputException>(() => DeadlineFilter.ParseStatus("met")).Message);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_fix_ends_the_embargo_until_it_is_reopened_and_the_clock_facts_move_the_deadlines(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var cases = await CasesAsync(db, "zlib", 2);
        var time = new FakeTime();
        var store = Store(db, time);
        await NotifyAsync(db, cases[0], FakeTime.Start);
        await NotifyAsync(db, cases[1], FakeTime.Start);
        var maintainer = await MemberAsync(db, "alpha", OrgKind.Maintainer, Role.Admin, cases[0], cases[1]);
        time.Advance(TimeSpan.FromDays(20));

        await MoveAsync(db, cases[0], new TransitionRequest(CaseState.FixInProgress), Day(5), maintainer);
        await MoveAsync(db, cases[0], new TransitionRequest(CaseState.Fixed, FixCommit: "3f2a9c1"), Day(10), maintainer);
        var fixedClock = await store.GetClockAsync(Caller.Local, cases[0], Ct);
        Assert.Equal((Day(5), Day(10)), (fixedClock.Timeline.MaintainerFirstResponse, fixedClock.Timeline.FixLanded));
        Assert.Equal(Day(10), Only(fixedClock.Deadlines, DeadlineKind.PublicDisclosure).At);
        Assert.Equal(Day(55), Only(fixedClock.Deadlines, DeadlineKind.TechnicalDetails).At);
        Assert.DoesNotContain(fixedClock.Deadlines, d => d.Kind == DeadlineKind.Escalation);

        await MoveAsync(db, cases[0], new TransitionRequest(CaseState.FixInProgress, Reason: "the fix misses the second overflow"), Day(12), maintainer);
        var reopened = await store.GetClockAsync(Caller.Local, cases[0], Ct);
        Assert.Null(reopened.Timeline.FixLanded);
        Assert.Equal(Day(90), Only(reopened.Deadlines, DeadlineKind.PublicDisclosure).At);

        // In the wild: 7 days from detection on day 15.
        var wild = await store.RecordAsync(Caller.Local, cases[1], new ClockEntry(ClockFact.ExploitedInTheWild, At: Day(15)), Ct);
        Assert.Equal((Day(22), "7 days after exploitation in the wild was detected (2026-11-17)"),
            (Only(wild.Deadlines, DeadlineKind.PublicDisclosure).At, Only(wild.Deadlines, DeadlineKind.PublicDisclosure).Rule));
        Assert.Equal(7, wild.ExtensionDaysLeft);
        var published = await store.RecordAsync(Caller.Local, cases[1], new ClockEntry(ClockFact.DetailsPublished), Ct);
        Assert.Equal((time.GetUtcNow(), DeadlineStatus.Met), (published.Timeline.DetailsPublished, Only(published.Deadlines, DeadlineKind.TechnicalDetails).Status));

        var announced = await store.RecordAsync(maintainer, cases[1], new ClockEntry(ClockFact.FixScheduled, ScheduledFor: Day(30)), Ct);
        Assert.Equal(new ScheduledFix(Day(20), Day(30)), announced.Timeline.FixScheduled);
        await Assert.ThrowsAsync<AccessDeniedException>(() => store.RecordAsync(maintainer, cases[1], new ClockEntry(ClockFact.ExploitedInTheWild), Ct));
        await Assert.ThrowsAsync<BadInputException>(() => store.RecordAsync(maintainer, cases[1], new ClockEntry(ClockFact.FixScheduled, ScheduledFor: Day(19)), Ct));
        await Assert.ThrowsAsync<BadInputException>(() => store.RecordAsync(maintainer, cases[1], new ClockEntry(ClockFact.FixScheduled, At: Day(19), ScheduledFor: Day(30)), Ct));
        await Assert.ThrowsAsync<BadInputException>(() => store.RecordAsync(Caller.Local, cases[1], new ClockEntry(ClockFact.DetailsPublished, At: Day(21)), Ct));
        await Assert.ThrowsAsync<BadInputException>(() => store.RecordAsync(Caller.Local, cases[1], new ClockEntry(null), Ct));
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task Every_change_appends_an_audit_event_without_the_reason_and_the_chain_verifies(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var caseId = (await CasesAsync(db, "zlib", 1))[0];
        var time = new FakeTime();
        var store = Store(db, time);
        await NotifyAsync(db, caseId, FakeTime.Start);
        var maintainer = await MemberAsync(db, "alpha", OrgKind.Maintainer, Role.Admin, caseId);
        var log = new AuditLog(db, time);
        var before = (await log.VerifyAsync(ct: Ct)).Count;
        const string reason = "EMBARGOED: the overflow in inflate_fast needs a rewrite";

        await store.SetDefaultProfileAsync(Caller.Local, "project-zero", Ct);
        await store.SetProjectProfileAsync(Caller.Local, "zlib", "coordinator", Ct);
        var asked = await store.AskExtensionAsync(maintainer, caseId, 14, reason, Ct);
        await store.DecideExtensionAsync(Caller.Local, asked.Id, ExtensionVerdict.Approved, reason, caseId, Ct);
        await store.RecordAsync(maintainer, caseId, new ClockEntry(ClockFact.FixScheduled, ScheduledFor: Day(30)), Ct);
        await store.RecordAsync(Caller.Local, caseId, new ClockEntry(ClockFact.ExploitedInTheWild), Ct);
        await store.RecordAsync(Caller.Local, caseId, new ClockEntry(ClockFact.DetailsPublished), Ct);
        await store.SetProjectProfileAsync(Caller.Local, "zlib", null, Ct);
        await Assert.ThrowsAsync<AccessDeniedException>(() => store.AskExtensionAsync(Caller.Local, caseId, 7, "refused, so not recorded", Ct));

        var verification = await log.VerifyAsync(ct: Ct);
        Assert.True(verification.Intact);
        Assert.Equal(before + 8, verification.Count);
        var events = (await log.ListAsync(limit: 8, ct: Ct)).Reverse().ToList();
        Assert.Equal(
            [("disclosure-policy", "set_default_profile"), ("project:zlib", "set_disclosure_profile"), ($"case:{caseId}", "ask_extension"),
             ($"case:{caseId}", "approve_extension"), ($"case:{caseId}", "announce_scheduled_fix"), ($"case:{caseId}", "record_exploited_in_the_wild"),
             ($"case:{caseId}", "record_details_published"), ("project:zlib", "clear_disclosure_profile")],
            events.Select(e => (e.Subject, e.Action)));
        Assert.Equal((maintainer.Actor, "alpha"), (events[2].Actor, events[2].Org));
        Assert.Equal(("local", null), (events[3].Actor, events[3].Org));
        await using var connection = await db.OpenAsync(Ct);
        var payloads = await connection.QueryAsync<string>("SELECT payload FROM events");
        Assert.DoesNotContain(payloads, p => p.Contains("EMBARGOED"));
        Assert.Contains(payloads, p => p.Contains(asked.Id));
    }
}
