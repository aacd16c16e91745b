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

    public Task<Page<CaseSummary>> ListAsync(Caller caller, CaseFilter filter, CancellationToken ct = default) =>
        ListAsync(caller, filter, null, ct);

    /// <summary>
    /// <see cref="ListAsync(Caller, CaseFilter, CancellationToken)"/> of only the cases that also match <paramref name="also"/>
    /// (over <c>cases c</c>, no parameters): the validator queue reads the new and triaged cases in priority order.
    /// </summary>
    internal async Task<Page<CaseSummary>> ListAsync(Caller caller, CaseFilter filter, string? also, CancellationToken ct)
    {
        var limit = Paging.Limit(filter.Limit, MaxLimit);
        var offset = Math.Max(filter.Offset, 0);
        var match = $"""
            c.merged_into IS NULL AND {NeedToKnow.Case(caller)} {(also is null ? "" : $"AND ({also})")}
            {(filter.Project is null ? "" : "AND c.project_id = (SELECT id FROM projects WHERE name = @project)")}
            {(filter.State is null ? "" : "AND c.state = @state")}
            AND {(filter.Signal is null ? VulnerabilityQueue : "c.signal = @signal")}
            """;
        var args = new DynamicParameters(new
        {
            project = filter.Project, state = filter.State is { } s ? Lifecycle.Name(s) : null, limit, offset, callerOrg = caller.OrgId,
            signal = (long?)filter.Signal,
        });
        // Exact when read: the listed cases' stale priorities are recomputed first (PriorityStore).
        await priority.RefreshAsync(match, args, ct);
        var now = time.GetUtcNow();
        var order = filter.Sort switch
        {
            CaseSort.Severity => SeverityOrder,
            CaseSort.Recent => RecentOrder,
            _ => PriorityStore.Order,
        };
        var after = filter.After is { } cursor ? order.AddAfter(args, cursor, offset) : (long?)null;
        // The next pages rank as the first did: the deadline's points are those of the instant it was listed.
        var rankedAt = after ?? now.ToUnixTimeMilliseconds();
        PriorityStore.AddOrderArgs(args, DateTimeOffset.FromUnixTimeMilliseconds(rankedAt));
        await using var connection = await db.OpenAsync(ct);
        var total = await connection.ExecuteScalarAsync<long>($"SELECT count(*) FROM cases c WHERE {match}", args);
        var rows = await connection.QueryAsync<CaseRow, Keyset.Keys, (CaseRow Case, Keyset.Keys Keys)>(
            $"""
            SELECT {Columns}, {order.Columns}
            FROM cases c JOIN projects p ON p.id = c.project_id LEFT JOIN case_priority q ON q.case_seq = c.seq
            WHERE {match} {(after is null ? "" : "AND " + order.After)}
            ORDER BY {order.OrderBy}
            LIMIT @limit + 1 OFFSET @offset
            """, (c, k) => (c, k), args, splitOn: "k0");
        return order.Page(rows.ToList(), r => r.Case.ToSummary(now), r => r.Keys, rankedAt, total, offset, limit);
    }

    static readonly Keyset SeverityOrder = new("severity", ("c.max_severity", true), ("c.last_seen", true), ("c.seq", true));
    static readonly Keyset RecentOrder = new("recent", ("c.last_seen", true), ("c.seq", true));

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
