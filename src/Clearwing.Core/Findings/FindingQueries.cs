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

    static readonly Keyset Order = new("findings", true, "f.import_seq", "f.ordinal");

    public async Task<Page<Finding>> ListAsync(Caller caller, FindingFilter filter, CancellationToken ct = default)
    {
        var limit = Paging.Limit(filter.Limit, MaxLimit);
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
            {From}
            {(where.Count == 0 ? "" : "WHERE " + string.Join(" AND ", where))}
            """;
        var args = new DynamicParameters(new { @case = filter.Case, project = filter.Project, limit, offset, callerOrg = caller.OrgId });
        await using var connection = await db.OpenAsync(ct);
        // Every finding has its project, import, fingerprint and case, so counting needs none of the joins
        // that the filters do not name.
        var total = await connection.ExecuteScalarAsync<long>(
            $"SELECT count(*) FROM findings f {(filter.Case is null && !scoped ? "" : "JOIN fingerprints x ON x.id = f.fingerprint_id")} " +
            $"{(scoped ? "JOIN cases c ON c.seq = x.case_seq" : "")} {(where.Count == 0 ? "" : "WHERE " + string.Join(" AND ", where))}",
            args);
        var after = filter.After is { } cursor ? Order.AddAfter(args, cursor, offset) : (long?)null;
        var rows = await connection.QueryAsync<Row, Keyset.Keys, (Row Finding, Keyset.Keys Keys)>(
            $"""
            SELECT {Columns}, {Order.Columns}
            {from}
            {(after is null ? "" : (where.Count == 0 ? "WHERE " : "AND ") + Order.After)}
            ORDER BY {Order.OrderBy}
            LIMIT @limit + 1 OFFSET @offset
            """, (f, k) => (f, k), args, splitOn: "k0");
        return Order.Page(rows.ToList(), r => r.Finding.ToFinding(), r => r.Keys, 0, total, offset, limit);
    }

    /// <summary>One finding by id (<c>IMPORT-ORDINAL</c>), within need-to-know: one the caller may not see is not found.</summary>
    public async Task<FindingDetail> GetAsync(Caller caller, string id, CancellationToken ct = default)
    {
        if (!TryParseId(id, out var importId, out var ordinal))
            throw new NotFoundException($"No finding {id}: a finding id is its import's id, '-', and its position in the import.");
        var args = new { importId, ordinal, callerOrg = caller.OrgId };
        await using var connection = await db.OpenAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<DetailRow>(
            $"""
            SELECT {Columns}, f.snippet, f.evidence, f.provenance, x.id AS fingerprint_id
            {From}
            WHERE i.id = @importId AND f.ordinal = @ordinal AND {NeedToKnow.Finding(caller)}
            """, args) ?? throw new NotFoundException($"No finding {id}.");
        var history = await CaseReasons.HistoryAsync(connection, "x.id = @fingerprintId", new { fingerprintId = row.fingerprint_id });
        return new FindingDetail(row.ToFinding(), row.snippet, row.evidence, [.. history[row.fingerprint]],
            FindingProvenance.FromStored(row.provenance));
    }

    /// <summary>The snippets of the findings <paramref name="ids"/> that the caller may see and that have one, by id, in one query: the
    /// case page shows a few beside its list, where reading each finding would cost a query (and, on PostgreSQL, a plan) apiece.</summary>
    public async Task<IReadOnlyDictionary<string, string>> SnippetsAsync(Caller caller, IReadOnlyList<string> ids, CancellationToken ct = default)
    {
        var args = new DynamicParameters(new { callerOrg = caller.OrgId });
        var wanted = new List<string>();
        foreach (var id in ids.Distinct(StringComparer.Ordinal))
        {
            if (!TryParseId(id, out var importId, out var ordinal)) continue;
            args.Add($"import{wanted.Count}", importId);
            args.Add($"ordinal{wanted.Count}", ordinal);
            wanted.Add($"(@import{wanted.Count}, @ordinal{wanted.Count})");
        }
        if (wanted.Count == 0) return new Dictionary<string, string>();
        await using var connection = await db.OpenAsync(ct);
        // From the ids, each one lookup by key: as ORs of (import, ordinal), SQLite read every finding of each import (56 ms).
        var rows = await connection.QueryAsync<(string ImportId, long Ordinal, string Snippet)>(new CommandDefinition($"""
            SELECT i.id, f.ordinal, f.snippet FROM (VALUES {string.Join(", ", wanted)}) w
            JOIN imports i ON i.id = w.column1 JOIN findings f ON f.import_seq = i.seq AND f.ordinal = w.column2
            JOIN fingerprints x ON x.id = f.fingerprint_id JOIN cases c ON c.seq = x.case_seq
            WHERE f.snippet <> '' AND {NeedToKnow.Finding(caller)}
            """, args, cancellationToken: ct));
        return rows.ToDictionary(r => $"{r.ImportId}-{r.Ordinal}", r => r.Snippet, StringComparer.Ordinal);
    }

    /// <summary>A finding id's parts: its import's id, '-', and its position in the import.</summary>
    static bool TryParseId(string id, out string importId, out long ordinal)
    {
        var dash = id.LastIndexOf('-');
        importId = dash > 0 ? id[..dash] : "";
        ordinal = 0;
        return dash > 0 && long.TryParse(id.AsSpan(dash + 1), System.Globalization.NumberStyles.None, null, out ordinal);
    }

    // A finding's track says whether its tool still reports it, or the track it moved to when a matching pass matched it to a
    // result with another fingerprint; one the log itself declared absent is absent at its own revision.
    const string From = """
        FROM findings f
        JOIN projects p ON p.id = f.project_id
        JOIN imports i ON i.seq = f.import_seq
        JOIN fingerprints x ON x.id = f.fingerprint_id
        JOIN cases c ON c.seq = x.case_seq
        LEFT JOIN tracks t ON t.fingerprint_id = f.fingerprint_id AND t.occurrence = f.occurrence
        LEFT JOIN tracks m ON m.fingerprint_id = t.moved_to_fingerprint AND m.occurrence = t.moved_to_occurrence
        """;

    const string Columns = """
        i.id AS import_id, f.ordinal, p.name AS project, c.id AS case_id, x.fingerprint, f.baseline_state, f.tool, f.tool_version,
        f.model, f.rule_id, f.cwe, f.level, f.severity, f.message, f.path, f.start_line, f.end_line,
        f.start_column, f.function, f.suppressed, f.cvss_vector, f.confidence, f.revision, f.observed_at,
        CASE WHEN f.baseline_state = 'absent' THEN f.revision WHEN coalesce(m.present, t.present) = 0 THEN coalesce(m.last_revision, t.last_revision)
        END AS absent_at,
        f.signal, f.signal_reason
        """;

    class Row
    {
        public string import_id { get; init; } = "";
        public long ordinal { get; init; }
        public string project { get; init; } = "";
        public string? case_id { get; init; }
        public string fingerprint { get; init; } = "";
        public string baseline_state { get; init; } = "";
        public string tool { get; init; } = "";
        public string? tool_version { get; init; }
        public string? model { get; init; }
        public string rule_id { get; init; } = "";
        public string? cwe { get; init; }
        public long level { get; init; }
        public long severity { get; init; }
        public string message { get; init; } = "";
        public string? path { get; init; }
        public long? start_line { get; init; }
        public long? end_line { get; init; }
        public long? start_column { get; init; }
        public string? function { get; init; }
        public long suppressed { get; init; }
        public string? cvss_vector { get; init; }
        public double? confidence { get; init; }
        public string revision { get; init; } = "";
        public long observed_at { get; init; }
        public string? absent_at { get; init; }
        public long signal { get; init; }
        public string? signal_reason { get; init; }

        public Finding ToFinding() => new($"{import_id}-{ordinal}", project, case_id, fingerprint, baseline_state, tool, tool_version,
            model, rule_id, cwe, (FindingLevel)level, (ReportedSeverity)severity, message, path, (int?)start_line, (int?)end_line,
            (int?)start_column, function, suppressed != 0, cvss_vector, confidence, revision, CaseQueries.FromMs(observed_at), absent_at,
            (SecuritySignal)signal, signal_reason);
    }

    sealed class DetailRow : Row
    {
        public string? snippet { get; init; }
        public string? evidence { get; init; }
        public string? provenance { get; init; }
        public long fingerprint_id { get; init; }
    }
}
