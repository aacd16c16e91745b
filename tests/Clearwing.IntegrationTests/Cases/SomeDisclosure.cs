using Clearwing.Access;
using Clearwing.Cases;
using Clearwing.Findings;
using Clearwing.Storage;
using Dapper;

namespace Clearwing.IntegrationTests.Cases;

/// <summary>
/// Test vocabulary for the disclosure clock: real cases from an import, members of real orgs as callers, and lifecycle
/// moves written into case_transitions as the lifecycle records them (the lifecycle's own store is not on this branch).
/// </summary>
public static class SomeDisclosure
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Imports <paramref name="count"/> results into <paramref name="project"/> and returns the ids of the cases they opened.</summary>
    public static async Task<List<string>> CasesAsync(Database db, string project, int count)
    {
        var before = (await AllCasesAsync(db)).ToHashSet();
        await new Importer(db, TimeProvider.System, new AuditLog(db, TimeProvider.System))
            .ImportAsync(new ImportRequest(project, [new ImportFile(Some.SarifLog(Some.Results(count)), "log.sarif")]), null, Ct);
        return (await AllCasesAsync(db)).Where(id => !before.Contains(id)).ToList();
    }

    static async Task<List<string>> AllCasesAsync(Database db) =>
        (await new CaseQueries(db).ListAsync(Caller.Local, new CaseFilter(Limit: 1000), Ct)).Items.Select(c => c.Id).ToList();

    /// <summary>A member of <paramref name="org"/> (created with <paramref name="kind"/> when new) as a caller, granted <paramref name="granted"/> cases.</summary>
    public static async Task<Caller> MemberAsync(Database db, string org, OrgKind kind, Role role = Role.Admin, params string[] granted)
    {
        var access = new AccessStore(db, TimeProvider.System);
        if (!(await access.ListOrgsAsync(Caller.Local, Ct)).Any(o => o.Name == org))
            await access.CreateOrgAsync(Caller.Local, org, kind, Ct);
        var login = $"{role.Name()}-{Guid.NewGuid():N}@{org}.example";
        await access.AddMemberAsync(Caller.Local, org, login, role, null, Ct);
        var grants = new GrantStore(db, TimeProvider.System);
        foreach (var caseId in granted) await grants.GrantAsync(Caller.Local, caseId, org, "owns the project", Ct);
        return (await access.MemberCallerAsync(login, Ct))!;
    }

    /// <summary>
    /// Moves the case as the lifecycle records a move: a row in case_transitions and the new state on the case.
    /// <paramref name="org"/> defaults to the coordinator.
    /// </summary>
    public static async Task MoveAsync(Database db, string caseId, string from, string to, string action, DateTimeOffset at, Caller? by = null)
    {
        by ??= Caller.Local;
        await using var connection = await db.OpenAsync(Ct);
        await connection.ExecuteAsync("""
            INSERT INTO case_transitions (case_seq, from_state, to_state, action, actor, org, org_kind, at)
            SELECT seq, @from, @to, @action, @actor, @org, @kind, @at FROM cases WHERE id = @caseId;
            UPDATE cases SET state = @to WHERE id = @caseId;
            """, new { caseId, from, to, action, actor = by.Actor, org = by.Org, kind = by.Kind.Name(), at = at.ToUnixTimeMilliseconds() });
    }

    /// <summary>Triaged, confirmed and notified at <paramref name="at"/>, by the coordinator.</summary>
    public static async Task NotifyAsync(Database db, string caseId, DateTimeOffset at)
    {
        await MoveAsync(db, caseId, "new", "triage", "triage", at - TimeSpan.FromDays(2));
        await MoveAsync(db, caseId, "triage", "confirmed", "confirm", at - TimeSpan.FromDays(1));
        await MoveAsync(db, caseId, "confirmed", "notified", "notify", at);
    }

    public static DisclosureStore Store(Database db, TimeProvider time) => new(db, new AuditLog(db, time), time);

    public static Deadline Only(IReadOnlyList<Deadline> deadlines, DeadlineKind kind) => Assert.Single(deadlines, d => d.Kind == kind);

    public static DateTimeOffset Day(int days) => Support.FakeTime.Start + TimeSpan.FromDays(days);
}
