using Clearwing.Access;
using System.Data.Common;
using Clearwing.Scoring;
using Clearwing.Storage;
using Dapper;

namespace Clearwing.Cases;

/// <summary>Why a merge or split was refused, in words a person can act on.</summary>
internal sealed class CaseEditException(string message) : BadInputException(message);

/// <summary>
/// Merges and splits by hand. Membership moves by fingerprint (a fingerprint always belongs to exactly
/// one case); findings stay as they were observed. Each change records its reason on both cases.
/// </summary>
public sealed class CaseEditor(Database db, AuditLog audit, TimeProvider time, CaseChanges changes)
{
    /// <summary>Moves every fingerprint of <paramref name="sources"/> into <paramref name="target"/>; the sources point at it from then on.</summary>
    public async Task MergeAsync(Caller caller, string target, IReadOnlyList<string> sources, string reason, CancellationToken ct = default)
    {
        caller.RequireCoordinatorWriter("merge cases");
        RequireReason(reason);
        if (sources.Count == 0) throw new CaseEditException("Name at least one case to merge into the target.");
        if (sources.Contains(target)) throw new CaseEditException($"Case {target} cannot be merged into itself.");
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await db.BeginAsync(connection, ct);
        await MergeAsync(connection, tx, caller, target, sources, reason, ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>Merges inside the caller's transaction: validation joins cases whose crashes are alike in the transaction that
    /// stores the run that showed it.</summary>
    internal async Task MergeAsync(
        DbConnection connection, DbTransaction tx, Caller caller, string target, IReadOnlyList<string> sources, string reason, CancellationToken ct)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        await LockProjectAsync(connection, tx, target);
        // The overview counts the target as it becomes and the sources no longer (OverviewTally). Its count locks the cases first, in
        // one order, as the priority's recomputation does.
        var involved = new List<long>();
        foreach (var id in sources.Prepend(target).Distinct())
            if (await connection.ExecuteScalarAsync<long?>("SELECT seq FROM cases WHERE id = @id", new { id }, tx) is { } seq) involved.Add(seq);
        var counted = await OverviewTally.BeginAsync(connection, tx, db.Engine, CaseSet.Of(involved).Where, null, ct);
        var project = await LiveCaseProjectAsync(connection, tx, target);
        foreach (var source in sources.Distinct())
        {
            if (await LiveCaseProjectAsync(connection, tx, source) != project)
                throw new CaseEditException($"Case {source} belongs to another project than {target}; only cases of one project can be merged.");
            await PlaceAsync(connection, tx, "x.case_seq = (SELECT seq FROM cases WHERE id = @from)", source, target, "merged", reason, caller, now,
                new { });
            var moved = await connection.ExecuteAsync(
                """
                UPDATE fingerprints SET case_seq = (SELECT seq FROM cases WHERE id = @target)
                WHERE case_seq = (SELECT seq FROM cases WHERE id = @source)
                """, new { target, source }, tx);
            await connection.ExecuteAsync(
                "UPDATE cases SET merged_into = @target, finding_count = 0 WHERE id = @source", new { target, source }, tx);
            await RecordAsync(connection, tx, target, source, "merged-in", reason, moved, now);
            await RecordAsync(connection, tx, source, target, "merged-into", reason, moved, now);
        }
        await RecomputeAsync(connection, tx, target);
        await counted.EndAsync(ct);
        await changes.RaiseAsync(connection, tx, now, new CaseChanged(CaseAspect.Membership, CaseSet.Matching("c.id = @target", new { target })), ct);
        await audit.AppendAsync(connection, tx,
            AuditEntry.By(caller, $"case:{target}", "merge", new { sources, reasonHash = AuditHash.Text(reason) }), ct);
    }

    /// <summary>Moves the named fingerprints out of <paramref name="caseId"/> into a new case, whose id is returned.</summary>
    public async Task<string> SplitAsync(
        Caller caller, string caseId, IReadOnlyList<string> fingerprints, string reason, CancellationToken ct = default)
    {
        caller.RequireCoordinatorWriter("split cases");
        RequireReason(reason);
        var wanted = fingerprints.Distinct().ToList();
        if (wanted.Count == 0) throw new CaseEditException("Name at least one fingerprint to split off.");
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await db.BeginAsync(connection, ct);
        await LockProjectAsync(connection, tx, caseId);
        var project = await LiveCaseProjectAsync(connection, tx, caseId);
        var members = (await connection.QueryAsync<string>(
            "SELECT x.fingerprint FROM fingerprints x JOIN cases c ON c.seq = x.case_seq WHERE c.id = @caseId", new { caseId }, tx)).ToHashSet();
        var foreign = wanted.Where(f => !members.Contains(f)).ToList();
        if (foreign.Count > 0)
            throw new CaseEditException($"Fingerprint {foreign[0]} is not in case {caseId}.");
        if (wanted.Count == members.Count)
            throw new CaseEditException($"Splitting off every fingerprint of case {caseId} would leave it empty; leave at least one.");

        var newId = CaseId.Mint(now, 0).ToString();
        // The overview counts both cases as they become (OverviewTally); the new one counts from now.
        var counted = await OverviewTally.BeginAsync(connection, tx, db.Engine, "c.id IN (@caseId, @newId)", new { caseId, newId }, ct);
        await connection.ExecuteAsync(
            """
            INSERT INTO cases (id, project_id, title, state, first_seen, last_seen, finding_count, max_severity, created_at)
            SELECT @newId, project_id, title, 'new', first_seen, last_seen, 0, 0, @now FROM cases WHERE id = @caseId
            """, new { newId, caseId, now }, tx);
        // One statement per fingerprint keeps the SQL identical on both engines; splits are small and rare.
        foreach (var fingerprint in wanted)
        {
            await PlaceAsync(connection, tx, "x.project_id = @project AND x.fingerprint = @fingerprint", caseId, newId, "split", reason, caller, now,
                new { project, fingerprint });
            await connection.ExecuteAsync(
                "UPDATE fingerprints SET case_seq = (SELECT seq FROM cases WHERE id = @newId) " +
                "WHERE project_id = @project AND fingerprint = @fingerprint",
                new { newId, project, fingerprint }, tx);
        }
        await RecordAsync(connection, tx, caseId, newId, "split-off", reason, wanted.Count, now);
        await RecordAsync(connection, tx, newId, caseId, "split-from", reason, wanted.Count, now);
        await RecomputeAsync(connection, tx, caseId);
        await RecomputeAsync(connection, tx, newId);
        await counted.EndAsync(ct);
        await changes.RaiseAsync(connection, tx, now,
            new CaseChanged(CaseAspect.Membership, CaseSet.Matching("c.id IN (@caseId, @newId)", new { caseId, newId })), ct);
        await audit.AppendAsync(connection, tx,
            AuditEntry.By(caller, $"case:{caseId}", "split", new { into = newId, fingerprints, reasonHash = AuditHash.Text(reason) }), ct);
        await tx.CommitAsync(ct);
        return newId;
    }

    static void RequireReason(string reason)
    {
        if (string.IsNullOrWhiteSpace(reason)) throw new CaseEditException("A reason is required: it is recorded with the change.");
    }

    /// <summary>
    /// The project of a case that may be regrouped: not merged away, and still in new or triage. From
    /// confirmation on, the case has committed to its report (a published digest), and moving findings in or
    /// out would make the revealed report say something other than what the case became. On PostgreSQL the
    /// row stays locked to the end of the transaction, so concurrent edits of one case take turns.
    /// </summary>
    /// <summary>Waits for an import into the case's project to end (<see cref="ProjectStore.LockAsync"/>); an unknown case is
    /// refused just after.</summary>
    async Task LockProjectAsync(DbConnection connection, DbTransaction tx, string id)
    {
        if (await connection.ExecuteScalarAsync<long?>("SELECT project_id FROM cases WHERE id = @id", new { id }, tx) is { } project)
            await ProjectStore.LockAsync(connection, tx, db.Engine, project);
    }

    async Task<long> LiveCaseProjectAsync(DbConnection connection, DbTransaction tx, string id)
    {
        var row = await connection.QuerySingleOrDefaultAsync<(long? Project, string? MergedInto, string? State)>(
            $"SELECT project_id, merged_into, state FROM cases WHERE id = @id {(db.Engine == Engine.Postgres ? "FOR UPDATE" : "")}", new { id }, tx);
        if (row.Project is null) throw new CaseEditException($"No case {id}.");
        if (row.MergedInto is not null) throw new CaseEditException($"Case {id} was merged into {row.MergedInto}; use that case.");
        if (Lifecycle.Stored(row.State!) is not (CaseState.New or CaseState.Triage))
            throw new CaseEditException(
                $"Case {id} is {row.State}: cases are merged and split while new or in triage, before confirmation commits to their report.");
        return row.Project.Value;
    }

    Task<int> RecordAsync(
        DbConnection connection, DbTransaction tx, string caseId, string other, string action, string reason, long count, long now) =>
        connection.ExecuteAsync(
            $"""
            INSERT INTO case_changes (id, case_id, other_case, action, reason, fingerprints, changed_at)
            VALUES ({db.Dialect.RandomId}, @caseId, @other, @action, @reason, @count, @now)
            """, new { caseId, other, action, reason, count, now }, tx);

    /// <summary>
    /// Records, for each fingerprint <paramref name="which"/> selects (before it moves), that a person moved it from one case
    /// to another and why: what a finding's and a case's reasons show (FindingQueries, CaseQueries).
    /// </summary>
    static Task<int> PlaceAsync(DbConnection connection, DbTransaction tx, string which, string from, string to, string kind, string reason,
        Caller caller, long now, object args)
    {
        var parameters = new DynamicParameters(args);
        parameters.AddDynamicParams(new { from, to, kind, reason, by = caller.Actor, now });
        return connection.ExecuteAsync(
            $"""
            INSERT INTO fingerprint_placements (fingerprint_id, case_id, from_case, kind, reason, placed_by, placed_at)
            SELECT x.id, @to, @from, @kind, @reason, @by, @now FROM fingerprints x WHERE {which}
            """, parameters, tx);
    }

    /// <summary>Counts, severity, signal and first/last seen from the findings the case's fingerprints now cover.</summary>
    static Task<int> RecomputeAsync(DbConnection connection, DbTransaction tx, string caseId) =>
        connection.ExecuteAsync(
            """
            UPDATE cases SET
                finding_count = a.n, max_severity = coalesce(a.severity, 0), signal = coalesce(a.signal, cases.signal),
                first_seen = coalesce(a.first_seen, cases.first_seen), last_seen = coalesce(a.last_seen, cases.last_seen)
            FROM (SELECT count(f.ordinal) AS n, max(f.severity) AS severity, max(f.signal) AS signal,
                         min(f.observed_at) AS first_seen, max(f.observed_at) AS last_seen
                  FROM cases c JOIN fingerprints x ON x.case_seq = c.seq JOIN findings f ON f.fingerprint_id = x.id
                  WHERE c.id = @caseId) a
            WHERE cases.id = @caseId
            """, new { caseId }, tx);
}
