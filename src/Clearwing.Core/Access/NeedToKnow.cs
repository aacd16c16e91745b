using System.Data.Common;
using Dapper;

namespace Clearwing.Access;

/// <summary>
/// The need-to-know rule as SQL predicates, so every store query that reads cases or findings applies it
/// in the database (a case outside it is simply not found). Each predicate reads the parameter
/// <c>@callerOrg</c>.
/// </summary>
internal static class NeedToKnow
{
    /// <summary>The case aliased <paramref name="alias"/> is visible: everything to the coordinator, granted cases to
    /// maintainers and validators, disclosed (published) cases to downstream orgs.</summary>
    public static string Case(Caller caller, string alias = "c") => caller.Kind switch
    {
        OrgKind.Coordinator => "1 = 1",
        OrgKind.Maintainer or OrgKind.Validator => Granted(alias),
        OrgKind.Downstream => $"{alias}.state = 'disclosed'",
        _ => "1 = 0",
    };

    /// <summary>
    /// <see cref="Case"/> for a query that counts over many cases: a maintainer's or validator's are read from its grants first
    /// (the condition as an EXISTS would be tried on every case).
    /// </summary>
    public static string CaseFromGrants(Caller caller, string alias = "c") => caller.Kind is OrgKind.Maintainer or OrgKind.Validator
        ? $"{alias}.seq IN (SELECT g.case_seq FROM grants g WHERE g.org_id = @callerOrg)"
        : Case(caller, alias);

    /// <summary>A finding of the case aliased <paramref name="caseAlias"/> is visible: to the coordinator, and to the orgs the
    /// case is granted to (a validator's grant is exactly for these findings). Downstream orgs see advisories, not findings.</summary>
    public static string Finding(Caller caller, string caseAlias = "c") => caller.Kind switch
    {
        OrgKind.Coordinator => "1 = 1",
        OrgKind.Maintainer or OrgKind.Validator => Granted(caseAlias),
        _ => "1 = 0",
    };

    /// <summary>Whether the caller, shown a case, may also see its findings (what they are, where, which import found them).</summary>
    public static bool SeesFindingsOfVisibleCases(Caller caller) => caller.Kind is OrgKind.Coordinator or OrgKind.Maintainer or OrgKind.Validator;

    static string Granted(string alias) => $"EXISTS (SELECT 1 FROM grants g WHERE g.case_seq = {alias}.seq AND g.org_id = @callerOrg)";

    /// <summary>For a caller who sees only the cases granted to its org: the keys of those cases (a query over <c>grants g</c>), from
    /// which a listing may start when they are few; null for the others.</summary>
    public static string? GrantedCases(Caller caller) => caller.Kind is OrgKind.Maintainer or OrgKind.Validator
        ? "SELECT g.case_seq FROM grants g WHERE g.org_id = @callerOrg"
        : null;

    /// <summary>The case's row number when the caller may see it; otherwise "not found", as if it did not exist.</summary>
    public static async Task<long> VisibleCaseAsync(DbConnection connection, DbTransaction? tx, Caller caller, string caseId) =>
        await connection.ExecuteScalarAsync<long?>(
            $"SELECT c.seq FROM cases c WHERE c.id = @caseId AND {Case(caller)}", new { caseId, callerOrg = caller.OrgId }, tx)
        ?? throw new NotFoundException($"No case {caseId}.");
}
