using System.Data.Common;
using Clearwing.Access;
using Clearwing.Storage;
using Dapper;

namespace Clearwing.Cases;

/// <summary>One stored lifecycle move of a case.</summary>
public sealed record CaseTransition(
    string Case, CaseState From, CaseState To, string Action, string Actor, string Org,
    string? Reason, string? Rejection, string? DuplicateOf, string? FixCommit, string? FixedVersion, DateTimeOffset At,
    string? Evidence = null);

/// <summary>A move the lifecycle refuses: the message names the moves allowed from here.</summary>
internal sealed class TransitionRefusedException(TransitionDecision.Refused refusal) : ClearwingException(KindOf(refusal), refusal.Message)
{
    public TransitionDecision.Refused Refusal { get; } = refusal;

    public override IReadOnlyDictionary<string, object?> Details => new Dictionary<string, object?>
    {
        ["allowed"] = Refusal.AllowedFromHere.Select(edge => new { action = edge.Action, to = Lifecycle.Name(edge.To) }).ToList(),
    };

    /// <summary>Not permitted for this caller: forbidden; no such move from here: conflict; a detail missing or misplaced: bad input.</summary>
    static ErrorKind KindOf(TransitionDecision.Refused refusal) => refusal.Kind switch
    {
        RefusalKind.NotPermitted => ErrorKind.Forbidden,
        RefusalKind.NoSuchMove => ErrorKind.Conflict,
        _ => ErrorKind.BadInput,
    };
}

/// <summary>The detail of a <see cref="CaseAspect.State"/> change: the case and its move.</summary>
internal sealed record CaseMoved(string Case, CaseState From, CaseState To);

/// <summary>
/// Moves cases through their lifecycle (<see cref="Lifecycle"/> decides; this stores). A move happens in one transaction
/// with its audit event and raises <see cref="CaseAspect.State"/>: what follows a move (the commitment made on
/// confirmation and revealed on disclosure, the priority) subscribes to that. Cases outside the caller's need-to-know are not found.
/// </summary>
public sealed class CaseLifecycle(Database db, TimeProvider time, AuditLog audit, CaseChanges changes)
{
    public async Task<CaseTransition> TransitionAsync(Caller caller, string caseId, TransitionRequest request, CancellationToken ct = default)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await db.BeginAsync(connection, ct);
        var moved = await MoveAsync(connection, tx, caller, caseId, request, null, null, ct);
        await tx.CommitAsync(ct);
        return moved;
    }

    /// <summary>
    /// Moves a case inside the caller's transaction: validation confirms a case, verifies a fix or reopens it in the transaction
    /// that stores the run it rests on (<paramref name="evidence"/>, the run's id). A move to fix verified records
    /// <paramref name="verification"/> ("reproducer", "rescan"), or "person" without one.
    /// </summary>
    internal async Task<CaseTransition> MoveAsync(DbConnection connection, DbTransaction tx, Caller caller, string caseId,
        TransitionRequest request, string? evidence, string? verification, CancellationToken ct)
    {
        // The row lock (PostgreSQL) makes concurrent moves of one case take turns; SQLite's writer lock already does.
        var current = await connection.QuerySingleOrDefaultAsync<(long Seq, string State, string? MergedInto)>(
            $"SELECT c.seq, c.state, c.merged_into FROM cases c WHERE c.id = @caseId AND {NeedToKnow.Case(caller)} " +
            $"{(db.Engine == Engine.Postgres ? "FOR UPDATE" : "")}",
            new { caseId, callerOrg = caller.OrgId }, tx);
        if (current.State is null) throw new NotFoundException($"No case {caseId}.");
        if (current.MergedInto is not null)
            throw new BadInputException($"Case {caseId} was merged into {current.MergedInto}; move that case instead.");
        if (!Lifecycle.TryParseState(current.State, out var state))
            throw new InvalidOperationException($"Case {caseId} has the unknown state '{current.State}'.");

        var transition = Lifecycle.Decide(state, request, new OrgRole(caller.Kind, caller.Role)) switch
        {
            TransitionDecision.Accepted a => a.Transition,
            TransitionDecision.Refused r => throw new TransitionRefusedException(r),
            var other => throw new InvalidOperationException($"Unexpected decision {other}."),
        };
        if (transition.DuplicateOf is { } duplicate &&
            (duplicate == caseId || await connection.ExecuteScalarAsync<long?>(
                $"SELECT c.seq FROM cases c WHERE c.id = @duplicate AND {NeedToKnow.Case(caller)}", new { duplicate, callerOrg = caller.OrgId },
                tx) is null))
            throw new BadInputException($"--duplicate-of {duplicate}: no other case with that id.");

        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var row = new
        {
            caseSeq = current.Seq, from = Lifecycle.Name(transition.From), to = Lifecycle.Name(transition.To), action = transition.Action,
            actor = caller.Actor, org = caller.Org, orgKind = caller.Kind.Name(), reason = transition.Reason,
            rejection = transition.Rejection is { } rj ? Lifecycle.Name(rj) : null, duplicateOf = transition.DuplicateOf,
            fixCommit = transition.FixCommit, fixedVersion = transition.FixedVersion, now, evidence,
            verification = transition.To == CaseState.FixVerified ? verification ?? "person" : null,
        };
        // The overview's counts follow the move (OverviewTally), before anything that follows it moves the case again.
        var counted = await OverviewTally.BeginAsync(connection, tx, db.Engine, CaseSet.One(current.Seq).Where, null, ct);
        // A verified fix keeps how it was verified through disclosure; a reopened one loses it.
        await connection.ExecuteAsync(
            """
            UPDATE cases SET state = @to,
                fix_verification = CASE WHEN @to = 'fix_verified' THEN @verification WHEN @to = 'disclosed' THEN fix_verification END
            WHERE seq = @caseSeq
            """, row, tx);
        // The move ends the case's stay in the state it leaves, which began with the move before (or when the case was opened).
        await connection.ExecuteAsync(
            """
            INSERT INTO case_transitions (case_seq, from_state, to_state, action, actor, org, org_kind, reason, rejection, duplicate_of,
                                          fix_commit, fixed_version, at, evidence, entered_at)
            VALUES (@caseSeq, @from, @to, @action, @actor, @org, @orgKind, @reason, @rejection, @duplicateOf, @fixCommit, @fixedVersion, @now,
                    @evidence, coalesce((SELECT p.at FROM case_transitions p WHERE p.case_seq = @caseSeq ORDER BY p.id DESC LIMIT 1),
                                        (SELECT c.created_at FROM cases c WHERE c.seq = @caseSeq)))
            """, row, tx);
        await counted.EndAsync(ct);

        // The move's event names the commitment its confirmation made (the commitment follows the move through the hook).
        const string Committed = "SELECT digest FROM commitments WHERE case_id = @caseId";
        var confirming = transition.To == CaseState.Confirmed && await connection.ExecuteScalarAsync<string?>(Committed, new { caseId }, tx) is null;
        await changes.RaiseAsync(connection, tx, now,
            new CaseChanged(CaseAspect.State, CaseSet.One(current.Seq), new CaseMoved(caseId, transition.From, transition.To)), ct);
        var digest = confirming ? await connection.ExecuteScalarAsync<string?>(Committed, new { caseId }, tx) : null;

        // The reason and the fix's commit and version stay in case_transitions; the event carries their digests (docs/audit.md).
        await audit.AppendAsync(connection, tx, AuditEntry.By(caller, $"case:{caseId}", "transition", new
        {
            row.from, row.to, row.action, reasonHash = AuditHash.Text(row.reason), row.rejection, row.duplicateOf,
            fixHash = AuditHash.Text(row.fixCommit, row.fixedVersion), commitment = digest, evidence,
        }), ct);
        return new CaseTransition(caseId, transition.From, transition.To, row.action, row.actor, row.org, row.reason, row.rejection, row.duplicateOf,
            row.fixCommit, row.fixedVersion, DateTimeOffset.FromUnixTimeMilliseconds(now), evidence);
    }

    /// <summary>A case's moves, oldest first.</summary>
    public async Task<IReadOnlyList<CaseTransition>> HistoryAsync(Caller caller, string caseId, CancellationToken ct = default)
    {
        await using var connection = await db.OpenAsync(ct);
        var seq = await NeedToKnow.VisibleCaseAsync(connection, null, caller, caseId);
        var rows = await connection.QueryAsync<TransitionRow>(
            """
            SELECT from_state, to_state, action, actor, org, reason, rejection, duplicate_of, fix_commit, fixed_version, at, evidence
            FROM case_transitions WHERE case_seq = @seq ORDER BY id
            """, new { seq });
        // Validators and downstream orgs see where the case went and when, not who said what: the reasons and
        // the people are the coordinator's and maintainers' discussion.
        var full = caller.Kind is OrgKind.Coordinator or OrgKind.Maintainer;
        return rows.Select(r => new CaseTransition(caseId, Lifecycle.Stored(r.from_state), Lifecycle.Stored(r.to_state), r.action,
                full ? r.actor : r.org, r.org, full ? r.reason : null, r.rejection, r.duplicate_of, full ? r.fix_commit : null,
                full ? r.fixed_version : null, DateTimeOffset.FromUnixTimeMilliseconds(r.at), r.evidence))
            .ToList();
    }

    sealed record TransitionRow(string from_state, string to_state, string action, string actor, string org, string? reason, string? rejection,
        string? duplicate_of, string? fix_commit, string? fixed_version, long at, string? evidence);
}
