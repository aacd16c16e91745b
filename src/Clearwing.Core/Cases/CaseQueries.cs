using System.Data.Common;
using Clearwing.Access;
using Clearwing.Findings;
using Clearwing.Scoring;
using Clearwing.Storage;
using Dapper;

namespace Clearwing.Cases;

/// <summary>
/// Reads cases within the caller's need-to-know (<see cref="NeedToKnow"/>): a case outside it is not found.
/// Merged-away cases are hidden from lists but still answer by id, pointing at the survivor.
/// </summary>
public sealed class CaseQueries(Database db, TimeProvider time, PriorityStore priority)
{
    public const int MaxLimit = 1000;

    /// <summary>How far a listing counts its matches unless asked for an exact total (<see cref="CaseFilter.ExactTotal"/>) or it
    /// counted them anyway: past it, <see cref="Page{T}.Total"/> is this and <see cref="Page{T}.TotalCapped"/> is set ("1,000+").
    /// Counting every case of a million findings would cost a page more than reading it (docs/case-queue.md).</summary>
    public const int CountCap = 1_000;

    /// <summary>A filter that picks at most this many cases (its probe says) is where a page starts: those cases are read, sorted
    /// and counted. With more, the page reads the order's index and checks the filters on the way.</summary>
    /// <remarks>Settable for the tests, which hold few cases: at 0, every listing walks its order's index as a large program's does.</remarks>
    internal int DriveMost { get; init; } = 5_000;

    /// <summary>Cases within the caller's need-to-know that match <paramref name="filter"/>, a page at a time.</summary>
    /// <remarks>A page reads the streams of its order (<see cref="QueueOrder"/>) each through its index from the cursor on, as far as
    /// the page needs, and checks the filters on the way, mostly in the index, and its total is counted apart up to
    /// <see cref="CountCap"/>; or, when one filter picks few cases, one query reads those, counts and sorts them
    /// (docs/case-queue.md, "How a page is read").</remarks>
    public async Task<Page<CaseSummary>> ListAsync(Caller caller, CaseFilter filter, CancellationToken ct = default)
    {
        var limit = Paging.Limit(filter.Limit, MaxLimit);
        var offset = Math.Max(filter.Offset, 0);
        var args = new DynamicParameters(new { limit, offset, callerOrg = caller.OrgId, window = limit + 1 + offset });
        await using var connection = await db.OpenAsync(ct);
        if (filter.Project is { } project)
        {
            // Looked up first: PostgreSQL estimates a project's cases from its statistics only for a known key.
            if (await connection.ExecuteScalarAsync<long?>(new CommandDefinition("SELECT id FROM projects WHERE name = @project",
                    new { project }, cancellationToken: ct)) is not { } projectId)
                return new Page<CaseSummary>([], 0, offset, limit);
            args.Add("projectId", projectId);
        }
        var terms = CaseTerms(caller, filter, args);
        // Exact when read: the listed cases' stale priorities are recomputed first (PriorityStore), whatever the filters on them say.
        await priority.RefreshAsync(string.Join(" AND ", terms.Select(t => t.Sql)), args, ct);
        var now = time.GetUtcNow();
        var order = filter.Sort switch
        {
            CaseSort.Severity => SeverityOrder,
            CaseSort.Recent => RecentOrder,
            CaseSort.Deadline => DeadlineOrder,
            CaseSort.Age => AgeOrder,
            _ => PriorityStore.Order,
        };
        var after = filter.After is { } cursor ? order.Whole.AddAfter(args, cursor, offset) : (long?)null;
        // The next pages rank and filter as the first did: the deadline's points and window are those of the instant it was listed.
        var rankedAt = after ?? now.ToUnixTimeMilliseconds();
        PriorityStore.AddOrderArgs(args, rankedAt);
        terms.AddRange(QueueTerms(filter, rankedAt, args));

        var driver = await DriverAsync(connection, terms, args, ct);
        var match = string.Join(" AND ", terms.Where(t => t != driver).Select(t => t.Sql));
        var keys = order.Whole;
        var from = driver is { } d
            // Every match, counted as it is read (n), then the page after the cursor.
            ? $"""
              (SELECT * FROM (SELECT c.seq AS s, {keys.Columns}, count(*) OVER () AS n FROM {d.From} WHERE {d.Joins} AND {match}) w
               {(after is null ? "" : "WHERE " + keys.AfterColumns)} ORDER BY {keys.OrderByColumns} LIMIT @limit + 1 OFFSET @offset) o
              """
            : $"""
              (SELECT u.*, CAST(0 AS BIGINT) AS n FROM ({string.Join(" UNION ALL ", Streams(order, filter).Select((s, i) =>
                  StreamSql(s, match, after is not null, i)).DefaultIfEmpty(Nothing(keys)))}) u
               ORDER BY {keys.OrderByColumns} LIMIT @limit + 1 OFFSET @offset) o
              """;
        var rows = (await connection.QueryAsync<CaseRow, Keyset.Keys, long, (CaseRow Case, Keyset.Keys Keys, long Counted)>(
            new CommandDefinition($"""
                SELECT {Columns}, {keys.ColumnNames}, o.n
                FROM {from}
                JOIN cases c ON c.seq = o.s JOIN projects p ON p.id = c.project_id LEFT JOIN case_priority q ON q.case_seq = c.seq
                ORDER BY {keys.OrderByColumns}
                """, args, cancellationToken: ct), (c, k, n) => (c, k, n), splitOn: "k0,n")).ToList();
        var (total, capped) = driver is not null && rows.Count > 0 ? (rows[0].Counted, false)
            // A first page with nothing on it: nothing matches.
            : driver is not null && after is null && offset == 0 ? (0, false)
            : filter.ExactTotal ? (await ExactCountAsync(connection, terms, args, ct), false)
            : await CountAsync(connection, terms, driver, filter, args, ct);
        return keys.Page(rows, r => r.Case.ToSummary(now), r => r.Keys, rankedAt, total, offset, limit) with { TotalCapped = capped };
    }

    /// <summary>A stream's part of a page: its first cases in its index's order (after the cursor), as many as the page can show.</summary>
    string StreamSql(QueueStream stream, string match, bool after, int number) => $"""
        SELECT * FROM (
            SELECT c.seq AS s, {stream.Keys.Columns} FROM cases c {db.Dialect.IndexedBy(stream.Index)}
            WHERE {match} {(stream.Where is null ? "" : "AND " + stream.Where)} {(after ? "AND " + stream.Keys.After : "")}
            ORDER BY {stream.Keys.OrderBy} LIMIT @window) s{number}
        """;

    /// <summary>No stream can hold a match (a deadline window none of the priority order's streams reaches): no rows, in their shape.</summary>
    static string Nothing(Keyset keys) => $"SELECT c.seq AS s, {keys.Columns} FROM cases c WHERE 1 = 0";

    /// <summary>Every match, counted (<see cref="CaseFilter.ExactTotal"/>): the engine picks the way.</summary>
    static async Task<long> ExactCountAsync(DbConnection connection, List<Term> terms, DynamicParameters args, CancellationToken ct) =>
        await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            $"SELECT count(*) FROM cases c WHERE {string.Join(" AND ", terms.Select(t => t.Sql))}", args, cancellationToken: ct));

    /// <summary>
    /// A condition on the listed cases (over <c>cases c</c>). <see cref="Sql"/> is checked on each case a page reads. A filter that
    /// can pick its cases itself says how many at most it picks (<see cref="Probe"/>, a query with a row per case) and how:
    /// <see cref="From"/> reaches <c>cases c</c> from its own rows (each case once), under <see cref="Joins"/>. <see cref="Lookup"/>:
    /// <see cref="Sql"/> looks each case up in another table, which a count that walks the order's index would do for every case.
    /// </summary>
    sealed record Term(string Sql, string? Probe = null, string From = "", string Joins = "", bool Lookup = false)
    {
        /// <summary>A filter on the cases' own column, through <paramref name="index"/> (<paramref name="partial"/>: over the cases not merged
        /// away): itself picks the cases. Its probe reads only the index.</summary>
        public static Term Indexed(string sql, string index, Dialect dialect, bool partial = false) => new(sql,
            $"SELECT 1 FROM cases c {dialect.IndexedBy(index)} WHERE {(partial ? "c.merged_into IS NULL AND " : "")}{sql}",
            $"cases c {dialect.IndexedBy(index)}", sql);
    }

    /// <summary>What a listing's cases must be whatever their priority says: the caller's need-to-know, not merged away, and the
    /// filters on the case itself and its findings.</summary>
    List<Term> CaseTerms(Caller caller, CaseFilter filter, DynamicParameters args)
    {
        var dialect = db.Dialect;
        var terms = new List<Term> { new("c.merged_into IS NULL") };
        if (NeedToKnow.GrantedCases(caller) is { } granted)
            terms.Add(new(NeedToKnow.Case(caller), granted, $"({granted}) g CROSS JOIN cases c {dialect.IndexedBy(Dialect.ByKey)}",
                "c.seq = g.case_seq", Lookup: true));
        else if (caller.Kind == OrgKind.Downstream) terms.Add(Term.Indexed(NeedToKnow.Case(caller), "cases_by_state", dialect));
        else terms.Add(new(NeedToKnow.Case(caller)));
        if (filter.Project is not null) terms.Add(Term.Indexed("c.project_id = @projectId", "cases_by_project", dialect));
        var states = filter.AllStates;
        if (states.Count > 0)
        {
            terms.Add(Term.Indexed($"c.state IN ({string.Join(", ", states.Select((_, i) => "@state" + i))})", "cases_by_state", dialect));
            for (var i = 0; i < states.Count; i++) args.Add("state" + i, Lifecycle.Name(states[i]));
        }
        if (filter.Signal is { } signal)
        {
            terms.Add(new("c.signal = @signal"));
            args.Add("signal", (long)signal);
        }
        else terms.Add(new(VulnerabilityQueue));
        if (filter.MinSeverity is { } severity)
        {
            terms.Add(new("c.max_severity >= @minSeverity"));
            args.Add("minSeverity", (long)severity);
        }
        if (filter.Finder is { } finder)
        {
            // One lookup by key per case (case_finders, kept by imports and merges): none of its findings is read.
            terms.Add(new("EXISTS (SELECT 1 FROM case_finders cf WHERE cf.tool = @finder AND cf.case_seq = c.seq)",
                "SELECT 1 FROM case_finders cf WHERE cf.tool = @finder", $"case_finders cf CROSS JOIN cases c {dialect.IndexedBy(Dialect.ByKey)}",
                "cf.tool = @finder AND c.seq = cf.case_seq", Lookup: true));
            args.Add("finder", finder);
        }
        return terms;
    }

    /// <summary>The filters on a case's place in the queue, read (at <paramref name="rankedAt"/>) after its stale priority was
    /// recomputed. The filter on the score depends on the stream (<see cref="Streams"/>); here it is over the whole order.</summary>
    IEnumerable<Term> QueueTerms(CaseFilter filter, long rankedAt, DynamicParameters args)
    {
        if (filter.MinPriority is { } points)
        {
            args.Add("minPriority", (long)points);
            yield return new($"{PriorityStore.ScoreSql} >= @minPriority");
        }
        if (filter.Deadline is { } window)
        {
            if (window.Days is { } days) args.Add("negUntil", -(rankedAt + (long)TimeSpan.FromDays(days).TotalMilliseconds));
            yield return Term.Indexed(Window(window), "cases_by_deadline", db.Dialect, partial: true);
        }
        if (filter.Exposed is { } exposed)
        {
            const string Check = "EXISTS (SELECT 1 FROM case_priority e WHERE e.case_seq = c.seq AND e.exposure_orgs > 0)";
            yield return exposed
                ? new(Check, "SELECT 1 FROM case_priority e WHERE e.exposure_orgs > 0",
                    $"case_priority e {db.Dialect.IndexedBy("case_priority_exposed")} CROSS JOIN cases c {db.Dialect.IndexedBy(Dialect.ByKey)}",
                    "e.exposure_orgs > 0 AND c.seq = e.case_seq", Lookup: true)
                : new($"NOT {Check}");
        }
    }

    /// <summary>Open cases whose queue deadline falls in the window (a closed case has none).</summary>
    static string Window(DeadlineWindow window) => window.Days is null
        ? "c.queue_neg_deadline >= @negNow"
        : "c.queue_neg_deadline < @negNow AND c.queue_neg_deadline >= @negUntil";

    /// <summary>
    /// The streams a page reads in walking the order. Under a filter on the score, the priority order's streams seek to their
    /// least score: the cases without a deadline a signal at a time (<c>cases_by_priority</c> holds open cases, then each signal,
    /// by score), so that few cases with a high score cost no walk through the rest. Under a deadline filter, only the streams
    /// whose deadlines can fall in its window; under a filter on states none of which is on the disclosure clock, none of those.
    /// </summary>
    static List<QueueStream> Streams(QueueOrder order, CaseFilter filter)
    {
        var streams = new List<QueueStream>();
        foreach (var stream in order.Streams)
        {
            var s = stream;
            if (filter.Deadline is { } window && s.Band is { } band)
            {
                var (from, to) = window.Days is { } days ? (0d, (double)days) : (double.MinValue, 0d);
                if (Math.Max(band.From, from) >= Math.Min(band.To, to)) continue;
            }
            // Only cases on the disclosure clock have a deadline.
            if (s.Band is { From: < double.MaxValue } && !OnTheClock(filter)) continue;
            if (filter.MinPriority is not { } points || s.Band is null)
            {
                streams.Add(s);
                continue;
            }
            var atLeast = $"{s.Score.Sql} >= @minPriority - {s.Score.Shift}";
            if (s.Index != "cases_by_priority") streams.Add(s with { Where = $"{s.Where} AND {atLeast}" });
            else if (points <= 0) streams.Add(s);
            else
                foreach (var signal in Enum.GetValues<SecuritySignal>().Reverse())
                    streams.Add(s with { Where = $"{s.Where} AND c.queue_open = 1 AND c.signal = {(long)signal} AND {atLeast}" });
        }
        return streams;
    }

    /// <summary>The filter to start from: the one whose probe counts fewest cases, when that is at most <see cref="DriveMost"/>.</summary>
    async Task<Term?> DriverAsync(DbConnection connection, List<Term> terms, DynamicParameters args, CancellationToken ct)
    {
        var probed = terms.Where(t => t.Probe is not null).ToList();
        if (probed.Count == 0) return null;
        var counts = await connection.QueryAsync<(long Probe, long Found)>(new CommandDefinition(string.Join(" UNION ALL ", probed.Select((t, i) =>
            $"SELECT {i} AS probe, count(*) AS found FROM (SELECT 1 AS one FROM ({t.Probe}) p{i} LIMIT {DriveMost + 1}) q{i}")),
            args, cancellationToken: ct));
        var fewest = counts.MinBy(c => c.Found);
        return fewest.Found <= DriveMost ? probed[(int)fewest.Probe] : null;
    }

    /// <summary>
    /// The matches up to one past <see cref="CountCap"/>: every one when started from a filter (they are few, and the page did not
    /// count them: it was empty past the cursor). Else from the rows of a filter that looks each case up (a finder's, the exposed
    /// cases, a maintainer's grants): each of its rows is one case to check, where walking the order would look up every case; else
    /// through the priority order's two indexes, which hold what the other filters check: those of them that can hold a match (a
    /// deadline filter, only cases with a deadline; states none of which is on the disclosure clock, only cases without).
    /// </summary>
    async Task<(long Total, bool Capped)> CountAsync(DbConnection connection, List<Term> terms, Term? driver, CaseFilter filter,
        DynamicParameters args, CancellationToken ct)
    {
        string Where(Term source) => string.Join(" AND ", terms.Where(t => t != source).Select(t => t.Sql).Prepend(source.Joins));
        if (driver is not null)
            return (await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                $"SELECT count(*) FROM {driver.From} WHERE {Where(driver)}", args, cancellationToken: ct)), false);
        string Up(string from, string where) => $"(SELECT count(*) FROM (SELECT 1 AS one FROM {from} WHERE {where} LIMIT {CountCap + 1}) n)";
        var match = string.Join(" AND ", terms.Select(t => t.Sql));
        var indexes = new List<string>();
        if (filter.Deadline is null)
            indexes.Add(Up($"cases c {db.Dialect.IndexedBy("cases_by_priority")}", $"{match} AND {PriorityStore.NoDeadlineSql}"));
        if (OnTheClock(filter))
            indexes.Add(Up($"cases c {db.Dialect.IndexedBy("cases_with_deadline")}", $"{match} AND {PriorityStore.HasDeadline}"));
        var sql = terms.FirstOrDefault(t => t.Lookup && t.Probe is not null) is { } source ? Up(source.From, Where(source))
            : indexes.Count == 0 ? "0" : string.Join(" + ", indexes);
        var counted = await connection.ExecuteScalarAsync<long>(new CommandDefinition($"SELECT {sql}", args, cancellationToken: ct));
        return counted > CountCap ? (CountCap, true) : (counted, false);
    }

    /// <summary>Whether a case the filter picks can have a deadline: only cases on the disclosure clock have one.</summary>
    static bool OnTheClock(CaseFilter filter) => filter.AllStates is not { Count: > 0 } states || states.Any(ClockStore.OnTheClock.Contains);

    static readonly QueueOrder SeverityOrder = Single(new("severity", true, "c.max_severity", "c.last_seen", "c.seq"), null);
    static readonly QueueOrder RecentOrder = Single(new("recent", true, "c.last_seen", "c.seq"), null);
    /// <summary>The soonest open deadline first (a closed case has none in the queue), then the newest case.</summary>
    static readonly QueueOrder DeadlineOrder = Single(new("deadline", true, "c.queue_neg_deadline", "c.seq"), "cases_by_deadline");
    /// <summary>The case first seen longest ago first.</summary>
    static readonly QueueOrder AgeOrder = Single(new("age", false, "c.first_seen", "c.seq"), "cases_by_age");

    static QueueOrder Single(Keyset keys, string? index) => new(keys, new QueueStream(keys, index, null, (PriorityStore.ScoreSql, 0)));

    public async Task<CaseDetail?> GetAsync(Caller caller, string id, CancellationToken ct = default)
    {
        var match = $"c.id = @id AND {NeedToKnow.Case(caller)}";
        var args = new { id, callerOrg = caller.OrgId };
        await priority.RefreshAsync(match, args, ct);
        await using var connection = await db.OpenAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<CaseRow>(
            $"""
            SELECT {Columns}
            FROM cases c JOIN projects p ON p.id = c.project_id LEFT JOIN case_priority q ON q.case_seq = c.seq WHERE {match}
            """, args);
        if (row is null) return null;
        var fingerprints = await connection.QueryAsync<string>(
            "SELECT x.fingerprint FROM fingerprints x JOIN cases c ON c.seq = x.case_seq WHERE c.id = @id ORDER BY x.fingerprint", new { id });
        var changes = await connection.QueryAsync<ChangeRow>(
            "SELECT action, other_case, reason, fingerprints, changed_at FROM case_changes WHERE case_id = @id ORDER BY changed_at, id",
            new { id });
        IReadOnlyList<CaseReason> reasons = [];
        CaseBaseline? baseline = null;
        // Downstream orgs see a disclosed case, not its findings: which import found what, and when it went away.
        if (NeedToKnow.SeesFindingsOfVisibleCases(caller))
        {
            var history = await CaseReasons.HistoryAsync(connection, "c.id = @id", new { id });
            reasons = [.. history.Select(h => h.Last()).OrderBy(r => r.Fingerprint, StringComparer.Ordinal)];
            baseline = await BaselineAsync(connection, id);
        }
        return new CaseDetail(row.ToSummary(time.GetUtcNow()), row.merged_into, fingerprints.ToList(),
            changes.Select(c => new CaseChange(c.action, c.other_case, c.reason, c.fingerprints, FromMs(c.changed_at))).ToList(),
            reasons, baseline, await connection.ExecuteScalarAsync<string?>("SELECT fix_verification FROM cases WHERE id = @id", new { id }));
    }

    /// <summary>The case's tracked results as the latest imports left them (not those a matching pass moved to another track); a
    /// present one's suppression is its latest finding's.</summary>
    static async Task<CaseBaseline> BaselineAsync(DbConnection connection, string id)
    {
        var tracks = (await connection.QueryAsync<TrackRow>(
            """
            SELECT t.present, t.last_import, t.last_revision,
                   (SELECT max(f.suppressed) FROM findings f
                    WHERE f.fingerprint_id = t.fingerprint_id AND f.occurrence = t.occurrence AND f.import_seq = t.last_import
                      AND f.baseline_state <> 'absent') AS suppressed
            FROM cases c JOIN fingerprints x ON x.case_seq = c.seq JOIN tracks t ON t.fingerprint_id = x.id
            WHERE c.id = @id AND t.moved_to_fingerprint IS NULL
            """, new { id })).ToList();
        var present = tracks.Where(t => t.present != 0).ToList();
        var absent = tracks.Where(t => t.present == 0).ToList();
        return new CaseBaseline(present.Count, present.Count(t => t.suppressed == 1), absent.Count,
            absent.MaxBy(t => t.last_import)?.last_revision);
    }

    // A class: SQLite types a subquery's column by its first value, which may be NULL.
    sealed class TrackRow
    {
        public long present { get; init; }
        public long last_import { get; init; }
        public string last_revision { get; init; } = "";
        public long? suppressed { get; init; }
    }

    /// <summary>The cases a list shows unless asked for a signal: all but the quality findings of projects that keep them apart.</summary>
    internal const string VulnerabilityQueue =
        "(c.signal > 0 OR EXISTS (SELECT 1 FROM projects np WHERE np.id = c.project_id AND np.non_security = 'cases'))";

    internal static DateTimeOffset FromMs(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    const string Columns = $"""
        c.id, p.name AS project, c.title, c.state, c.finding_count, c.max_severity, c.first_seen, c.last_seen, c.merged_into, c.signal,
        {PriorityStore.Columns}
        """;

    sealed class CaseRow
    {
        public string id { get; init; } = "";
        public string project { get; init; } = "";
        public string title { get; init; } = "";
        public string state { get; init; } = "";
        public long finding_count { get; init; }
        public long max_severity { get; init; }
        public long first_seen { get; init; }
        public long last_seen { get; init; }
        public string? merged_into { get; init; }
        public long signal { get; init; }
        public long? PriorityClosed { get; init; }
        public string? PrioritySsvc { get; init; }
        public string? PrioritySsvcMissing { get; init; }
        public string? PriorityExploitation { get; init; }
        public string? PriorityExploitationSource { get; init; }
        public long? PriorityCvssTenths { get; init; }
        public string? PriorityCvssVector { get; init; }
        public long? PriorityExposureOrgs { get; init; }
        public long? PriorityExposureProducts { get; init; }
        public long? PriorityDeadlineAt { get; init; }
        public string? PriorityDeadlineKind { get; init; }

        public CaseSummary ToSummary(DateTimeOffset now) => new(
            id, project, title, Lifecycle.Stored(state), finding_count, (ReportedSeverity)max_severity, FromMs(first_seen), FromMs(last_seen),
            Priority.Compute(PriorityStore.FromColumns(PriorityClosed, PrioritySsvc, PrioritySsvcMissing,
                PriorityExploitation ?? Priority.Exploitation.None, PriorityExploitationSource, PriorityCvssTenths, PriorityCvssVector,
                PriorityExposureOrgs ?? 0, PriorityExposureProducts ?? 0, PriorityDeadlineAt, PriorityDeadlineKind), now), (SecuritySignal)signal);
    }

    sealed record ChangeRow(string action, string other_case, string reason, long fingerprints, long changed_at);
}
