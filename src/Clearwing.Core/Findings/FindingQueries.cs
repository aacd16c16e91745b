using Clearwing.Access;
using Clearwing.Cases;
using Clearwing.Storage;
using Dapper;
using Clearwing.Scoring;

namespace Clearwing.Findings;

/// <summary>
/// Reads stored findings within the caller's need-to-know, newest first (by import, then by position in it, last
/// first); a case's findings are those its fingerprints cover.
/// </summary>
public sealed class FindingQueries(Database db)
{
    public const int MaxLimit = 1000;

    public async Task<Page<Finding>> ListAsync(Caller caller, FindingFilter filter, CancellationToken ct = default)
    {
        var limit = Math.Clamp(filter.Limit, 1, MaxLimit);
        var offset = Math.Max(filter.Offset, 0);
        // Only the filters given become predicates: "@x IS NULL OR …" would keep SQLite from using the
        // case index, and a case's findings are reached through its fingerprints.
        var where = new List<string>();
        // The case is looked up within need-to-know, so a hidden case costs no more than a missing one.
        if (filter.Case is not null) where.Add($"x.case_seq = (SELECT c2.seq FROM cases c2 WHERE c2.id = @case AND {NeedToKnow.Case(caller, "c2")})");
        if (filter.Project is not null) where.Add("f.project_id = (SELECT id FROM projects WHERE name = @project)");
        var scoped = !caller.IsCoordinator;
        if (scoped) where.Add(NeedToKnow.Finding(caller));
        var from = $"""
            FROM findings f
            JOIN projects p ON p.id = f.project_id
            JOIN imports i ON i.seq = f.import_seq
            JOIN fingerprints x ON x.id = f.fingerprint_id
            JOIN cases c ON c.seq = x.case_seq
            {(where.Count == 0 ? "" : "WHERE " + string.Join(" AND ", where))}
            """;
        var args = new { @case = filter.Case, project = filter.Project, limit, offset, callerOrg = caller.OrgId };
        await using var connection = await db.OpenAsync(ct);
        // Every finding has its project, import, fingerprint and case, so counting needs none of the joins
        // that the filters do not name.
        var total = await connection.ExecuteScalarAsync<long>(
            $"SELECT count(*) FROM findings f {(filter.Case is null && !scoped ? "" : "JOIN fingerprints x ON x.id = f.fingerprint_id")} " +
            $"{(scoped ? "JOIN cases c ON c.seq = x.case_seq" : "")} {(where.Count == 0 ? "" : "WHERE " + string.Join(" AND ", where))}",
            args);
        var rows = await connection.QueryAsync<Row>(
            $"""
            SELECT i.id AS import_id, f.ordinal, p.name AS project, c.id AS case_id, x.fingerprint, f.baseline_state, f.tool, f.tool_version,
                   f.model, f.rule_id, f.cwe, f.level, f.severity, f.message, f.path, f.start_line, f.end_line,
                   f.start_column, f.function, f.suppressed, f.cvss_vector, f.confidence, f.revision, f.observed_at
            {from}
            ORDER BY f.import_seq DESC, f.ordinal DESC
            LIMIT @limit OFFSET @offset
            """, args);
        return new Page<Finding>(rows.Select(r => r.ToFinding()).ToList(), total, offset, limit);
    }

    sealed record Row(string import_id, long ordinal, string project, string? case_id, string fingerprint, string baseline_state,
        string tool, string? tool_version, string? model, string rule_id, string? cwe, long level, long severity, string message,
        string? path, long? start_line, long? end_line, long? start_column, string? function, long suppressed,
        string? cvss_vector, double? confidence, string revision, long observed_at)
    {
        public Finding ToFinding() => new($"{import_id}-{ordinal}", project, case_id, fingerprint, baseline_state, tool, tool_version,
            model, rule_id, cwe, (FindingLevel)level, (ReportedSeverity)severity, message, path, (int?)start_line, (int?)end_line,
            (int?)start_column, function, suppressed != 0, cvss_vector, confidence, revision, CaseQueries.FromMs(observed_at));
    }
}
