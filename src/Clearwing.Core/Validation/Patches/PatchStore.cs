using System.Data.Common;
using System.Text.Json;
using Clearwing.Access;
using Clearwing.Findings;
using Clearwing.Storage;
using Clearwing.Storage.Jobs;
using Dapper;

namespace Clearwing.Validation;

/// <summary>
/// A candidate patch of a case and what its ladder found (docs/validation.md, "Candidate patches"). <see cref="Status"/> is
/// "queued" until the ladder is done. Each step's boolean is null until reached — the ladder stops at the first failure:
/// <see cref="Applies"/> (git apply to every target), <see cref="Builds"/>, <see cref="ReproducersStopped"/> (no run of any
/// reproducer shows its signal), <see cref="TestsPass"/> (null too when no reproducer names a test command). The
/// <see cref="Verdict"/> is passes, passes_without_tests, fails_at_applies, fails_at_builds, fails_at_reproducers,
/// fails_at_tests, or error (the ladder could not be tried: <see cref="Error"/> says why). <see cref="AlsoDisarms"/>: the other
/// open cases (those the caller sees) whose reproducer the patch also stopped — likely one root cause, never merged on its own.
/// <see cref="Steps"/> is each step's log.
/// </summary>
public sealed record CandidatePatch(
    string Id, string Case, string Digest, string Author, string AddedBy, string AddedOrg, DateTimeOffset AddedAt, string Status,
    bool? Applies, bool? Builds, bool? ReproducersStopped, bool? TestsPass, string? Verdict, string? Error, IReadOnlyList<string> AlsoDisarms,
    DateTimeOffset? FinishedAt, string Diff, JsonElement? Steps);

/// <summary>
/// Candidate patches (migration 0031): added by those who may attach reproducers, each stored with the job of its ladder in one
/// transaction, run by <see cref="PatchJob"/>, and finished once. The same diff offered twice for a case is kept once.
/// </summary>
public sealed class PatchStore(Database db, AuditLog audit, TimeProvider time, JobQueue jobs)
{
    /// <summary>The job kind that runs a patch's ladder.</summary>
    public const string JobKind = "patch";

    /// <summary>How many other cases a patch is tried against for a shared root cause: each costs a build and its runs.</summary>
    public const int MostOtherCases = 20;

    /// <summary>
    /// Offers <paramref name="diff"/> (a unified diff; <paramref name="file"/> names it in errors) for a case the caller sees,
    /// written by <paramref name="author"/> (model:NAME or person:LOGIN; null for the caller as a person), and queues its ladder.
    /// Writers of the coordinator, of validators and of granted maintainers may. The case needs a reproducer with a target.
    /// </summary>
    public async Task<CandidatePatch> AddPatchAsync(
        Caller caller, string caseId, string diff, string? author, string file, CancellationToken ct = default)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await db.BeginAsync(connection, ct);
        var seq = await ValidationStore.VisibleOpenCaseAsync(connection, tx, caller, caseId);
        ValidationStore.RequireWriter(caller, "offer a patch");
        PatchDiff.Check(diff, file);
        var label = (author is null ? PatchAuthor.Person(caller.Actor) : PatchAuthor.Parse(author)).ToString();
        var reproducers = await ValidationStore.ReproducerBodiesAsync(connection, tx, seq, ct);
        if (!reproducers.Any(r => Reproducer.Parse(r.Body, "reproducer").Target is not null))
            throw new BadInputException($"Case {caseId} has no reproducer with a target (a repository or inline files) to patch: " +
                $"attach one with 'clearwing reproducers add {caseId} FILE'.");
        var digest = ValidationStore.Digest(diff);
        var id = await connection.ExecuteScalarAsync<string?>(new CommandDefinition($"""
            INSERT INTO patches (id, case_seq, digest, diff, author, added_by, added_org, added_at, state)
            VALUES ({db.Dialect.RandomId}, @seq, @digest, @diff, @label, @actor, @org, @now, 'queued')
            ON CONFLICT (case_seq, digest) DO NOTHING
            RETURNING id
            """, new { seq, digest, diff, label, actor = caller.Actor, org = caller.Org, now }, tx, cancellationToken: ct));
        if (id is not null)
        {
            // A ladder builds and runs untrusted code many times: a few attempts when workers keep dying on it.
            var job = await jobs.EnqueueAsync(connection, tx, JobKind, JsonSerializer.Serialize(new { patch = id }),
                new EnqueueOptions { MaxAttempts = 3, IdempotencyKey = $"patch:{id}" }, ct);
            await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE patches SET job_id = @job WHERE id = @id", new { job, id }, tx, cancellationToken: ct));
            // Ids and the digest only: the diff shows where the flaw is.
            await audit.AppendAsync(connection, tx, AuditEntry.By(caller, $"case:{caseId}", "add_patch", new { Patch = id, Digest = digest }), ct);
        }
        var patch = (await PatchesAsync(connection, tx, caller, caseId, "p.case_seq = @seq AND p.digest = @digest", new { seq, digest }, ct))[0];
        await tx.CommitAsync(ct);
        return patch;
    }

    /// <summary>Refuses as <see cref="AddPatchAsync"/> would, before a patch is read: the API checks who adds before it takes
    /// up to <see cref="PatchDiff.MaxBytes"/> of body.</summary>
    public async Task RequireAddAsync(Caller caller, string caseId, CancellationToken ct = default)
    {
        await using var connection = await db.OpenAsync(ct);
        await NeedToKnow.VisibleCaseAsync(connection, null, caller, caseId);
        ValidationStore.RequireWriter(caller, "offer a patch");
    }

    /// <summary>A case's candidate patches, newest first.</summary>
    public async Task<IReadOnlyList<CandidatePatch>> ListPatchesAsync(Caller caller, string caseId, CancellationToken ct = default)
    {
        await using var connection = await db.OpenAsync(ct);
        var seq = await NeedToKnow.VisibleCaseAsync(connection, null, caller, caseId);
        ValidationStore.RequireReader(caller, "see a case's patches");
        return await PatchesAsync(connection, null, caller, caseId, "p.case_seq = @seq", new { seq }, ct);
    }

    /// <summary>One patch of a case; a patch of another case, or of a case the caller does not see, is not found.</summary>
    public async Task<CandidatePatch> GetPatchAsync(Caller caller, string caseId, string patchId, CancellationToken ct = default)
    {
        await using var connection = await db.OpenAsync(ct);
        var seq = await NeedToKnow.VisibleCaseAsync(connection, null, caller, caseId);
        ValidationStore.RequireReader(caller, "see a case's patches");
        return (await PatchesAsync(connection, null, caller, caseId, "p.case_seq = @seq AND p.id = @patchId", new { seq, patchId }, ct))
            .SingleOrDefault() ?? throw new NotFoundException($"No patch '{patchId}' of case {caseId}.");
    }

    /// <summary>The job of a patch's ladder, for the command line, which runs it itself rather than wait for a worker.</summary>
    public async Task<string?> JobOfAsync(string patchId, CancellationToken ct = default)
    {
        await using var connection = await db.OpenAsync(ct);
        return await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT job_id FROM patches WHERE id = @patchId", new { patchId }, cancellationToken: ct));
    }

    /// <summary>
    /// A ladder still to run: the diff, the case's reproducers as they are now, and the reproducers of other open cases of
    /// the same project that reproduce unpatched (their latest run's verdict) at a repository one of the case's reproducers
    /// names — at most <see cref="MostOtherCases"/> cases. Null when the ladder is done.
    /// </summary>
    internal async Task<PendingPatch?> PendingAsync(string patchId, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        var patch = await connection.QuerySingleOrDefaultAsync<(long Seq, string Diff)>(new CommandDefinition(
            "SELECT case_seq, diff FROM patches WHERE id = @patchId AND state = 'queued'", new { patchId }, cancellationToken: ct));
        if (patch.Diff is null) return null;
        var own = await ValidationStore.ReproducerBodiesAsync(connection, null, patch.Seq, ct);
        var repositories = own.Select(r => Reproducer.Parse(r.Body, "reproducer").Target?.Repository).OfType<string>()
            .ToHashSet(StringComparer.Ordinal);
        var others = new List<(long Seq, IReadOnlyList<(string Digest, string Source, string Body)> Reproducers)>();
        if (repositories.Count == 0) return new PendingPatch(patchId, patch.Diff, own, others);
        var candidates = await connection.QueryAsync<long>(new CommandDefinition("""
            SELECT c.seq FROM cases c
            WHERE c.project_id = (SELECT o.project_id FROM cases o WHERE o.seq = @Seq) AND c.seq <> @Seq AND c.merged_into IS NULL
              AND c.state IN ('new', 'triage', 'confirmed', 'notified', 'fix_in_progress')
              AND (SELECT v.verdict FROM validation_runs v WHERE v.case_seq = c.seq AND v.state = 'done'
                   ORDER BY v.finished_at DESC, v.id DESC LIMIT 1) = 'reproduced'
            ORDER BY c.seq
            """, new { patch.Seq }, cancellationToken: ct));
        foreach (var seq in candidates)
        {
            var shared = (await ValidationStore.ReproducerBodiesAsync(connection, null, seq, ct))
                .Where(r => Reproducer.Parse(r.Body, "reproducer").Target?.Repository is { } repository && repositories.Contains(repository))
                .ToList();
            if (shared.Count > 0) others.Add((seq, shared));
            if (others.Count == MostOtherCases) break;
        }
        return new PendingPatch(patchId, patch.Diff, own, others);
    }

    /// <summary>Stores a ladder's outcome, once: a second finish (a worker whose lease lapsed) changes nothing.</summary>
    internal async Task FinishAsync(string patchId, LadderOutcome outcome, CancellationToken ct)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await db.BeginAsync(connection, ct);
        static long? Flag(bool? b) => b is { } x ? x ? 1L : 0L : null;
        var finished = await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE patches SET state = 'done', finished_at = @now, applies = @applies, builds = @builds, reproducers_stopped = @stopped,
                   tests_pass = @tests, verdict = @Verdict, error = @Error, log = @Log
            WHERE id = @patchId AND state = 'queued'
            """, new
            {
                now, patchId, applies = Flag(outcome.Applies), builds = Flag(outcome.Builds), stopped = Flag(outcome.ReproducersStopped),
                tests = Flag(outcome.TestsPass), outcome.Verdict, outcome.Error, outcome.Log,
            }, tx, cancellationToken: ct));
        if (finished == 0) return;
        foreach (var seq in outcome.AlsoDisarms.Distinct())
            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO patch_disarms (patch_id, case_seq) VALUES (@patchId, @seq)", new { patchId, seq }, tx, cancellationToken: ct));
        var caseId = await connection.ExecuteScalarAsync<string>(new CommandDefinition(
            "SELECT c.id FROM patches p JOIN cases c ON c.seq = p.case_seq WHERE p.id = @patchId", new { patchId }, tx, cancellationToken: ct));
        // Booleans and counts only: which other cases share the root cause is for those who see them, in the patch itself.
        await audit.AppendAsync(connection, tx, AuditEntry.By(ValidationStore.Pipeline, $"case:{caseId}", "patch_ladder", new
        {
            Patch = patchId, outcome.Applies, outcome.Builds, outcome.ReproducersStopped, outcome.TestsPass, outcome.Verdict,
            AlsoDisarms = outcome.AlsoDisarms.Distinct().Count(),
        }), ct);
        await tx.CommitAsync(ct);
    }

    static async Task<List<CandidatePatch>> PatchesAsync(
        DbConnection connection, DbTransaction? tx, Caller caller, string caseId, string where, object args, CancellationToken ct)
    {
        var rows = (await connection.QueryAsync<PatchRow>(new CommandDefinition($"""
            SELECT p.id, p.digest, p.diff, p.author, p.added_by, p.added_org, p.added_at, p.state, p.finished_at, p.applies, p.builds,
                   p.reproducers_stopped, p.tests_pass, p.verdict, p.error, p.log
            FROM patches p WHERE {where} ORDER BY p.added_at DESC, p.id
            """, args, tx, cancellationToken: ct))).ToList();
        var parameters = new DynamicParameters(args);
        parameters.Add("callerOrg", caller.OrgId);
        // Only the cases the caller sees: another case's id is itself need-to-know.
        var disarms = (rows.Count == 0 ? [] : await connection.QueryAsync<(string PatchId, string CaseId)>(new CommandDefinition($"""
            SELECT d.patch_id, c.id FROM patch_disarms d JOIN cases c ON c.seq = d.case_seq
            WHERE d.patch_id IN (SELECT p.id FROM patches p WHERE {where}) AND {NeedToKnow.Case(caller)}
            ORDER BY c.id
            """, parameters, tx, cancellationToken: ct))).ToLookup(d => d.PatchId, d => d.CaseId);
        return rows.ConvertAll(r => r.ToPatch(caseId, disarms[r.id]));
    }

    sealed class PatchRow
    {
        public string id { get; init; } = "";
        public string digest { get; init; } = "";
        public string diff { get; init; } = "";
        public string author { get; init; } = "";
        public string added_by { get; init; } = "";
        public string added_org { get; init; } = "";
        public long added_at { get; init; }
        public string state { get; init; } = "";
        public long? finished_at { get; init; }
        public long? applies { get; init; }
        public long? builds { get; init; }
        public long? reproducers_stopped { get; init; }
        public long? tests_pass { get; init; }
        public string? verdict { get; init; }
        public string? error { get; init; }
        public string? log { get; init; }

        public CandidatePatch ToPatch(string caseId, IEnumerable<string> alsoDisarms)
        {
            JsonElement? steps = null;
            if (log is not null)
            {
                using var document = JsonDocument.Parse(log);
                steps = document.RootElement.Clone();
            }
            return new CandidatePatch(id, caseId, digest, author, added_by, added_org, DateTimeOffset.FromUnixTimeMilliseconds(added_at), state,
                Bool(applies), Bool(builds), Bool(reproducers_stopped), Bool(tests_pass), verdict, error, [.. alsoDisarms],
                finished_at is { } f ? DateTimeOffset.FromUnixTimeMilliseconds(f) : null, diff, steps);
        }

        static bool? Bool(long? flag) => flag is { } f ? f != 0 : null;
    }
}

/// <summary>A ladder to run: the diff, the case's reproducers (digest, source, JSON), and other cases' to try for a shared root cause.</summary>
internal sealed record PendingPatch(
    string Id, string Diff, IReadOnlyList<(string Digest, string Source, string Body)> Reproducers,
    IReadOnlyList<(long Seq, IReadOnlyList<(string Digest, string Source, string Body)> Reproducers)> Others);

/// <summary>What a ladder found, as the job hands it to the store: the log is JSON already; other cases by row number.</summary>
internal sealed record LadderOutcome(
    bool? Applies, bool? Builds, bool? ReproducersStopped, bool? TestsPass, string Verdict, string? Error, string Log,
    IReadOnlyList<long> AlsoDisarms);
