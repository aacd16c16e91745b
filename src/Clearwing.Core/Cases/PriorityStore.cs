using System.Data.Common;
using Clearwing.Access;
using Clearwing.Scoring;
using Clearwing.Storage;
using Dapper;

namespace Clearwing.Cases;

/// <summary>
/// Keeps each case's priority factors (<see cref="Priority"/>) in <c>case_priority</c>. It follows the case-changed hook:
/// whatever changes a factor marks the case stale in its own transaction; listings recompute the stale rows they are
/// about to show (<see cref="RefreshAsync"/>), so a list is exact when it is read. A case without a row is one nothing has
/// happened to since an import opened it (<see cref="Fresh"/>): a million-finding import writes no rows for the cases it opens.
/// </summary>
public sealed class PriorityStore(Database db, TimeProvider time) : ICaseChangeSubscriber
{
    const int Batch = 500;

    /// <summary>What the factors are computed from; new findings alone change none (a vector they report arrives as
    /// <see cref="CaseAspect.Cvss"/>).</summary>
    const CaseAspect Factors = CaseAspect.Cvss | CaseAspect.Ssvc | CaseAspect.Aliases | CaseAspect.Exploitation | CaseAspect.State
        | CaseAspect.Clock | CaseAspect.Exposure | CaseAspect.Membership;

    /// <summary>A case as an import opens it: new, nothing decided, no evidence, no vector reported, no deadline.</summary>
    internal static PriorityInputs Fresh { get; } = new(false, null, [.. SsvcTables.Get(Priority.SsvcTable).Inputs.Select(p => p.Id)],
        Priority.Exploitation.None, null, null, null, 0, 0, null, null);

    /// <summary>Marks the changed cases stale: their next listing recomputes their priority.</summary>
    public Task OnChangedAsync(CaseChangeScope scope, CaseChanged change, CancellationToken ct) =>
        (change.What & Factors) == 0 ? Task.CompletedTask : scope.Connection.ExecuteAsync(new CommandDefinition(
            $"""
            INSERT INTO case_priority (case_seq) SELECT c.seq FROM cases c WHERE {change.Cases.Where}
            ON CONFLICT (case_seq) DO UPDATE SET version = case_priority.version + 1, stale = 1
            """, change.Cases.Args, scope.Transaction, cancellationToken: ct));

    // Before Order, which reads them (static fields start in the order they are written).
    static readonly Keyset Keys = new("priority", true, "c.queue_open", "c.signal", "c.queue_points", "c.queue_neg_deadline", "c.queue_cvss",
        "c.max_severity", "c.seq");

    /// <summary>The score with <see cref="Priority.DeadlinePoints"/> in SQL, over <c>cases c</c>, for the instant of
    /// <see cref="AddOrderArgs"/>. A closed case's points are 0 and it has no deadline in the queue, so it scores 0.</summary>
    internal static readonly string ScoreSql = $"""
        (c.queue_points + CASE WHEN c.queue_neg_deadline >= @negNow THEN {Priority.OverduePoints}
             WHEN c.queue_neg_deadline >= @negSoon THEN {Priority.DueSoonPoints}
             WHEN c.queue_neg_deadline >= @negMonth THEN {Priority.DueThisMonthPoints} ELSE 0 END)
        """;

    /// <summary>The cases with a deadline in the queue (open ones with an open deadline): the condition of <c>cases_with_deadline</c>;
    /// the others are those of <c>cases_by_priority</c>. "No deadline" is written as "at most the least": SQLite reads an index in
    /// order no more past a column held equal to a constant, and sorts each run of equal keys before it (a query whose page ends
    /// within 30,000 cases of one score read them all: 90 ms instead of 7).</summary>
    internal const string HasDeadline = "c.queue_neg_deadline > -9223372036854775807", NoDeadlineSql = "c.queue_neg_deadline <= -9223372036854775807";

    /// <summary>
    /// The one order of case lists, from the queue's keys each case carries (<c>queue_*</c>, written by <see cref="StoreAsync"/>):
    /// open cases first, then security cases before unknown ones before those that are not security relevant (docs/signal.md),
    /// then the score with the deadline's points for <c>@negNow</c>, then the sooner deadline, the higher CVSS score, the
    /// highest reported severity, the newest case (unique: the order is total, the same on both engines, and pages by key).
    /// <para>
    /// Read in five streams, each in the order of an index: the cases without a deadline (<c>cases_by_priority</c>), and the cases
    /// with one (<c>cases_with_deadline</c>) in four: due in more than 30 days, within 30, within 7, passed, each with the same
    /// points added to its cases' standing points. Their place moves with the hour; reading them apart keeps every stream in an
    /// index's order (docs/case-queue.md).
    /// </para>
    /// </summary>
    internal static readonly QueueOrder Order = new(Keys.With(2, ScoreSql),
        // No deadline: beyond any window a deadline filter names.
        new QueueStream(Keys, "cases_by_priority", NoDeadlineSql, ("c.queue_points", 0), (double.MaxValue, double.MaxValue)),
        Band(0, "c.queue_neg_deadline < @negMonth", (Priority.DueThisMonth.TotalDays, double.MaxValue)),
        Band(Priority.DueThisMonthPoints, "c.queue_neg_deadline < @negSoon AND c.queue_neg_deadline >= @negMonth",
            (Priority.DueSoon.TotalDays, Priority.DueThisMonth.TotalDays)),
        Band(Priority.DueSoonPoints, "c.queue_neg_deadline < @negNow AND c.queue_neg_deadline >= @negSoon", (0, Priority.DueSoon.TotalDays)),
        Band(Priority.OverduePoints, "c.queue_neg_deadline >= @negNow", (double.MinValue, 0)));

    static QueueStream Band(int points, string where, (double, double) days) =>
        new(points == 0 ? Keys : Keys.Shifted(2, points), "cases_with_deadline", $"{HasDeadline} AND {where}", ("c.queue_points", points), days);

    /// <summary>The stored queue deadline when there is none (negated: the order descends).</summary>
    internal const long NoDeadline = -9223372036854775807;

    internal const string Columns = """
        q.closed AS PriorityClosed, q.ssvc AS PrioritySsvc, q.ssvc_missing AS PrioritySsvcMissing, q.exploitation AS PriorityExploitation,
        q.exploitation_source AS PriorityExploitationSource, q.cvss_tenths AS PriorityCvssTenths, q.cvss_vector AS PriorityCvssVector,
        q.exposure_orgs AS PriorityExposureOrgs, q.exposure_products AS PriorityExposureProducts, q.deadline_at AS PriorityDeadlineAt,
        q.deadline_kind AS PriorityDeadlineKind
        """;

    /// <summary>The parameters <see cref="Order"/> and <see cref="ScoreSql"/> need, for the instant <paramref name="ms"/> (Unix ms):
    /// the deadlines that give points, negated as the queue holds them.</summary>
    internal static void AddOrderArgs(DynamicParameters args, long ms)
    {
        args.Add("negNow", -ms);
        args.Add("negSoon", -(ms + (long)Priority.DueSoon.TotalMilliseconds));
        args.Add("negMonth", -(ms + (long)Priority.DueThisMonth.TotalMilliseconds));
    }

    /// <summary>
    /// Recomputes the stale rows of the cases matching <paramref name="caseWhere"/> (over <c>cases c</c>). Each row is
    /// stored only if no change marked it again meanwhile; such a row stays stale and the next listing takes it.
    /// </summary>
    internal async Task RefreshAsync(string caseWhere, object args, CancellationToken ct)
    {
        List<(long Seq, long Version)> stale;
        await using (var connection = await db.OpenAsync(ct))
        {
            // Nearly always none: one look at an index that holds only stale rows, and nothing to plan.
            if (await connection.ExecuteScalarAsync<long?>(new CommandDefinition("SELECT case_seq FROM case_priority WHERE stale = 1 LIMIT 1",
                    cancellationToken: ct)) is null)
                return;
            // From the stale rows (an index of their own) to their cases: a listing's filters must not make SQLite start from
            // the cases they pick (all of a project's, or of a state: tens of milliseconds when none is stale).
            stale = (await connection.QueryAsync<(long, long)>(new CommandDefinition(
                $"""
                SELECT q.case_seq, q.version FROM case_priority q {db.Dialect.IndexedBy("case_priority_stale")}
                JOIN cases c {db.Dialect.IndexedBy(Dialect.ByKey)} ON c.seq = q.case_seq WHERE q.stale = 1 AND {caseWhere}
                """, args, cancellationToken: ct))).ToList();
        }
        foreach (var batch in stale.Chunk(Batch))
            await StoreAsync(await ComputeAsync(batch, ct), ct);
    }

    /// <summary>The new rows of a batch of stale rows, each carrying the version it was read at.</summary>
    internal async Task<List<object>> ComputeAsync((long Seq, long Version)[] batch, CancellationToken ct)
    {
        // Integer keys only, so the list is safe to inline; it keeps every query below one round trip.
        var seqs = string.Join(",", batch.Select(b => b.Seq));
        var inputs = new Dictionary<long, Gathered>();
        await using (var connection = await db.OpenAsync(ct))
        {
            foreach (var (seq, state) in await connection.QueryAsync<(long, string)>($"SELECT seq, state FROM cases WHERE seq IN ({seqs})"))
                inputs[seq] = new Gathered(Lifecycle.Stored(state));
            foreach (var (seq, point, value, setBy) in await connection.QueryAsync<(long, string, string, string)>(
                         $"SELECT case_seq, decision_point, value, set_by FROM case_ssvc WHERE case_seq IN ({seqs})"))
                if (inputs.TryGetValue(seq, out var g)) g.Ssvc[point] = (value, setBy);
            foreach (var (seq, alias) in await connection.QueryAsync<(long, string)>(
                         "SELECT a.case_seq, MIN(a.alias) FROM case_aliases a JOIN kev k ON k.cve_id = a.alias " +
                         $"WHERE a.case_seq IN ({seqs}) GROUP BY a.case_seq"))
                if (inputs.TryGetValue(seq, out var g)) g.KevAlias = alias;
            foreach (var (seq, at) in await connection.QueryAsync<(long, long)>(
                         $"SELECT case_seq, exploited_at FROM case_clock WHERE case_seq IN ({seqs}) AND exploited_at IS NOT NULL"))
                if (inputs.TryGetValue(seq, out var g)) g.ExploitedAt = DateTimeOffset.FromUnixTimeMilliseconds(at);
            foreach (var (seq, vector) in await connection.QueryAsync<(long, string)>(
                         $"SELECT case_seq, vector FROM case_cvss WHERE case_seq IN ({seqs}) ORDER BY case_seq, id DESC"))
                if (inputs.TryGetValue(seq, out var g)) g.SetVectors.Add(vector);
            foreach (var (seq, vector, findings) in await connection.QueryAsync<(long, string, long)>(
                         $"""
                         SELECT x.case_seq, f.cvss_vector, count(*) FROM fingerprints x JOIN findings f ON f.fingerprint_id = x.id
                         WHERE x.case_seq IN ({seqs}) AND f.cvss_vector IS NOT NULL GROUP BY x.case_seq, f.cvss_vector
                         """))
                if (inputs.TryGetValue(seq, out var g)) g.IntakeVectors.Add((vector, findings));
            foreach (var (seq, orgs, products) in await connection.QueryAsync<(long, long, long)>(
                         $"""
                         SELECT case_seq, count(DISTINCT org_id), count(DISTINCT product_seq) FROM case_exposure
                         WHERE case_seq IN ({seqs}) AND affected = 1 GROUP BY case_seq
                         """))
                if (inputs.TryGetValue(seq, out var g)) (g.ExposureOrgs, g.ExposureProducts) = ((int)orgs, (int)products);
        }
        await foreach (var clock in ClockStore.RunningClocksAsync(db, time, seqs, ct))
            if (inputs.TryGetValue(clock.Seq, out var g))
                g.Deadline = clock.Clock.Deadlines.Where(d => d.IsOpen).MinBy(d => d.At);

        return [.. batch.Where(b => inputs.ContainsKey(b.Seq)).Select(b => Row(b.Seq, b.Version, Inputs(inputs[b.Seq])))];
    }

    /// <summary>
    /// Stores computed rows, each only where its version is still the one it was computed from: a change that marked the row
    /// again meanwhile wins, and the row stays stale. Returns the number of rows stored.
    /// </summary>
    internal async Task<int> StoreAsync(List<object> rows, CancellationToken ct)
    {
        await using var write = await db.OpenAsync(ct);
        await using var tx = await db.BeginAsync(write, ct);
        // The overview counts cases by their next deadline (OverviewTally).
        var counted = rows.Count == 0 ? null : await OverviewTally.BeginDeadlinesAsync(write, tx, db.Engine,
            $"c.seq IN ({string.Join(",", rows.Cast<StoredRow>().Select(r => r.Seq))})", ct);
        var stored = await write.ExecuteAsync(
            """
            UPDATE case_priority SET stale = 0, closed = @Closed, points = @Points, ssvc = @Ssvc, ssvc_missing = @SsvcMissing,
                   exploitation = @Exploitation, exploitation_source = @ExploitationSource, cvss_tenths = @CvssTenths, cvss_vector = @CvssVector,
                   exposure_orgs = @ExposureOrgs, exposure_products = @ExposureProducts, deadline_at = @DeadlineAt, deadline_kind = @DeadlineKind
            WHERE case_seq = @Seq AND version = @Version
            """, rows, tx);
        // The queue's keys follow, where the row was stored (and only there: a row marked again keeps the keys it had).
        await write.ExecuteAsync(
            """
            UPDATE cases SET queue_open = 1 - @Closed, queue_points = @Points, queue_neg_deadline = @QueueDeadline, queue_cvss = @QueueCvss
            WHERE seq = @Seq AND EXISTS (SELECT 1 FROM case_priority q WHERE q.case_seq = @Seq AND q.version = @Version AND q.stale = 0)
            """, rows, tx);
        if (counted is not null) await counted.EndAsync(ct);
        await tx.CommitAsync(ct);
        return stored;
    }

    /// <summary>Everything read about one case, before it becomes <see cref="PriorityInputs"/>.</summary>
    sealed class Gathered(CaseState state)
    {
        public CaseState State { get; } = state;
        public Dictionary<string, (string Value, string SetBy)> Ssvc { get; } = new(StringComparer.Ordinal);
        public string? KevAlias { get; set; }
        public DateTimeOffset? ExploitedAt { get; set; }
        public List<string> SetVectors { get; } = [];
        public List<(string Vector, long Findings)> IntakeVectors { get; } = [];
        public Deadline? Deadline { get; set; }
        public int ExposureOrgs { get; set; }
        public int ExposureProducts { get; set; }
    }

    static readonly CaseState[] Reproduced =
        [CaseState.Confirmed, CaseState.Notified, CaseState.FixInProgress, CaseState.Fixed, CaseState.FixVerified, CaseState.Disclosed];

    static PriorityInputs Inputs(Gathered g)
    {
        var table = SsvcTables.Get(Priority.SsvcTable);
        var values = g.Ssvc.ToDictionary(v => v.Key, v => v.Value.Value, StringComparer.Ordinal);
        var missing = table.Inputs.Where(p => !values.ContainsKey(p.Id)).Select(p => p.Id).ToList();
        var ssvc = missing.Count == 0 ? SsvcDecision.Decide(table, values).Outcome.Name : null;

        var stored = g.Ssvc.TryGetValue("exploitation", out var e) ? e : default;
        var (exploitation, source) =
            g.KevAlias is { } cve ? (Priority.Exploitation.Active, $"CISA KEV lists {cve}")
            : g.ExploitedAt is { } at ? (Priority.Exploitation.Active, $"exploited in the wild (recorded on the disclosure clock, {at:yyyy-MM-dd})")
            : IsValue(stored.Value, "active") ? (Priority.Exploitation.Active, $"SSVC exploitation set by {stored.SetBy}")
            : IsValue(stored.Value, "public poc") ? (Priority.Exploitation.PublicPoc, $"SSVC exploitation set by {stored.SetBy}")
            : Reproduced.Contains(g.State) ? (Priority.Exploitation.PublicPoc, "reproduced: the case was confirmed, which counts as a public PoC")
            : (Priority.Exploitation.None, null);

        var cvss = CaseCvss.Current(g.SetVectors, g.IntakeVectors);
        return new PriorityInputs(
            g.State is CaseState.Rejected or CaseState.Disclosed, ssvc, missing, exploitation, source,
            cvss is null ? null : (int)(cvss.Score * 10), cvss?.Vector,
            g.ExposureOrgs, g.ExposureProducts, g.Deadline?.At, g.Deadline is { } d ? KindName(d.Kind) : null);
    }

    static bool IsValue(string? value, string name) => string.Equals(value, name, StringComparison.OrdinalIgnoreCase);

    internal static string KindName(DeadlineKind kind) => kind switch
    {
        DeadlineKind.PublicDisclosure => "public disclosure",
        DeadlineKind.TechnicalDetails => "technical details",
        DeadlineKind.Escalation => "escalation",
        _ => kind.ToString(),
    };

    static StoredRow Row(long seq, long version, PriorityInputs i) => new(
        seq, version, i.Closed ? 1 : 0, Priority.StandingPoints(i), i.Ssvc, i.SsvcMissing.Count == 0 ? null : string.Join(",", i.SsvcMissing),
        i.Exploitation, i.ExploitationSource, i.CvssTenths, i.CvssVector, i.ExposureOrgs, i.ExposureProducts,
        i.Deadline?.ToUnixTimeMilliseconds(), i.DeadlineKind,
        i.Closed || i.Deadline is not { } at ? NoDeadline : -at.ToUnixTimeMilliseconds(), (long?)i.CvssTenths ?? -1);

    /// <summary>A computed row, with the version it was computed from, and the queue's keys it gives its case
    /// (<c>cases.queue_neg_deadline</c>, <c>cases.queue_cvss</c>).</summary>
    sealed record StoredRow(long Seq, long Version, int Closed, int Points, string? Ssvc, string? SsvcMissing, string Exploitation,
        string? ExploitationSource, int? CvssTenths, string? CvssVector, int ExposureOrgs, int ExposureProducts, long? DeadlineAt,
        string? DeadlineKind, long QueueDeadline, long QueueCvss);

    /// <summary>The stored factors of one listed case, read back into inputs (columns named as in <see cref="Columns"/>); no row:
    /// <see cref="Fresh"/>.</summary>
    internal static PriorityInputs FromColumns(long? closed, string? ssvc, string? ssvcMissing, string exploitation, string? exploitationSource,
        long? cvssTenths, string? cvssVector, long exposureOrgs, long exposureProducts, long? deadlineAt, string? deadlineKind) =>
        closed is null ? Fresh
        : new(closed == 1, ssvc, ssvcMissing?.Split(',') ?? [], exploitation, exploitationSource, (int?)cvssTenths, cvssVector,
            (int)exposureOrgs, (int)exposureProducts, deadlineAt is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null, deadlineKind);
}
