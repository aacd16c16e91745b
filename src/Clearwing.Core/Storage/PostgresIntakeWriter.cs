using System.Data.Common;
using Dapper;

namespace Clearwing.Storage;

/// <summary>
/// PostgreSQL's intake: binary COPY into a temporary <c>stage</c> table (<see cref="BulkInsert"/>), then a handful of
/// set-based statements do what SQLite's writer does row by row: new cases, membership, findings, tracks, absence.
/// </summary>
internal sealed class PostgresIntakeWriter : IIntakeWriter
{
    static readonly string[] StageColumns =
        ["ordinal", "fingerprint", "occurrence", "content_hash", "title", "declared_absent", .. IntakeRow.ResultColumns, "revision"];

    /// <summary>
    /// A new case's id as <see cref="CaseId.Mint(long, long)"/> makes it, in SQL: the import's instant (11 hex digits), the case's
    /// number within the import (5; <c>number</c> counts from 1 here) and 64 random bits (16), from <c>gen_random_uuid</c>,
    /// which uses the strong random source (md5 spreads its 122 random bits over the digits).
    /// </summary>
    const string MintCaseId =
        "lpad(to_hex(@now & 17592186044415), 11, '0') || lpad(to_hex((number - 1) & 1048575), 5, '0') || substr(md5(gen_random_uuid()::text), 1, 16)";

    public async Task<IntakeCounts> StoreAsync(DbConnection connection, DbTransaction tx, IntakeContext import, IEnumerable<IntakeRow> rows,
        IProgress<long>? progress, CancellationToken ct)
    {
        await connection.ExecuteAsync("DROP TABLE IF EXISTS stage; DROP TABLE IF EXISTS new_fingerprints", transaction: tx);
        await connection.ExecuteAsync(
            """
            CREATE TEMP TABLE stage (
                ordinal BIGINT PRIMARY KEY, fingerprint TEXT, occurrence BIGINT, content_hash TEXT, title TEXT,
                declared_absent BIGINT, tool TEXT, tool_version TEXT, model TEXT, rule_id TEXT, cwe TEXT, level BIGINT,
                severity BIGINT, message TEXT, path TEXT, start_line BIGINT, end_line BIGINT, start_column BIGINT,
                function TEXT, snippet TEXT, fingerprint_source BIGINT, suppressed BIGINT, evidence TEXT, reproducer TEXT,
                cvss_vector TEXT, confidence DOUBLE PRECISION, signal BIGINT, signal_reason TEXT, revision TEXT)
            """, transaction: tx);
        long count = 0;
        var row = new object?[StageColumns.Length];
        await using (var bulk = await BulkInsert.StartAsync(connection, "stage", StageColumns, ct))
        {
            foreach (var s in rows)
            {
                if (!s.DeclaredAbsent) import.Tools.Add(s.Tool);
                (row[0], row[1], row[2], row[3], row[4]) = (s.Ordinal, s.Fingerprint.Text, s.Occurrence, s.ContentHash, s.Title);
                row[5] = s.DeclaredAbsent ? 1L : 0L;
                s.FillResult(row, 6);
                row[^1] = s.Revision;
                await bulk.AddAsync(row, ct);
                if (++count % 10_000 == 0) progress?.Report(count);
            }
            await bulk.CompleteAsync(ct);
        }
        progress?.Report(count);
        import.Tools.UnionWith(import.HeaderTools);

        var p = new { projectId = import.ProjectId, importSeq = import.Seq, revision = import.Revision, now = import.Now };
        // Temporary tables are never auto-analyzed; without statistics the planner guesses nested loops.
        await connection.ExecuteAsync("ANALYZE stage", transaction: tx);

        // Cluster: a known fingerprint joins its case; each new fingerprint opens one, titled after its first result and born
        // with its counts. Numbered in order of first appearance, as SQLite's writer numbers them.
        await connection.ExecuteAsync(
            $"""
            CREATE TEMP TABLE new_fingerprints AS
            SELECT n.fingerprint, {MintCaseId} AS case_id, n.first_ordinal, n.findings, n.severity, n.signal
            FROM (SELECT s.fingerprint, min(s.ordinal) AS first_ordinal, count(*) AS findings, max(s.severity) AS severity,
                         max(s.signal) AS signal,
                         row_number() OVER (ORDER BY min(s.ordinal)) AS number
                  FROM stage s
                  WHERE NOT EXISTS (SELECT 1 FROM fingerprints x WHERE x.project_id = @projectId AND x.fingerprint = s.fingerprint)
                  GROUP BY s.fingerprint) n
            """, p, tx);
        // Existing cases grow by this import's findings; computed before the new fingerprints exist.
        await connection.ExecuteAsync(
            """
            UPDATE cases SET finding_count = cases.finding_count + a.n, last_seen = @now,
                   max_severity = greatest(cases.max_severity, a.severity), signal = greatest(cases.signal, a.signal)
            FROM (SELECT x.case_seq, count(*) AS n, max(s.severity) AS severity, max(s.signal) AS signal
                  FROM stage s JOIN fingerprints x ON x.project_id = @projectId AND x.fingerprint = s.fingerprint
                  GROUP BY x.case_seq) a
            WHERE cases.seq = a.case_seq
            """, p, tx);
        // In id order, which is the order of first appearance: the ids append to their unique index.
        var newCases = await connection.ExecuteAsync(
            """
            INSERT INTO cases (id, project_id, title, state, first_seen, last_seen, finding_count, max_severity, created_at, signal)
            SELECT n.case_id, @projectId, s.title, 'new', @now, @now, n.findings, n.severity, @now, n.signal
            FROM new_fingerprints n JOIN stage s ON s.ordinal = n.first_ordinal
            ORDER BY n.first_ordinal
            """, p, tx);
        await connection.ExecuteAsync(
            """
            INSERT INTO fingerprints (project_id, fingerprint, case_seq)
            SELECT @projectId, n.fingerprint, c.seq FROM new_fingerprints n JOIN cases c ON c.id = n.case_id
            """, p, tx);

        // Classify against the tracked results; the same rule as SqliteIntakeWriter.Classify.
        await connection.ExecuteAsync(
            """
            INSERT INTO findings (import_seq, ordinal, project_id, fingerprint_id, occurrence, baseline_state, tool, tool_version,
                model, rule_id, cwe, level, severity, message, path, start_line, end_line, start_column, function, snippet,
                fingerprint_source, suppressed, evidence, reproducer, cvss_vector, confidence, signal, signal_reason, revision, observed_at)
            SELECT @importSeq, s.ordinal, @projectId, x.id, s.occurrence,
                CASE WHEN s.declared_absent = 1 THEN 'absent'
                     WHEN t.present IS NULL OR t.present = 0 THEN 'new'
                     WHEN t.content_hash = s.content_hash THEN 'unchanged'
                     ELSE 'updated' END,
                s.tool, s.tool_version, s.model, s.rule_id, s.cwe, s.level, s.severity, s.message, s.path, s.start_line,
                s.end_line, s.start_column, s.function, s.snippet, s.fingerprint_source, s.suppressed, s.evidence,
                s.reproducer, s.cvss_vector, s.confidence, s.signal, s.signal_reason, s.revision, @now
            FROM stage s
            JOIN fingerprints x ON x.project_id = @projectId AND x.fingerprint = s.fingerprint
            LEFT JOIN tracks t ON t.fingerprint_id = x.id AND t.occurrence = s.occurrence AND s.declared_absent = 0
            """, p, tx);
        import.Tools.UnionWith(await connection.QueryAsync<string>(
            """
            SELECT DISTINCT t.tool
            FROM stage s JOIN fingerprints x ON x.project_id = @projectId AND x.fingerprint = s.fingerprint
            JOIN tracks t ON t.fingerprint_id = x.id AND t.occurrence = s.occurrence
            WHERE t.present = 1 AND s.declared_absent = 0
            """, p, tx));
        await connection.ExecuteAsync(
            """
            INSERT INTO tracks (fingerprint_id, occurrence, project_id, tool, content_hash, present, last_import, last_revision)
            SELECT x.id, s.occurrence, @projectId, s.tool, s.content_hash, 1, @importSeq, @revision
            FROM stage s JOIN fingerprints x ON x.project_id = @projectId AND x.fingerprint = s.fingerprint
            WHERE s.declared_absent = 0
            ON CONFLICT (fingerprint_id, occurrence) DO UPDATE SET
                tool = excluded.tool, content_hash = excluded.content_hash, present = 1,
                last_import = excluded.last_import, last_revision = excluded.last_revision
            """, p, tx);

        var counts = (await connection.QueryAsync<(string State, long N, long Suppressed)>(
            "SELECT baseline_state, count(*), CAST(sum(suppressed) AS BIGINT) FROM findings WHERE import_seq = @importSeq GROUP BY baseline_state",
            p, tx)).ToList();
        long Count(string state) => counts.Where(c => c.State == state).Sum(c => c.N);
        await connection.ExecuteAsync("DROP TABLE new_fingerprints; DROP TABLE stage", transaction: tx);
        return new IntakeCounts(counts.Sum(c => c.N), Count("new"), Count("unchanged"), Count("updated"),
            await MarkAbsentAsync(connection, tx, import), counts.Sum(c => c.Suppressed), newCases);
    }

    /// <summary>
    /// Whatever this import's tools tracked as present and did not report again is now absent at this revision. Kept, never
    /// deleted: the case history still needs it.
    /// </summary>
    static async Task<long> MarkAbsentAsync(DbConnection connection, DbTransaction tx, IntakeContext import)
    {
        var absent = 0;
        foreach (var tool in import.Tools)
            absent += await connection.ExecuteAsync(
                """
                UPDATE tracks SET present = 0, last_import = @importSeq, last_revision = @revision
                WHERE project_id = @projectId AND tool = @tool AND present = 1 AND last_import <> @importSeq
                """, new { projectId = import.ProjectId, importSeq = import.Seq, revision = import.Revision, tool }, tx);
        return absent;
    }
}
