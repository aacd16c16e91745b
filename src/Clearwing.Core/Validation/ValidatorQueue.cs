using Clearwing.Access;
using Clearwing.Cases;
using Clearwing.Scoring;
using Clearwing.Storage;
using Dapper;

namespace Clearwing.Validation;

/// <summary>
/// A case awaiting validation, where the queue ranks it: its priority score weighed by <see cref="Weight"/>, the highest trust
/// multiplier among the finders that reported it (<see cref="Finder"/>, docs/trust.md). <see cref="Validation"/> is the verdict of
/// its latest validation run, null before one finished.
/// </summary>
public sealed record QueueEntry(CaseSummary Case, double Weight, int WeightedScore, string? Finder, string? Validation);

/// <summary>A validator's decision: confirm, or reject with a kind; a reason; a corrected CVSS vector, which the case takes first.</summary>
public sealed record QueueDecision(bool Confirm, Rejection? Rejection, string? Reason, string? Cvss = null, string? DuplicateOf = null);

/// <summary>
/// The validator queue (docs/validation.md, "The validator queue"): the cases awaiting validation that the caller may decide — for
/// the coordinator every new and triaged case, for a validator org the triaged cases granted to it — in order of their priority
/// weighed by their finders' trust, so a finder that sprays guesses loses its place. A decision confirms or rejects with a
/// reason, optionally correcting the severity, in one transaction; a confirmation rests on the case's latest reproducing run
/// when it has one.
/// </summary>
public sealed class ValidatorQueue(Database db, CaseQueries cases, FinderTrustStore trust, CaseLifecycle lifecycle, CaseCvss cvss)
{
    public const int MaxLimit = 1000;

    public async Task<Page<QueueEntry>> ListAsync(Caller caller, int offset = 0, int limit = 100, CancellationToken ct = default)
    {
        RequireValidatorOrCoordinator(caller);
        limit = Paging.Limit(limit, MaxLimit);
        offset = Math.Max(offset, 0);
        // Validators confirm and reject from triage; a new case is the coordinator's to triage first.
        var candidates = await cases.ListWhereAsync(caller, caller.IsCoordinator ? "c.state IN ('new', 'triage')" : "c.state = 'triage'", ct);
        if (candidates.Count == 0) return new Page<QueueEntry>([], 0, offset, limit);

        var reports = await trust.ReportsAsync(ct);
        var multipliers = reports.GroupBy(r => (r.Tool, r.Model)).ToDictionary(g => g.Key, g =>
        {
            long right = g.LongCount(r => r.Standing == FinderTrustStore.Standing.Confirmed);
            long wrong = g.LongCount(r => r.Standing == FinderTrustStore.Standing.Rejected);
            return FinderTrustStore.Multiplier(FinderTrustStore.Accuracy(right, wrong));
        });
        var best = reports.GroupBy(r => r.CaseSeq).ToDictionary(g => g.Key,
            g => g.Select(r => (Finder: r.Model is null ? r.Tool : $"{r.Tool} ({r.Model})", Weight: multipliers[(r.Tool, r.Model)]))
                .OrderByDescending(f => f.Weight).ThenBy(f => f.Finder, StringComparer.Ordinal).First());
        var verdicts = await LatestVerdictsAsync(ct);

        var ranked = candidates.Select(c =>
            {
                var (finder, weight) = best.TryGetValue(c.Seq, out var b) ? b : (null, FinderTrustStore.Multiplier(FinderTrustStore.Accuracy(0, 0)));
                return new QueueEntry(c.Case, weight, (int)Math.Round(c.Case.Priority.Score * weight), finder, verdicts.GetValueOrDefault(c.Seq));
            })
            .OrderByDescending(e => e.WeightedScore).ThenByDescending(e => e.Case.Priority.Score).ThenBy(e => e.Case.FirstSeen)
            .ThenBy(e => e.Case.Id, StringComparer.Ordinal)
            .ToList();
        return new Page<QueueEntry>(ranked.Skip(offset).Take(limit).ToList(), ranked.Count, offset, limit);
    }

    /// <summary>
    /// Confirms or rejects a case from the queue. The coordinator may decide a new case (it is triaged first); a validator a
    /// triaged case granted to it. With <see cref="QueueDecision.Cvss"/> the case's vector is set in the same transaction.
    /// </summary>
    public async Task<CaseTransition> DecideAsync(Caller caller, string caseId, QueueDecision decision, CancellationToken ct = default)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await db.BeginAsync(connection, ct);
        var seq = await NeedToKnow.VisibleCaseAsync(connection, tx, caller, caseId);
        RequireValidatorOrCoordinator(caller);
        if (decision.Confirm == decision.Rejection is not null)
            throw new BadInputException(
                "A decision confirms, or rejects with a kind (false_positive, duplicate, out_of_scope, wont_fix): one of them.");
        if (string.IsNullOrWhiteSpace(decision.Reason))
            throw new BadInputException("A decision needs its reason: what the validation showed.");
        var state = await connection.ExecuteScalarAsync<string>(new CommandDefinition(
            "SELECT state FROM cases WHERE seq = @seq", new { seq }, tx, cancellationToken: ct));
        if (decision.Cvss is { } vector) await cvss.SetAsync(connection, tx, caller, seq, caseId, vector, decision.Reason, ct);
        if (state == "new" && caller.IsCoordinator)
            await lifecycle.MoveAsync(connection, tx, caller, caseId, new TransitionRequest(CaseState.Triage), null, null, ct);
        // A confirmation rests on the run that reproduced the flaw, when one did.
        var evidence = decision.Confirm
            ? await connection.ExecuteScalarAsync<string?>(new CommandDefinition("""
                SELECT id FROM validation_runs WHERE case_seq = @seq AND state = 'done' AND verdict = 'reproduced'
                ORDER BY finished_at DESC, id LIMIT 1
                """, new { seq }, tx, cancellationToken: ct))
            : null;
        var moved = await lifecycle.MoveAsync(connection, tx, caller, caseId, decision.Confirm
                ? new TransitionRequest(CaseState.Confirmed, decision.Reason)
                : new TransitionRequest(CaseState.Rejected, decision.Reason, decision.Rejection, decision.DuplicateOf),
            evidence, null, ct);
        await tx.CommitAsync(ct);
        return moved;
    }

    /// <summary>The verdict of each case's latest finished validation run.</summary>
    async Task<Dictionary<long, string>> LatestVerdictsAsync(CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        var rows = await connection.QueryAsync<(long Seq, string Verdict)>(new CommandDefinition("""
            SELECT v.case_seq, v.verdict FROM validation_runs v
            WHERE v.state = 'done' AND v.purpose = 'validate'
              AND v.finished_at = (SELECT max(w.finished_at) FROM validation_runs w
                                   WHERE w.case_seq = v.case_seq AND w.state = 'done' AND w.purpose = 'validate')
            """, cancellationToken: ct));
        var verdicts = new Dictionary<long, string>();
        foreach (var (seq, verdict) in rows) verdicts[seq] = verdict;
        return verdicts;
    }

    static void RequireValidatorOrCoordinator(Caller caller)
    {
        if (caller.Kind is not (OrgKind.Coordinator or OrgKind.Validator))
            throw new AccessDeniedException("The validator queue is the coordinator's and the validators'.");
    }
}
