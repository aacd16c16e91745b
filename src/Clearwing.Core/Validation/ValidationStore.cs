using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Clearwing.Access;
using Clearwing.Cases;
using Clearwing.Findings;
using Clearwing.Storage;
using Clearwing.Storage.Jobs;
using Dapper;

namespace Clearwing.Validation;

/// <summary>
/// A reproducer of a case: attached to it (<see cref="Source"/> "attached", with who added it) or carried by one of its
/// findings ("finding"). <see cref="Digest"/> (SHA-256 of its JSON) names it in runs.
/// </summary>
public sealed record CaseReproducer(
    string Digest, string Case, string Source, string? AddedBy, string? AddedOrg, DateTimeOffset? AddedAt, JsonElement Reproducer);

/// <summary>
/// One try of a case's reproducers in the sandbox: to validate the case ("validate") or against its fix ("fix", at
/// <see cref="Revision"/>). <see cref="Status"/> is "queued" until its results are stored, then "done". The verdict sums up its
/// reproducers': reproduced when one reproduced, else flaky, else not reproduced, else error. <see cref="Runs"/> counts every
/// attempt, <see cref="Crashes"/> those that crashed; the crash shown is the first that reproduced, else the first seen.
/// </summary>
public sealed record ValidationRun(
    string Id, string Case, string Purpose, string? Revision, string Status, string? Verdict, int Runs, int Crashes, string? Type,
    IReadOnlyList<string> State, bool? Security, string? Error, string RequestedBy, DateTimeOffset RequestedAt, DateTimeOffset? FinishedAt,
    IReadOnlyList<ReproducerOutcome> Results);

/// <summary>What one reproducer did in a run: its verdict, why it could not be tried, and the log of its build and every attempt.</summary>
public sealed record ReproducerOutcome(int Ordinal, string Digest, string Source, string Verdict, string? Error, JsonElement Log);

/// <summary>
/// Reproducers and validation runs (migration 0030, docs/validation.md). A run is stored with its job in one transaction and
/// run by <see cref="ValidationJob"/>; its results and what they decide — a case confirmed when its reproducer reproduced and
/// the project lets validation confirm, a fix verified when no reproducer reproduces against it, a fix reopened when one
/// still does — are stored in one transaction too. Runs start on their own when a case gains a reproducer while it awaits
/// validation and when it is marked fixed; a person may ask for one at any time.
/// </summary>
public sealed class ValidationStore(
    Database db, AuditLog audit, TimeProvider time, CaseChanges changes, JobQueue jobs, CaseLifecycle lifecycle, CaseEditor editor)
    : ICaseChangeSubscriber
{
    /// <summary>The job kind that runs a validation run.</summary>
    public const string JobKind = "validate";

    /// <summary>Largest reproducer attached to a case, in bytes of JSON (inputs included).</summary>
    public const int MaxReproducerBytes = 16 << 20;

    /// <summary>Who validation's own moves are recorded as: the coordinator's pipeline, not a person.</summary>
    internal static readonly Caller Pipeline = new(0, "clearwing", OrgKind.Coordinator, Role.Triager, "clearwing:validation");

    /// <summary>
    /// Attaches <paramref name="json"/> (a reproducer in the native format; <paramref name="file"/> names it in errors) to a case
    /// the caller sees: the coordinator's, a validator's or a granted maintainer's admins and triagers. The same reproducer
    /// twice is kept once. A case awaiting validation gets a run.
    /// </summary>
    public async Task<CaseReproducer> AddReproducerAsync(Caller caller, string caseId, string json, string file, CancellationToken ct = default)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await db.BeginAsync(connection, ct);
        var seq = await VisibleOpenCaseAsync(connection, tx, caller, caseId);
        RequireWriter(caller, "attach a reproducer");
        if (Encoding.UTF8.GetByteCount(json) > MaxReproducerBytes)
            throw new BadInputException($"{file}: a reproducer is at most {MaxReproducerBytes >> 20} MiB of JSON.");
        _ = Reproducer.Parse(json, file);
        var digest = Digest(json);
        var added = await connection.ExecuteAsync(new CommandDefinition($"""
            INSERT INTO reproducers (id, case_seq, digest, body, added_by, added_org, added_at)
            VALUES ({db.Dialect.RandomId}, @seq, @digest, @json, @actor, @org, @now)
            ON CONFLICT (case_seq, digest) DO NOTHING
            """, new { seq, digest, json, actor = caller.Actor, org = caller.Org, now }, tx, cancellationToken: ct));
        if (added > 0)
        {
            // The digest only: the reproducer is embargoed, and events are listed to anyone with the database.
            await audit.AppendAsync(connection, tx, AuditEntry.By(caller, $"case:{caseId}", "add_reproducer", new { Digest = digest }), ct);
            await changes.RaiseAsync(connection, tx, now, new CaseChanged(CaseAspect.Reproducers, CaseSet.One(seq)), ct);
        }
        var row = await connection.QuerySingleAsync<ReproducerRow>(new CommandDefinition(
            $"SELECT {ReproducerColumns} FROM reproducers r WHERE r.case_seq = @seq AND r.digest = @digest", new { seq, digest }, tx,
            cancellationToken: ct));
        await tx.CommitAsync(ct);
        return row.ToReproducer(caseId);
    }

    /// <summary>
    /// Refuses as <see cref="AddReproducerAsync"/> would, before a reproducer is read: the API checks who attaches before it
    /// takes up to <see cref="MaxReproducerBytes"/> of body.
    /// </summary>
    public async Task RequireAttachAsync(Caller caller, string caseId, CancellationToken ct = default)
    {
        await using var connection = await db.OpenAsync(ct);
        await NeedToKnow.VisibleCaseAsync(connection, null, caller, caseId);
        RequireWriter(caller, "attach a reproducer");
    }

    /// <summary>A case's reproducers, attached ones first (oldest first), then its findings' (each distinct one once).</summary>
    public async Task<IReadOnlyList<CaseReproducer>> ListReproducersAsync(Caller caller, string caseId, CancellationToken ct = default)
    {
        await using var connection = await db.OpenAsync(ct);
        var seq = await NeedToKnow.VisibleCaseAsync(connection, null, caller, caseId);
        RequireReader(caller, "see a case's reproducers");
        return [.. (await ReproducersAsync(connection, null, seq, ct)).Select(r => r.ToReproducer(caseId))];
    }

    /// <summary>
    /// Asks for a run of a case's reproducers now: against its fix when the case is fixed, else to validate it. The run is
    /// queued with its job; <see cref="ValidationJob"/> runs it wherever jobs run. While a run of that kind is queued, it is
    /// the answer.
    /// </summary>
    public async Task<ValidationRun> RequestRunAsync(Caller caller, string caseId, CancellationToken ct = default)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await db.BeginAsync(connection, ct);
        var seq = await VisibleOpenCaseAsync(connection, tx, caller, caseId);
        RequireWriter(caller, "run a case's reproducers");
        if ((await ReproducersAsync(connection, tx, seq, ct)).Count == 0)
            throw new BadInputException($"Case {caseId} has no reproducer: attach one with 'clearwing reproducers add {caseId} FILE'.");
        var state = await connection.ExecuteScalarAsync<string>(new CommandDefinition(
            "SELECT state FROM cases WHERE seq = @seq", new { seq }, tx, cancellationToken: ct));
        var fix = state == "fixed" ? await FixRevisionAsync(connection, tx, seq, ct) : null;
        var purpose = fix is null ? "validate" : "fix";
        // A run of the same kind still queued (one validation started on its own, say) is that run: asking twice runs once.
        var id = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT id FROM validation_runs WHERE case_seq = @seq AND purpose = @purpose AND state = 'queued' ORDER BY requested_at LIMIT 1",
            new { seq, purpose }, tx, cancellationToken: ct));
        if (id is null)
        {
            id = await QueueRunAsync(connection, tx, seq, purpose, fix, caller.Actor, now, ct);
            await audit.AppendAsync(connection, tx, AuditEntry.By(caller, $"case:{caseId}", "request_validation", new { Run = id }), ct);
        }
        await tx.CommitAsync(ct);
        return (await RunsAsync(connection, null, caseId, "v.id = @run", new { run = id }, ct))[0];
    }

    /// <summary>A case's runs, newest first, with each reproducer's outcome and logs.</summary>
    public async Task<IReadOnlyList<ValidationRun>> ListRunsAsync(Caller caller, string caseId, CancellationToken ct = default)
    {
        await using var connection = await db.OpenAsync(ct);
        var seq = await NeedToKnow.VisibleCaseAsync(connection, null, caller, caseId);
        RequireReader(caller, "see a case's validation runs");
        return await RunsAsync(connection, null, caseId, "v.case_seq = @seq", new { seq }, ct);
    }

    /// <summary>One run of a case; a run of another case, or of a case the caller does not see, is not found.</summary>
    public async Task<ValidationRun> GetRunAsync(Caller caller, string caseId, string runId, CancellationToken ct = default)
    {
        await using var connection = await db.OpenAsync(ct);
        var seq = await NeedToKnow.VisibleCaseAsync(connection, null, caller, caseId);
        RequireReader(caller, "see a case's validation runs");
        return (await RunsAsync(connection, null, caseId, "v.case_seq = @seq AND v.id = @runId", new { seq, runId }, ct)).SingleOrDefault()
            ?? throw new NotFoundException($"No validation run '{runId}' of case {caseId}.");
    }

    /// <summary>The job of a run, for the command line, which runs it itself rather than wait for a worker.</summary>
    public async Task<string?> JobOfAsync(string runId, CancellationToken ct = default)
    {
        await using var connection = await db.OpenAsync(ct);
        return await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT job_id FROM validation_runs WHERE id = @runId", new { runId }, cancellationToken: ct));
    }

    /// <summary>Starts runs on their own: for cases that gain a reproducer while they await validation, and for fixes.</summary>
    public async Task OnChangedAsync(CaseChangeScope scope, CaseChanged change, CancellationToken ct)
    {
        var (connection, tx) = (scope.Connection, scope.Transaction);
        if (change.What.HasFlag(CaseAspect.Reproducers))
        {
            var awaiting = await connection.QueryAsync<long>(new CommandDefinition($"""
                SELECT c.seq FROM cases c
                WHERE ({change.Cases.Where}) AND c.state IN ('new', 'triage') AND c.merged_into IS NULL
                  AND NOT EXISTS (SELECT 1 FROM validation_runs v WHERE v.case_seq = c.seq AND v.state = 'queued' AND v.purpose = 'validate')
                ORDER BY c.seq
                """, change.Cases.Args, tx, cancellationToken: ct));
            foreach (var seq in awaiting)
                await QueueRunAsync(connection, tx, seq, "validate", null, Pipeline.Actor, scope.Now, ct);
        }
        if (change.What.HasFlag(CaseAspect.Absence))
            await VerifyByRescanAsync(connection, tx, change.Cases, ct);
        if (change.Detail is CaseMoved { To: CaseState.Fixed } moved)
        {
            var seq = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                "SELECT seq FROM cases WHERE id = @id", new { id = moved.Case }, tx, cancellationToken: ct));
            // Only a reproducer at a repository can run against the fix: inline files are the code as it was.
            var atRepository = (await ReproducersAsync(connection, tx, seq, ct))
                .Any(r => Reproducer.Parse(r.body, "reproducer").Target is { Repository: not null });
            if (atRepository)
                await QueueRunAsync(connection, tx, seq, "fix", await FixRevisionAsync(connection, tx, seq, ct), Pipeline.Actor, scope.Now, ct);
        }
    }

    /// <summary>
    /// Verifies by rescan the fixes of the fixed cases among <paramref name="cases"/> that have no reproducer (those are
    /// verified by running it) and whose every tracked result is absent: a scan after the fix no longer finds them.
    /// </summary>
    async Task VerifyByRescanAsync(DbConnection connection, DbTransaction tx, CaseSet cases, CancellationToken ct)
    {
        var gone = await connection.QueryAsync<(long Seq, string Id)>(new CommandDefinition($"""
            SELECT c.seq, c.id FROM cases c
            WHERE ({cases.Where}) AND c.state = 'fixed' AND c.merged_into IS NULL
              AND NOT EXISTS (SELECT 1 FROM fingerprints x JOIN tracks t ON t.fingerprint_id = x.id WHERE x.case_seq = c.seq AND t.present = 1)
            ORDER BY c.seq
            """, cases.Args, tx, cancellationToken: ct));
        foreach (var (seq, id) in gone)
        {
            if ((await ReproducersAsync(connection, tx, seq, ct)).Count > 0) continue;
            var import = await connection.ExecuteScalarAsync<string>(new CommandDefinition("""
                SELECT i.id FROM imports i WHERE i.seq = (SELECT max(t.last_import) FROM fingerprints x JOIN tracks t ON t.fingerprint_id = x.id
                                                        WHERE x.case_seq = @seq)
                """, new { seq }, tx, cancellationToken: ct));
            await lifecycle.MoveAsync(connection, tx, Pipeline, id, new TransitionRequest(CaseState.FixVerified), $"import:{import}", "rescan", ct);
        }
    }

    /// <summary>
    /// A run still to do, with its case's reproducers as they are now; null when it is done (a second worker, or a run the
    /// command line did itself).
    /// </summary>
    internal async Task<PendingRun?> PendingAsync(string runId, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        var run = await connection.QuerySingleOrDefaultAsync<(long Seq, string Purpose, string? Revision)>(new CommandDefinition(
            "SELECT case_seq, purpose, revision FROM validation_runs WHERE id = @runId AND state = 'queued'", new { runId }, cancellationToken: ct));
        if (run.Purpose is null) return null;
        var reproducers = await ReproducersAsync(connection, null, run.Seq, ct);
        return new PendingRun(runId, run.Purpose, run.Revision, [.. reproducers.Select(r => (r.digest, r.source, r.body))]);
    }

    /// <summary>
    /// Stores a run's outcomes and acts on them, once: a second finish of the same run (a worker whose lease lapsed) changes
    /// nothing.
    /// </summary>
    internal async Task FinishAsync(string runId, IReadOnlyList<RunOutcome> outcomes, string? error, CancellationToken ct)
    {
        var summary = RunSummary.Of(outcomes, error);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await db.BeginAsync(connection, ct);
        if (await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
                "SELECT case_seq FROM validation_runs WHERE id = @runId AND state = 'queued'", new { runId }, tx, cancellationToken: ct))
            is not { } runCase)
            return;
        // A run with an answer validates its case in the overview's counts (OverviewTally).
        var counted = await OverviewTally.BeginAsync(connection, tx, db.Engine, CaseSet.One(runCase).Where, null, ct);
        var finished = await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE validation_runs SET state = 'done', finished_at = @now, verdict = @Verdict, runs = @Runs, crashes = @Crashes,
                   crash_type = @Type, crash_state = @StateJson, security = @SecurityFlag, error = @Error
            WHERE id = @runId AND state = 'queued'
            """, new
            {
                now, runId, summary.Verdict, summary.Runs, summary.Crashes, summary.Type,
                StateJson = summary.State.Count == 0 ? null : JsonSerializer.Serialize(summary.State),
                SecurityFlag = summary.Security is { } s ? s ? 1L : 0L : (long?)null, summary.Error,
            }, tx, cancellationToken: ct));
        if (finished == 0) return;
        await counted.EndAsync(ct);
        for (var i = 0; i < outcomes.Count; i++)
            await connection.ExecuteAsync(new CommandDefinition("""
                INSERT INTO validation_results (run_id, ordinal, digest, source, verdict, error, log)
                VALUES (@runId, @ordinal, @Digest, @Source, @Verdict, @Error, @Log)
                """, new { runId, ordinal = (long)i, outcomes[i].Digest, outcomes[i].Source, Verdict = VerdictName(outcomes[i].Verdict),
                    outcomes[i].Error, outcomes[i].Log }, tx, cancellationToken: ct));
        var run = await connection.QuerySingleAsync<(string CaseId, string State, string Purpose, long Project)>(new CommandDefinition("""
            SELECT c.id, c.state, v.purpose, c.project_id FROM validation_runs v JOIN cases c ON c.seq = v.case_seq WHERE v.id = @runId
            """, new { runId }, tx, cancellationToken: ct));
        // Ids and the verdict only: crash states and logs name the embargoed code.
        await audit.AppendAsync(connection, tx, AuditEntry.By(Pipeline, $"case:{run.CaseId}", "validation", new
        {
            Run = runId, run.Purpose, summary.Verdict, summary.Runs, summary.Crashes,
        }), ct);
        // A case joined into an older one with the same crash is that case's now: nothing is decided for it on its own.
        if (run.Purpose != "validate" || !await JoinByCrashAsync(connection, tx, runId, run.CaseId, run.Project, summary, ct))
            await ActAsync(connection, tx, runId, run.CaseId, run.State, run.Purpose, run.Project, outcomes, summary, ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>
    /// Joins the case with the open cases of its project whose validation reproduced a crash of the same type and a similar state
    /// (docs/validation.md, "Joins by crash"), when the project has cross-finder joins on. Cases awaiting validation merge into
    /// the oldest; a case awaiting validation whose oldest alike case is already confirmed (so no longer merged into: its report
    /// is committed) is rejected as its duplicate. True when this run's case was merged or rejected so.
    /// </summary>
    async Task<bool> JoinByCrashAsync(
        DbConnection connection, DbTransaction tx, string runId, string caseId, long project, RunSummary summary, CancellationToken ct)
    {
        if (summary is not { Verdict: "reproduced", Type: { } type } || summary.State.Count == 0
            || await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                "SELECT cross_finder_joins FROM projects WHERE id = @project", new { project }, tx, cancellationToken: ct)) == 0)
            return false;
        var runs = await connection.QueryAsync<(string Id, long Seq, string CaseState, string Type, string State, string Run)>(
            new CommandDefinition("""
            SELECT c.id, c.seq, c.state, v.crash_type, v.crash_state, v.id FROM validation_runs v JOIN cases c ON c.seq = v.case_seq
            WHERE c.project_id = @project AND c.merged_into IS NULL AND c.state NOT IN ('rejected', 'disclosed')
              AND v.state = 'done' AND v.purpose = 'validate' AND v.verdict = 'reproduced' AND v.crash_state IS NOT NULL
            ORDER BY c.seq
            """, new { project }, tx, cancellationToken: ct));
        var alike = runs
            .Where(r => r.Id == caseId || (FirstLine(r.Type) == FirstLine(type)
                && CrashStates.Similar(JsonSerializer.Deserialize<List<string>>(r.State)!, summary.State)))
            .GroupBy(r => r.Id).Select(g => g.First()).OrderBy(r => r.Seq).ToList();
        var self = alike.Find(r => r.Id == caseId);
        if (alike.Count < 2 || self.Id is null) return false;
        var oldest = alike[0];
        var reason = $"The same crash: {FirstLine(type)} in {string.Join(" / ", summary.State)} " +
            $"(validation runs {string.Join(", ", alike.Select(r => r.Run))}).";
        static bool Open(string state) => state is "new" or "triage";
        var open = alike.Skip(1).Where(r => Open(r.CaseState)).Select(r => r.Id).ToList();
        if (Open(oldest.CaseState))
        {
            if (open.Count > 0) await editor.MergeAsync(connection, tx, Pipeline, oldest.Id, open, reason, ct);
            return open.Contains(caseId);
        }
        if (!Open(self.CaseState) || oldest.Id == caseId) return false;
        if (self.CaseState == "new")
            await lifecycle.MoveAsync(connection, tx, Pipeline, caseId, new TransitionRequest(CaseState.Triage), runId, null, ct);
        await lifecycle.MoveAsync(connection, tx, Pipeline, caseId,
            new TransitionRequest(CaseState.Rejected, reason, Rejection.Duplicate, oldest.Id), runId, null, ct);
        return true;
    }

    static string FirstLine(string type) => type.Split('\n')[0].Trim();

    /// <summary>What a finished run decides about its case, if anything.</summary>
    async Task ActAsync(DbConnection connection, DbTransaction tx, string runId, string caseId, string state, string purpose, long project,
        IReadOnlyList<RunOutcome> outcomes, RunSummary summary, CancellationToken ct)
    {
        if (purpose == "validate" && summary.Verdict == "reproduced" && state is "new" or "triage"
            && await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                "SELECT auto_confirm FROM projects WHERE id = @project", new { project }, tx, cancellationToken: ct)) != 0)
        {
            if (state == "new")
                await lifecycle.MoveAsync(connection, tx, Pipeline, caseId, new TransitionRequest(CaseState.Triage), runId, null, ct);
            await lifecycle.MoveAsync(connection, tx, Pipeline, caseId,
                new TransitionRequest(CaseState.Confirmed, Reason: $"Reproduced: {summary.Describe()} (validation run {runId})."), runId, null, ct);
        }
        else if (purpose == "fix" && state == "fixed")
        {
            // A reproducer verifies a fix only if it showed the flaw before: one that never did would "pass" any fix.
            var proven = (await connection.QueryAsync<string>(new CommandDefinition("""
                SELECT r.digest FROM validation_results r JOIN validation_runs v ON v.id = r.run_id JOIN cases c ON c.seq = v.case_seq
                WHERE c.id = @caseId AND v.purpose = 'validate' AND v.state = 'done' AND r.verdict = 'reproduced'
                """, new { caseId }, tx, cancellationToken: ct))).ToHashSet(StringComparer.Ordinal);
            var proving = outcomes.Where(o => proven.Contains(o.Digest)).ToList();
            if (proving.Count > 0 && proving.All(o => o.Verdict == Verdict.NotReproduced))
                await lifecycle.MoveAsync(connection, tx, Pipeline, caseId, new TransitionRequest(CaseState.FixVerified), runId, "reproducer", ct);
            else if (outcomes.Any(o => o.Verdict is Verdict.Reproduced or Verdict.Flaky))
                await lifecycle.MoveAsync(connection, tx, Pipeline, caseId, new TransitionRequest(CaseState.FixInProgress,
                    Reason: $"The fix does not hold: {summary.Describe()} against it (validation run {runId})."), runId, null, ct);
        }
    }

    async Task<string> QueueRunAsync(
        DbConnection connection, DbTransaction tx, long seq, string purpose, string? revision, string by, long now, CancellationToken ct)
    {
        var id = await connection.ExecuteScalarAsync<string>(new CommandDefinition($"""
            INSERT INTO validation_runs (id, case_seq, purpose, revision, state, requested_by, requested_at)
            VALUES ({db.Dialect.RandomId}, @seq, @purpose, @revision, 'queued', @by, @now)
            RETURNING id
            """, new { seq, purpose, revision, by, now }, tx, cancellationToken: ct));
        // A run builds and runs untrusted code ten times over: a few attempts, not the default five, when workers keep dying on it.
        var job = await jobs.EnqueueAsync(connection, tx, JobKind, JsonSerializer.Serialize(new { run = id }),
            new EnqueueOptions { MaxAttempts = 3, IdempotencyKey = id }, ct);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE validation_runs SET job_id = @job WHERE id = @id", new { job, id }, tx, cancellationToken: ct));
        return id!;
    }

    /// <summary>The revision the case's latest move to fixed named: its fix commit, else its fixed version.</summary>
    static async Task<string?> FixRevisionAsync(DbConnection connection, DbTransaction tx, long seq, CancellationToken ct) =>
        await connection.ExecuteScalarAsync<string?>(new CommandDefinition("""
            SELECT coalesce(fix_commit, fixed_version) FROM case_transitions WHERE case_seq = @seq AND to_state = 'fixed' ORDER BY id DESC LIMIT 1
            """, new { seq }, tx, cancellationToken: ct));

    /// <summary>The case's reproducers: attached to it or to a case merged into it, then its findings' distinct ones.</summary>
    internal static async Task<IReadOnlyList<(string Digest, string Source, string Body)>> ReproducerBodiesAsync(
        DbConnection connection, DbTransaction? tx, long seq, CancellationToken ct) =>
        [.. (await ReproducersAsync(connection, tx, seq, ct)).Select(r => (r.digest, r.source, r.body))];

    static async Task<List<ReproducerRow>> ReproducersAsync(DbConnection connection, DbTransaction? tx, long seq, CancellationToken ct)
    {
        var attached = (await connection.QueryAsync<ReproducerRow>(new CommandDefinition($"""
            SELECT {ReproducerColumns} FROM reproducers r
            WHERE r.case_seq = @seq OR r.case_seq IN (SELECT m.seq FROM cases m JOIN cases c ON m.merged_into = c.id WHERE c.seq = @seq)
            ORDER BY r.added_at, r.id
            """, new { seq }, tx, cancellationToken: ct))).ToList();
        var fromFindings = await connection.QueryAsync<string>(new CommandDefinition("""
            SELECT DISTINCT f.reproducer FROM fingerprints x JOIN findings f ON f.fingerprint_id = x.id
            WHERE x.case_seq = @seq AND f.reproducer IS NOT NULL
            """, new { seq }, tx, cancellationToken: ct));
        var seen = attached.Select(r => r.digest).ToHashSet(StringComparer.Ordinal);
        foreach (var body in fromFindings.OrderBy(b => b, StringComparer.Ordinal))
            if (seen.Add(Digest(body)))
                attached.Add(new ReproducerRow { digest = Digest(body), body = body, source = "finding" });
        return attached;
    }

    static async Task<List<ValidationRun>> RunsAsync(
        DbConnection connection, DbTransaction? tx, string caseId, string where, object args, CancellationToken ct)
    {
        var runs = (await connection.QueryAsync<RunRow>(new CommandDefinition($"""
            SELECT v.id, v.purpose, v.revision, v.state, v.verdict, v.runs, v.crashes, v.crash_type, v.crash_state, v.security, v.error,
                   v.requested_by, v.requested_at, v.finished_at
            FROM validation_runs v WHERE {where} ORDER BY v.requested_at DESC, v.id
            """, args, tx, cancellationToken: ct))).ToList();
        var results = (runs.Count == 0 ? [] : await connection.QueryAsync<ResultRow>(new CommandDefinition($"""
            SELECT r.run_id, r.ordinal, r.digest, r.source, r.verdict, r.error, r.log FROM validation_results r
            WHERE r.run_id IN (SELECT v.id FROM validation_runs v WHERE {where}) ORDER BY r.run_id, r.ordinal
            """, args, tx, cancellationToken: ct))).ToLookup(r => r.run_id);
        return runs.ConvertAll(r => r.ToRun(caseId, results[r.id]));
    }

    /// <summary>The case, when the caller sees it and it was not merged into another (whose reproducers it then shares).</summary>
    internal static async Task<long> VisibleOpenCaseAsync(DbConnection connection, DbTransaction tx, Caller caller, string caseId)
    {
        var row = await connection.QuerySingleOrDefaultAsync<(long Seq, string? MergedInto)>(
            $"SELECT c.seq, c.merged_into FROM cases c WHERE c.id = @caseId AND {NeedToKnow.Case(caller)}",
            new { caseId, callerOrg = caller.OrgId }, tx);
        if (row.Seq == 0) throw new NotFoundException($"No case {caseId}.");
        return row.MergedInto is null ? row.Seq : throw new BadInputException($"Case {caseId} was merged into {row.MergedInto}; use that case.");
    }

    /// <summary>
    /// Refuses (403) all but the admins and triagers of the coordinator, of validators (who prove) and of maintainers (who fix and
    /// check their fix), once the case was found in the caller's need-to-know: outside it, a case is not found whoever asks.
    /// </summary>
    internal static void RequireWriter(Caller caller, string action)
    {
        if (caller.Kind is not (OrgKind.Coordinator or OrgKind.Validator or OrgKind.Maintainer) || !caller.CanWrite)
            throw new AccessDeniedException(
                $"Only the admins and triagers of the coordinator, of validators and of maintainers with a grant may {action}.");
    }

    internal static void RequireReader(Caller caller, string action)
    {
        if (!NeedToKnow.SeesFindingsOfVisibleCases(caller))
            throw new AccessDeniedException($"A {caller.Kind.Name()} org may not {action}: reproducers show how to exploit the flaw.");
    }

    internal static string Digest(string json) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(json)));

    /// <summary>The stored and shown name of a verdict: reproduced, flaky, not_reproduced, error.</summary>
    public static string VerdictName(Verdict verdict) => verdict switch
    {
        Verdict.Reproduced => "reproduced",
        Verdict.Flaky => "flaky",
        Verdict.NotReproduced => "not_reproduced",
        _ => "error",
    };

    const string ReproducerColumns = "r.digest, r.body, 'attached' AS source, r.added_by, r.added_org, r.added_at";

    sealed class ReproducerRow
    {
        public string digest { get; init; } = "";
        public string body { get; init; } = "";
        public string source { get; init; } = "";
        public string? added_by { get; init; }
        public string? added_org { get; init; }
        public long? added_at { get; init; }

        public CaseReproducer ToReproducer(string caseId)
        {
            using var document = JsonDocument.Parse(body);
            return new CaseReproducer(digest, caseId, source, added_by, added_org,
                added_at is { } at ? DateTimeOffset.FromUnixTimeMilliseconds(at) : null, document.RootElement.Clone());
        }
    }

    sealed class RunRow
    {
        public string id { get; init; } = "";
        public string purpose { get; init; } = "";
        public string? revision { get; init; }
        public string state { get; init; } = "";
        public string? verdict { get; init; }
        public long? runs { get; init; }
        public long? crashes { get; init; }
        public string? crash_type { get; init; }
        public string? crash_state { get; init; }
        public long? security { get; init; }
        public string? error { get; init; }
        public string requested_by { get; init; } = "";
        public long requested_at { get; init; }
        public long? finished_at { get; init; }

        public ValidationRun ToRun(string caseId, IEnumerable<ResultRow> results) => new(
            id, caseId, purpose, revision, state, verdict, (int)(runs ?? 0), (int)(crashes ?? 0), crash_type,
            crash_state is null ? [] : JsonSerializer.Deserialize<List<string>>(crash_state)!, security is { } s ? s != 0 : null, error,
            requested_by, DateTimeOffset.FromUnixTimeMilliseconds(requested_at),
            finished_at is { } f ? DateTimeOffset.FromUnixTimeMilliseconds(f) : null,
            [.. results.Select(r => r.ToOutcome())]);
    }

    sealed class ResultRow
    {
        public string run_id { get; init; } = "";
        public long ordinal { get; init; }
        public string digest { get; init; } = "";
        public string source { get; init; } = "";
        public string verdict { get; init; } = "";
        public string? error { get; init; }
        public string log { get; init; } = "";

        public ReproducerOutcome ToOutcome()
        {
            using var document = JsonDocument.Parse(log);
            return new ReproducerOutcome((int)ordinal, digest, source, verdict, error, document.RootElement.Clone());
        }
    }
}

/// <summary>A run to do: its purpose, the fix's revision, and the reproducers (digest, source, JSON) to try.</summary>
internal sealed record PendingRun(
    string Id, string Purpose, string? Revision, IReadOnlyList<(string Digest, string Source, string Body)> Reproducers);

/// <summary>One reproducer's outcome as the job hands it to the store: the log is JSON already.</summary>
internal sealed record RunOutcome(string Digest, string Source, Verdict Verdict, string? Error, string Log, ReproducerResult? Result);

/// <summary>A run's outcomes summed up (<see cref="ValidationRun"/> says how).</summary>
internal sealed record RunSummary(string Verdict, long Runs, long Crashes, string? Type, IReadOnlyList<string> State, bool? Security, string? Error)
{
    public static RunSummary Of(IReadOnlyList<RunOutcome> outcomes, string? error)
    {
        var verdict = outcomes.Any(o => o.Verdict == Clearwing.Validation.Verdict.Reproduced) ? "reproduced"
            : outcomes.Any(o => o.Verdict == Clearwing.Validation.Verdict.Flaky) ? "flaky"
            : outcomes.Any(o => o.Verdict == Clearwing.Validation.Verdict.NotReproduced) ? "not_reproduced"
            : "error";
        var attempts = outcomes.SelectMany(o => o.Result?.Attempts ?? []).ToList();
        var crash = (attempts.FirstOrDefault(a => a.Reproduced && a.Crash is not null) ?? attempts.FirstOrDefault(a => a.Crash is not null))?.Crash;
        error ??= verdict == "error" ? string.Join(" ", outcomes.Select(o => o.Error).Where(e => e is not null)) : null;
        return new RunSummary(verdict, attempts.Count, attempts.Count(a => a.Crash is not null), crash?.Type, crash?.State ?? [], crash?.Security,
            string.IsNullOrEmpty(error) ? null : error);
    }

    /// <summary>"7 of 10 runs crashed with Heap-buffer-overflow in parse_header".</summary>
    public string Describe() =>
        $"{Crashes} of {Runs} runs crashed" + (Type is null ? "" : $" with {Type.Split('\n')[0]}") +
        (State.Count == 0 ? "" : $" in {string.Join(" / ", State)}");
}
