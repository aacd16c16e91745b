using Clearwing.Access;
using Clearwing.Findings;
using Clearwing.Storage;
using Dapper;

namespace Clearwing.Cases;

/// <summary>
/// Reads cases within the caller's need-to-know (<see cref="NeedToKnow"/>): a case outside it is not found.
/// Merged-away cases are hidden from lists but still answer by id, pointing at the survivor.
/// </summary>
public sealed class CaseQueries(Database db)
{
    public const int MaxLimit = 1000;

    public async Task<Page<CaseSummary>> ListAsync(Caller caller, CaseFilter filter, CancellationToken ct = default)
    {
        var limit = Math.Clamp(filter.Limit, 1, MaxLimit);
        var offset = Math.Max(filter.Offset, 0);
        var where = $"""
            FROM cases c JOIN projects p ON p.id = c.project_id
            WHERE c.merged_into IS NULL AND {NeedToKnow.Case(caller)}
            {(filter.Project is null ? "" : "AND c.project_id = (SELECT id FROM projects WHERE name = @project)")}
            {(filter.State is null ? "" : "AND c.state = @state")}
            """;
        var args = new { project = filter.Project, state = filter.State, limit, offset, callerOrg = caller.OrgId };
        await using var connection = await db.OpenAsync(ct);
        var total = await connection.ExecuteScalarAsync<long>($"SELECT count(*) {where}", args);
        var rows = await connection.QueryAsync<CaseRow>(
            $"""
            SELECT c.id, p.name AS project, c.title, c.state, c.finding_count, c.max_severity, c.first_seen, c.last_seen, c.merged_into
            {where}
            ORDER BY c.max_severity DESC, c.last_seen DESC, c.seq DESC
            LIMIT @limit OFFSET @offset
            """, args);
        return new Page<CaseSummary>(rows.Select(r => r.ToSummary()).ToList(), total, offset, limit);
    }

    public async Task<CaseDetail?> GetAsync(Caller caller, string id, CancellationToken ct = default)
    {
        await using var connection = await db.OpenAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<CaseRow>(
            $"""
            SELECT c.id, p.name AS project, c.title, c.state, c.finding_count, c.max_severity, c.first_seen, c.last_seen, c.merged_into
            FROM cases c JOIN projects p ON p.id = c.project_id WHERE c.id = @id AND {NeedToKnow.Case(caller)}
            """, new { id, callerOrg = caller.OrgId });
        if (row is null) return null;
        var fingerprints = await connection.QueryAsync<string>(
            "SELECT x.fingerprint FROM fingerprints x JOIN cases c ON c.seq = x.case_seq WHERE c.id = @id ORDER BY x.fingerprint", new { id });
        var changes = await connection.QueryAsync<ChangeRow>(
            "SELECT action, other_case, reason, fingerprints, changed_at FROM case_changes WHERE case_id = @id ORDER BY changed_at, id",
            new { id });
        return new CaseDetail(row.ToSummary(), row.merged_into, fingerprints.ToList(),
            changes.Select(c => new CaseChange(c.action, c.other_case, c.reason, c.fingerprints, FromMs(c.changed_at))).ToList());
    }

    internal static DateTimeOffset FromMs(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    sealed record CaseRow(string id, string project, string title, string state, long finding_count, long max_severity,
        long first_seen, long last_seen, string? merged_into)
    {
        public CaseSummary ToSummary() => new(id, project, title, state, finding_count, (ReportedSeverity)max_severity,
            FromMs(first_seen), FromMs(last_seen));
    }

    sealed record ChangeRow(string action, string other_case, string reason, long fingerprints, long changed_at);
}
