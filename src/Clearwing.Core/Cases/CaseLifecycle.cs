using System.Data.Common;
using System.Text.Json;
using Clearwing.Access;
using Clearwing.Disclosure;
using Clearwing.Scoring;
using Clearwing.Storage;
using Dapper;

namespace Clearwing.Cases;

/// <summary>One stored lifecycle move of a case.</summary>
public sealed record CaseTransition(
    string Case, string From, string To, string Action, string Actor, string Org,
    string? Reason, string? Rejection, string? DuplicateOf, string? FixCommit, string? FixedVersion, DateTimeOffset At);

/// <summary>A move the lifecycle refuses: the message names the moves allowed from here.</summary>
public sealed class TransitionRefusedException(TransitionDecision.Refused refusal) : ClearwingException(KindOf(refusal), refusal.Message)
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

/// <summary>
/// Moves cases through their lifecycle (<see cref="Lifecycle"/> decides; this stores). A move happens in
/// one transaction with its audit event; confirming commits to the case's report (a published digest,
/// <see cref="CommitmentStore"/>), disclosing reveals it. Cases outside the caller's need-to-know are not found.
/// </summary>
public sealed class CaseLifecycle(Database db, TimeProvider time, AuditLog audit, CommitmentStore commitments)
{
    /// <summary>How many findings the committed report lists; the rest are counted.</summary>
    const int ReportFindings = 100;

    public async Task<CaseTransition> TransitionAsync(Caller caller, string caseId, TransitionRequest request, CancellationToken ct = default)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await db.BeginAsync(connection, ct);
        // The row lock (PostgreSQL) makes concurrent moves of one case take turns; SQLite's writer lock already does.
        var current = await connection.QuerySingleOrDefaultAsync<(long Seq, string State, string? MergedInto)>(
            $"SELECT c.seq, c.state, c.merged_into FROM cases c WHERE c.id = @caseId AND {NeedToKnow.Case(caller)} {(db.Engine == Engine.Postgres ? "FOR UPDATE" : "")}",
            new { caseId, callerOrg = caller.OrgId }, tx);
        if (current.State is null) throw new NotFoundException($"No case {caseId}.");
        if (current.MergedInto is not null) throw new BadInputException($"Case {caseId} was merged into {current.MergedInto}; move that case instead.");
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
                $"SELECT c.seq FROM cases c WHERE c.id = @duplicate AND {NeedToKnow.Case(caller)}", new { duplicate, callerOrg = caller.OrgId }, tx) is null))
            throw new BadInputException($"--duplicate-of {duplicate}: no other case with that id.");

        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var row = new
        {
            caseSeq = current.Seq, from = Lifecycle.Name(transition.From), to = Lifecycle.Name(transition.To), action = transition.Action,
            actor = caller.Actor, org = caller.Org, orgKind = caller.Kind.Name(), reason = transition.Reason,
            rejection = transition.Rejection is { } rj ? Lifecycle.Name(rj) : null, duplicateOf = transition.DuplicateOf,
            fixCommit = transition.FixCommit, fixedVersion = transition.FixedVersion, now,
        };
        await connection.ExecuteAsync("UPDATE cases SET state = @to WHERE seq = @caseSeq", row, tx);
        await PriorityStore.MarkStaleAsync(connection, tx, current.Seq);
        await connection.ExecuteAsync(
            """
            INSERT INTO case_transitions (case_seq, from_state, to_state, action, actor, org, org_kind, reason, rejection, duplicate_of, fix_commit, fixed_version, at)
            VALUES (@caseSeq, @from, @to, @action, @actor, @org, @orgKind, @reason, @rejection, @duplicateOf, @fixCommit, @fixedVersion, @now)
            """, row, tx);

        string? digest = null;
        if (transition.To == CaseState.Confirmed &&
            await connection.ExecuteScalarAsync<long?>("SELECT 1 FROM commitments WHERE case_id = @caseId", new { caseId }, tx) is null)
            digest = (await commitments.CommitAsync(connection, tx, caseId, await ReportAsync(connection, tx, current.Seq, caseId, ct), ct)).Digest;
        if (transition.To == CaseState.Disclosed) await commitments.RevealAsync(connection, tx, caseId, ct);

        await audit.AppendAsync(connection, tx, AuditEntry.By(caller, $"case:{caseId}", "transition", new
        {
            row.from, row.to, row.action, row.reason, row.rejection, row.duplicateOf, row.fixCommit, row.fixedVersion, commitment = digest,
        }), ct);
        await tx.CommitAsync(ct);
        return new CaseTransition(caseId, row.from, row.to, row.action, row.actor, row.org, row.reason, row.rejection, row.duplicateOf,
            row.fixCommit, row.fixedVersion, DateTimeOffset.FromUnixTimeMilliseconds(now));
    }

    /// <summary>A case's moves, oldest first.</summary>
    public async Task<IReadOnlyList<CaseTransition>> HistoryAsync(Caller caller, string caseId, CancellationToken ct = default)
    {
        await using var connection = await db.OpenAsync(ct);
        var seq = await NeedToKnow.VisibleCaseAsync(connection, null, caller, caseId);
        var rows = await connection.QueryAsync<TransitionRow>(
            """
            SELECT from_state, to_state, action, actor, org, reason, rejection, duplicate_of, fix_commit, fixed_version, at
            FROM case_transitions WHERE case_seq = @seq ORDER BY id
            """, new { seq });
        // Validators and downstream orgs see where the case went and when, not who said what: the reasons and
        // the people are the coordinator's and maintainers' discussion.
        var full = caller.Kind is OrgKind.Coordinator or OrgKind.Maintainer;
        return rows.Select(r => new CaseTransition(caseId, r.from_state, r.to_state, r.action, full ? r.actor : r.org, r.org, full ? r.reason : null,
            r.rejection, r.duplicate_of, full ? r.fix_commit : null, full ? r.fixed_version : null, DateTimeOffset.FromUnixTimeMilliseconds(r.at))).ToList();
    }

    /// <summary>
    /// The report a confirmation commits to: what the case is and the findings behind it, as the store holds
    /// them at that moment. Its canonical form is what the digest covers.
    /// </summary>
    static async Task<JsonElement> ReportAsync(DbConnection connection, DbTransaction tx, long caseSeq, string caseId, CancellationToken ct)
    {
        var head = await connection.QuerySingleAsync<(string Project, string Title, long Severity, long Findings, long FirstSeen)>(
            "SELECT p.name, c.title, c.max_severity, c.finding_count, c.first_seen FROM cases c JOIN projects p ON p.id = c.project_id WHERE c.seq = @caseSeq",
            new { caseSeq }, tx);
        var findings = await connection.QueryAsync<(string Tool, string RuleId, string? Cwe, string? Path, long? StartLine, string? Function, string Message, string? Cvss, string Revision)>(
            $"""
            SELECT f.tool, f.rule_id, f.cwe, f.path, f.start_line, f.function, f.message, f.cvss_vector, f.revision
            FROM findings f JOIN fingerprints x ON x.id = f.fingerprint_id
            WHERE x.case_seq = @caseSeq
            ORDER BY f.import_seq, f.ordinal
            LIMIT {ReportFindings}
            """, new { caseSeq }, tx);
        var report = new
        {
            @case = caseId, project = head.Project, title = head.Title, highestSeverity = ((Findings.ReportedSeverity)head.Severity).ToString().ToLowerInvariant(),
            firstSeen = DateTimeOffset.FromUnixTimeMilliseconds(head.FirstSeen).ToString("O"), findingCount = head.Findings,
            findings = findings.Select(f => new { tool = f.Tool, rule = f.RuleId, cwe = f.Cwe, path = f.Path, line = f.StartLine, function = f.Function, message = f.Message, cvss = f.Cvss, revision = f.Revision }),
        };
        ct.ThrowIfCancellationRequested();
        return JsonSerializer.SerializeToElement(report);
    }

    sealed record TransitionRow(string from_state, string to_state, string action, string actor, string org, string? reason, string? rejection,
        string? duplicate_of, string? fix_commit, string? fixed_version, long at);
}
