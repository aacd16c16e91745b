using System.Data.Common;
using Clearwing.Storage;
using Dapper;

namespace Clearwing.Access;

/// <summary>One org's need-to-know on one case: "full" for a maintainer, "validation" for a validator.</summary>
public sealed record GrantInfo(string Case, string Org, OrgKind Kind, string Access, string GrantedBy, string Reason, DateTimeOffset GrantedAt);

/// <summary>The detail of a <see cref="CaseAspect.Grants"/> change: the org whose grant on the case was given or revoked.</summary>
internal sealed record GrantChanged(long CaseSeq, long OrgId, bool Given);

/// <summary>
/// Grants: the coordinator gives an org need-to-know on a case, by hand for now (routing will give them when
/// a case is sent to one of the org's projects). Only the coordinator's admins and triagers grant, revoke
/// and list grants; a case outside the caller's sight is "not found". A grant given or revoked raises
/// <see cref="CaseAspect.Grants"/> (the overview counts cases per org).
/// </summary>
public sealed class GrantStore(Database db, AuditLog audit, TimeProvider time, CaseChanges changes)
{
    public async Task<GrantInfo> GrantAsync(Caller caller, string caseId, string org, string reason, CancellationToken ct = default)
    {
        caller.RequireCoordinatorWriter("grant need-to-know");
        if (string.IsNullOrWhiteSpace(reason)) throw new BadInputException("A grant needs a reason (it is recorded).");
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await db.BeginAsync(connection, ct);
        var caseSeq = await connection.ExecuteScalarAsync<long?>("SELECT seq FROM cases WHERE id = @caseId", new { caseId }, tx)
            ?? throw new NotFoundException($"No case {caseId}.");
        var granted = await GiveAsync(connection, tx, caller, caseSeq, caseId, org, reason, ct)
            ?? throw new BadInputException($"Org '{org}' already has a grant on case {caseId}.");
        await tx.CommitAsync(ct);
        return granted;
    }

    /// <summary>
    /// Gives <paramref name="org"/> need-to-know of the case in the caller's transaction, with the case change and the audit event;
    /// null when the org already has it. Access is the caller's to check.
    /// </summary>
    internal async Task<GrantInfo?> GiveAsync(DbConnection connection, DbTransaction tx, Caller caller, long caseSeq, string caseId,
        string org, string reason, CancellationToken ct)
    {
        var target = await connection.QuerySingleOrDefaultAsync<(long Id, string Kind)>(
            "SELECT id, kind FROM orgs WHERE name = @org", new { org }, tx);
        if (target.Kind is null) throw new NotFoundException($"No org '{org}'.");
        var kind = AccessNames.ParseKind(target.Kind);
        var access = kind switch
        {
            OrgKind.Maintainer => "full",
            OrgKind.Validator => "validation",
            _ => throw new BadInputException($"Org '{org}' is a {kind.Name()} org: grants go to maintainer and validator orgs " +
                "(the coordinator sees every case; downstream orgs see published advisories)."),
        };
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var added = await connection.ExecuteAsync(
            """
            INSERT INTO grants (case_seq, org_id, access, granted_by, reason, granted_at)
            VALUES (@caseSeq, @orgId, @access, @actor, @reason, @now)
            ON CONFLICT (case_seq, org_id) DO NOTHING
            """, new { caseSeq, orgId = target.Id, access, actor = caller.Actor, reason = reason.Trim(), now }, tx);
        if (added == 0) return null;
        await changes.RaiseAsync(connection, tx, now,
            new CaseChanged(CaseAspect.Grants, CaseSet.One(caseSeq), new GrantChanged(caseSeq, target.Id, Given: true)), ct);
        await audit.AppendAsync(connection, tx,
            AuditEntry.By(caller, $"case:{caseId}", "grant", new { org, access, reasonHash = AuditHash.Text(reason.Trim()) }), ct);
        return new GrantInfo(caseId, org, kind, access, caller.Actor, reason.Trim(), DateTimeOffset.FromUnixTimeMilliseconds(now));
    }

    public async Task RevokeAsync(Caller caller, string caseId, string org, CancellationToken ct = default)
    {
        caller.RequireCoordinatorWriter("revoke need-to-know");
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await db.BeginAsync(connection, ct);
        var grant = await connection.QuerySingleOrDefaultAsync<(long CaseSeq, long OrgId)?>(
            """
            DELETE FROM grants
            WHERE case_seq = (SELECT seq FROM cases WHERE id = @caseId) AND org_id = (SELECT id FROM orgs WHERE name = @org)
            RETURNING case_seq, org_id
            """, new { caseId, org }, tx)
            ?? throw new NotFoundException($"Org '{org}' has no grant on case {caseId}.");
        await changes.RaiseAsync(connection, tx, time.GetUtcNow().ToUnixTimeMilliseconds(),
            new CaseChanged(CaseAspect.Grants, CaseSet.One(grant.CaseSeq), new GrantChanged(grant.CaseSeq, grant.OrgId, Given: false)), ct);
        await audit.AppendAsync(connection, tx, AuditEntry.By(caller, $"case:{caseId}", "revoke-grant", new { org }), ct);
        await tx.CommitAsync(ct);
    }

    public async Task<IReadOnlyList<GrantInfo>> ListAsync(Caller caller, string caseId, CancellationToken ct = default)
    {
        if (!caller.IsCoordinator) throw new NotFoundException($"No case {caseId}.");
        await using var connection = await db.OpenAsync(ct);
        if (await connection.ExecuteScalarAsync<long?>("SELECT seq FROM cases WHERE id = @caseId", new { caseId }) is null)
            throw new NotFoundException($"No case {caseId}.");
        var rows = await connection.QueryAsync<(string Org, string Kind, string Access, string GrantedBy, string Reason, long GrantedAt)>(
            """
            SELECT o.name, o.kind, g.access, g.granted_by, g.reason, g.granted_at
            FROM grants g JOIN orgs o ON o.id = g.org_id JOIN cases c ON c.seq = g.case_seq
            WHERE c.id = @caseId ORDER BY g.granted_at, o.name
            """, new { caseId });
        return rows.Select(r => new GrantInfo(caseId, r.Org, AccessNames.ParseKind(r.Kind), r.Access, r.GrantedBy, r.Reason,
            DateTimeOffset.FromUnixTimeMilliseconds(r.GrantedAt))).ToList();
    }
}
