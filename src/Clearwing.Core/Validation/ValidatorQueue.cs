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

    /// <summary>
    /// One page of the queue. The cases are read in priority order, a batch at a time, each weighed by its finders' multipliers;
    /// reading stops once no unread case can rank into the page: an unread case's weighted score is at most the last read
    /// priority times the highest multiplier, and ties keep priority order. So a page costs a few batches, not the whole queue.
    /// </summary>
    public async Task<Page<QueueEntry>> ListAsync(Caller caller, int offset = 0, int limit = 100, CancellationToken ct = default)
    {
        RequireValidatorOrCoordinator(caller);
        limit = Paging.Limit(limit, MaxLimit);
        offset = Math.Max(offset, 0);
        var multipliers = await trust.MultipliersAsync(ct);
        var prior = FinderTrustStore.Multiplier(FinderTrustStore.Accuracy(0, 0));
        var highest = multipliers.Values.Append(prior).Max();
        // Validators confirm and reject from triage; a new case is the coordinator's to triage first.
        CaseState[] states = caller.IsCoordinator ? [CaseState.New, CaseState.Triage] : [CaseState.Triage];
        var read = new List<QueueEntry>();
        string? after = null;
        long total = 0;
        do
        {
            var page = await cases.ListAsync(caller, new CaseFilter(Limit: BatchSize, After: after) { States = states, ExactTotal = true }, ct);
            total = page.Total;
            if (page.Items.Count == 0) break;
            var finders = await FindersAsync([.. page.Items.Select(c => c.Id)], ct);
            var verdicts = await LatestVerdictsAsync([.. page.Items.Select(c => c.Id)], ct);
            foreach (var c in page.Items)
            {
                var (finder, weight) = finders.GetValueOrDefault(c.Id, [])
                    .Select(f => (Finder: (string?)(f.Model is null ? f.Tool : $"{f.Tool} ({f.Model})"),
                        Weight: multipliers.GetValueOrDefault((f.Tool, f.Model), prior)))
                    .OrderByDescending(f => f.Weight).ThenBy(f => f.Finder, StringComparer.Ordinal)
                    .DefaultIfEmpty((Finder: (string?)null, Weight: prior)).First();
                read.Add(new QueueEntry(c, weight, (int)Math.Round(c.Priority.Score * weight), finder, verdicts.GetValueOrDefault(c.Id)));
            }
            after = page.Next;
            var bound = (int)Math.Round(page.Items[^1].Priority.Score * highest);
            if (read.Count >= offset + limit && Ranked(read).ElementAt(offset + limit - 1).WeightedScore >= bound) break;
        }
        while (after is not null);
        return new Page<QueueEntry>([.. Ranked(read).Skip(offset).Take(limit)], total, offset, limit);
    }

    /// <summary>Weighted score first; ties in priority order, which is the order the cases were read in (a stable sort).</summary>
    static IEnumerable<QueueEntry> Ranked(List<QueueEntry> read) => read.OrderByDescending(e => e.WeightedScore);

    const int BatchSize = 500;

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

    /// <summary>The finders (tool, model) of each of <paramref name="ids"/>' findings.</summary>
    async Task<Dictionary<string, List<(string Tool, string? Model)>>> FindersAsync(IReadOnlyList<string> ids, CancellationToken ct)
    {
        var (names, args) = IdParameters(ids);
        await using var connection = await db.OpenAsync(ct);
        var rows = await connection.QueryAsync<(string Id, string Tool, string? Model)>(new CommandDefinition($"""
            SELECT DISTINCT c.id, f.tool, f.model FROM cases c JOIN fingerprints x ON x.case_seq = c.seq JOIN findings f ON f.fingerprint_id = x.id
            WHERE c.id IN ({names})
            """, args, cancellationToken: ct));
        return rows.GroupBy(r => r.Id).ToDictionary(g => g.Key, g => g.Select(r => (r.Tool, r.Model)).ToList());
    }

    /// <summary>The verdict of the latest finished validation run of each of <paramref name="ids"/> that has one.</summary>
    async Task<Dictionary<string, string>> LatestVerdictsAsync(IReadOnlyList<string> ids, CancellationToken ct)
    {
        var (names, args) = IdParameters(ids);
        await using var connection = await db.OpenAsync(ct);
        var rows = await connection.QueryAsync<(string Id, string Verdict)>(new CommandDefinition($"""
            SELECT c.id, v.verdict FROM validation_runs v JOIN cases c ON c.seq = v.case_seq
            WHERE c.id IN ({names}) AND v.state = 'done' AND v.purpose = 'validate'
            ORDER BY v.finished_at, v.id
            """, args, cancellationToken: ct));
        var verdicts = new Dictionary<string, string>();
        foreach (var (id, verdict) in rows) verdicts[id] = verdict;
        return verdicts;
    }

    /// <summary>One parameter per id (@i0, @i1, …): Dapper's list expansion becomes an array on PostgreSQL.</summary>
    static (string Names, DynamicParameters Args) IdParameters(IReadOnlyList<string> ids)
    {
        var args = new DynamicParameters();
        for (var i = 0; i < ids.Count; i++) args.Add("i" + i, ids[i]);
        return (string.Join(", ", ids.Select((_, i) => "@i" + i)), args);
    }

    static void RequireValidatorOrCoordinator(Caller caller)
    {
        if (caller.Kind is not (OrgKind.Coordinator or OrgKind.Validator))
            throw new AccessDeniedException("The validator queue is the coordinator's and the validators'.");
    }
}
