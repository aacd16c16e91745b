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

    /// <summary>
    /// The ordering as SQL over <c>cases c</c> and <c>case_priority q</c> (joined with LEFT JOIN, so a case without
    /// a row still lists): closed cases last, then security cases before unknown ones before those that are not security
    /// relevant (docs/signal.md), then the score with the deadline's points for <c>@now</c>, then the
    /// sooner deadline, the higher CVSS score, the highest reported severity, the latest seen, the newest case (unique: the order
    /// is total, the same on both engines, and pages by key).
    /// </summary>
    internal static readonly Keyset Order = new("priority",
        ("COALESCE(q.closed, 0)", false), ("c.signal", true), (ScoreSql, true), ("COALESCE(q.deadline_at, 9223372036854775807)", false),
        ("COALESCE(q.cvss_tenths, -1)", true), ("c.max_severity", true), ("c.last_seen", true), ("c.seq", true));

    /// <summary><see cref="Priority.DeadlinePoints"/> in SQL, with the thresholds as parameters (<see cref="AddOrderArgs"/>).</summary>
    internal const string ScoreSql = """
        (COALESCE(q.points, @freshPoints) + CASE WHEN q.deadline_at IS NULL OR q.closed = 1 THEN 0
             WHEN q.deadline_at <= @priorityNow THEN @overduePoints
             WHEN q.deadline_at <= @prioritySoon THEN @dueSoonPoints
             WHEN q.deadline_at <= @priorityMonth THEN @dueThisMonthPoints
             ELSE 0 END)
        """;

    internal const string Columns = """
        q.closed AS PriorityClosed, q.ssvc AS PrioritySsvc, q.ssvc_missing AS PrioritySsvcMissing, q.exploitation AS PriorityExploitation,
        q.exploitation_source AS PriorityExploitationSource, q.cvss_tenths AS PriorityCvssTenths, q.cvss_vector AS PriorityCvssVector,
        q.exposure_orgs AS PriorityExposureOrgs, q.exposure_products AS PriorityExposureProducts, q.deadline_at AS PriorityDeadlineAt,
        q.deadline_kind AS PriorityDeadlineKind
        """;

    /// <summary>The parameters <see cref="Order"/> needs, for the hour <paramref name="now"/>.</summary>
    internal static void AddOrderArgs(DynamicParameters args, DateTimeOffset now)
    {
        var ms = now.ToUnixTimeMilliseconds();
        args.Add("priorityNow", ms);
        args.Add("prioritySoon", ms + (long)Priority.DueSoon.TotalMilliseconds);
        args.Add("priorityMonth", ms + (long)Priority.DueThisMonth.TotalMilliseconds);
        args.Add("overduePoints", Priority.OverduePoints);
        args.Add("dueSoonPoints", Priority.DueSoonPoints);
        args.Add("dueThisMonthPoints", Priority.DueThisMonthPoints);
        args.Add("freshPoints", Priority.StandingPoints(Fresh));
    }

    /// <summary>
    /// Recomputes the stale rows of the cases matching <paramref name="caseWhere"/> (over <c>cases c</c>). Each row is
    /// stored only if no change marked it again meanwhile; such a row stays stale and the next listing takes it.
    /// </summary>
    internal async Task RefreshAsync(string caseWhere, object args, CancellationToken ct)
    {
        List<(long Seq, long Version)> stale;
        await using (var connection = await db.OpenAsync(ct))
            stale = (await connection.QueryAsync<(long, long)>(new CommandDefinition(
                $"SELECT q.case_seq, q.version FROM case_priority q JOIN cases c ON c.seq = q.case_seq WHERE q.stale = 1 AND {caseWhere}",
                args, cancellationToken: ct))).ToList();
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
        i.Deadline?.ToUnixTimeMilliseconds(), i.DeadlineKind);

    /// <summary>A computed row, with the version it was computed from.</summary>
    sealed record StoredRow(long Seq, long Version, int Closed, int Points, string? Ssvc, string? SsvcMissing, string Exploitation,
        string? ExploitationSource, int? CvssTenths, string? CvssVector, int ExposureOrgs, int ExposureProducts, long? DeadlineAt,
        string? DeadlineKind);

    /// <summary>The stored factors of one listed case, read back into inputs (columns named as in <see cref="Columns"/>); no row:
    /// <see cref="Fresh"/>.</summary>
    internal static PriorityInputs FromColumns(long? closed, string? ssvc, string? ssvcMissing, string exploitation, string? exploitationSource,
        long? cvssTenths, string? cvssVector, long exposureOrgs, long exposureProducts, long? deadlineAt, string? deadlineKind) =>
        closed is null ? Fresh
        : new(closed == 1, ssvc, ssvcMissing?.Split(',') ?? [], exploitation, exploitationSource, (int?)cvssTenths, cvssVector,
            (int)exposureOrgs, (int)exposureProducts, deadlineAt is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null, deadlineKind);
}
