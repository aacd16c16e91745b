using Clearwing.Access;
using Clearwing.Cases;
using Clearwing.Findings;
using Clearwing.IntegrationTests.Support;
using Clearwing.Storage;

namespace Clearwing.IntegrationTests.Cases;

/// <summary>
/// Test vocabulary for the disclosure clock: real cases from an import, members of real orgs as callers, and moves
/// made through the lifecycle at the instants a test names.
/// </summary>
public static class SomeDisclosure
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Imports <paramref name="count"/> results into <paramref name="project"/> and returns the ids of the cases they opened.</summary>
    public static async Task<List<string>> CasesAsync(Database db, string project, int count)
    {
        var before = (await AllCasesAsync(db)).ToHashSet();
        await Support.Wired.For(db).Get<Importer>()
            .ImportAsync(new ImportRequest(project, [new ImportFile(Some.SarifLog(Some.Results(count)), "log.sarif")]), null, Ct);
        return (await AllCasesAsync(db)).Where(id => !before.Contains(id)).ToList();
    }

    static async Task<List<string>> AllCasesAsync(Database db) =>
        (await Wired.For(db).Get<Clearwing.Cases.CaseQueries>().ListAsync(Caller.Local, new CaseFilter(Limit: 1000), Ct)).Items.Select(c => c.Id).ToList();

    /// <summary>A member of <paramref name="org"/> (created with <paramref name="kind"/> when new) as a caller, granted <paramref name="granted"/> cases.</summary>
    public static async Task<Caller> MemberAsync(Database db, string org, OrgKind kind, Role role = Role.Admin, params string[] granted)
    {
        var access = new Clearwing.IntegrationTests.Access.AccessStores(Wired.For(db));
        if (!(await access.ListOrgsAsync(Caller.Local, Ct)).Any(o => o.Name == org))
            await access.CreateOrgAsync(Caller.Local, org, kind, Ct);
        var login = $"{role.Name()}-{Guid.NewGuid():N}@{org}.example";
        await access.AddMemberAsync(Caller.Local, org, login, role, null, Ct);
        var grants = Wired.For(db).Get<GrantStore>();
        foreach (var caseId in granted) await grants.GrantAsync(Caller.Local, caseId, org, "owns the project", Ct);
        return (await access.MemberCallerAsync(login, Ct))!;
    }

    /// <summary>Moves the case through the lifecycle as <paramref name="by"/> (the coordinator by default), at <paramref name="at"/>.</summary>
    public static async Task MoveAsync(Database db, string caseId, TransitionRequest request, DateTimeOffset at, Caller? by = null)
    {
        var time = new Instant(at);
        await Support.Wired.For(db, time).Get<CaseLifecycle>().TransitionAsync(by ?? Caller.Local, caseId, request, Ct);
    }

    /// <summary>Triaged, confirmed and notified by the coordinator, notified at <paramref name="at"/>.</summary>
    public static async Task NotifyAsync(Database db, string caseId, DateTimeOffset at)
    {
        await MoveAsync(db, caseId, new TransitionRequest(CaseState.Triage), at - TimeSpan.FromDays(2));
        await MoveAsync(db, caseId, new TransitionRequest(CaseState.Confirmed), at - TimeSpan.FromDays(1));
        await MoveAsync(db, caseId, new TransitionRequest(CaseState.Notified), at);
    }

    /// <summary>A clock that reads one instant: each move happens when the test says.</summary>
    sealed class Instant(DateTimeOffset at) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => at;
    }

    /// <summary>The disclosure stores (clocks, extensions, policy) as the hosts wire them, on <paramref name="time"/>.</summary>
    public static DisclosureStores Store(Database db, TimeProvider time) => new(Support.Wired.For(db, time));

    public static Deadline Only(IReadOnlyList<Deadline> deadlines, DeadlineKind kind) => Assert.Single(deadlines, d => d.Kind == kind);

    public static DateTimeOffset Day(int days) => Support.FakeTime.Start + TimeSpan.FromDays(days);
}

/// <summary>The three disclosure stores behind one name, so a test reads as the story it tells (a policy, a request, a clock).</summary>
public sealed class DisclosureStores(IServiceProvider services)
{
    public ClockStore Clocks { get; } = services.Get<ClockStore>();
    public ExtensionStore Extensions { get; } = services.Get<ExtensionStore>();
    public DisclosurePolicyStore Policy { get; } = services.Get<DisclosurePolicyStore>();

    public Task<CaseClock> GetClockAsync(Caller caller, string caseId, CancellationToken ct) => Clocks.GetClockAsync(caller, caseId, ct);
    public Task<CaseClock> RecordAsync(Caller caller, string caseId, ClockEntry entry, CancellationToken ct) => Clocks.RecordAsync(caller, caseId, entry, ct);
    public Task<Page<DeadlineEntry>> ListDeadlinesAsync(Caller caller, DeadlineFilter filter, CancellationToken ct) =>
        Clocks.ListDeadlinesAsync(caller, filter, ct);
    public Task<CaseExtension> AskExtensionAsync(Caller caller, string caseId, int days, string reason, CancellationToken ct) =>
        Extensions.AskExtensionAsync(caller, caseId, days, reason, ct);
    public Task<CaseExtension> DecideExtensionAsync(
        Caller caller, string extensionId, ExtensionVerdict verdict, string? note, string? caseId = null, CancellationToken ct = default) =>
        Extensions.DecideExtensionAsync(caller, extensionId, verdict, note, caseId, ct);
    public Task<IReadOnlyList<CaseExtension>> ListExtensionsAsync(Caller caller, string caseId, CancellationToken ct) =>
        Extensions.ListExtensionsAsync(caller, caseId, ct);
    public Task<DisclosurePolicySettings> GetPolicyAsync(Caller caller, CancellationToken ct) => Policy.GetPolicyAsync(caller, ct);
    public Task<DisclosurePolicySettings> SetDefaultProfileAsync(Caller caller, string profile, CancellationToken ct) =>
        Policy.SetDefaultProfileAsync(caller, profile, ct);
    public Task<DisclosurePolicySettings> SetProjectProfileAsync(Caller caller, string project, string? profile, CancellationToken ct) =>
        Policy.SetProjectProfileAsync(caller, project, profile, ct);
}
