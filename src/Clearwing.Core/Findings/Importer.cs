using System.Data.Common;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Clearwing.Storage;
using Clearwing.Cases;
using Dapper;

namespace Clearwing.Findings;

/// <summary>One import: the files of one analysis run (one or more SARIF or native logs) into one project.</summary>
/// <param name="Project">Project name; created on first import.</param>
/// <param name="Files">Paths to read, with the names errors should use.</param>
/// <param name="Revision">The revision analysed; when absent, the log's own revision, else the content hash.</param>
/// <param name="SourceRoot">Where the analysed sources are, to compute line hashes the log lacks.</param>
public sealed record ImportRequest(string Project, IReadOnlyList<ImportFile> Files, string? Revision = null, string? SourceRoot = null);

public sealed record ImportFile(string Path, string DisplayName);

/// <summary>
/// What an import did. <see cref="Results"/> counts every result read; New/Unchanged/Updated classify the
/// ones observed against the project's baseline for the same tool; Absent counts tracked results that
/// this import no longer reports. A file already imported reports everything unchanged and stores nothing.
/// </summary>
public sealed record ImportSummary(
    string ImportId, string Project, string Revision,
    long Results, long New, long Unchanged, long Updated, long Absent, long Suppressed, long NewCases,
    bool AlreadyImported);

/// <summary>
/// The intake pipeline: read (streaming) → stage in bulk → classify against the baseline, store findings,
/// cluster new fingerprints into cases — all in one transaction and a handful of set-based statements.
/// </summary>
public sealed class Importer(Database db, TimeProvider time)
{
    static readonly string[] StageColumns =
    [
        "ordinal", "fingerprint", "tool", "tool_version", "model", "rule_id", "cwe", "level", "severity", "message",
        "path", "start_line", "end_line", "start_column", "function", "snippet", "fingerprint_source", "suppressed",
        "declared_absent", "evidence", "reproducer", "cvss_vector", "confidence", "revision", "content_hash", "occurrence",
    ];

    public async Task<ImportSummary> ImportAsync(ImportRequest request, IProgress<long>? progress = null, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(request.Project)) throw new ArgumentException("A project name is required.");
        if (request.Files.Count == 0) throw new ArgumentException("At least one file is required.");
        // The same files at the same requested revision are the same import; a new --revision is a new observation.
        var contentHash = await HashFilesAsync(request.Files, request.Revision, ct);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();

        await using var connection = await db.OpenAsync(ct);
        await Database.SetCacheAsync(connection, 256);
        try
        {
            return await ImportAsync(connection, request, contentHash, now, progress, ct);
        }
        finally
        {
            await Database.SetCacheAsync(connection, 64);
        }
    }

    async Task<ImportSummary> ImportAsync(DbConnection connection, ImportRequest request, string contentHash, long now, IProgress<long>? progress, CancellationToken ct)
    {
        await using var tx = await db.BeginAsync(connection, ct);
        var projectId = await ProjectStore.EnsureAsync(connection, tx, request.Project.Trim(), now, ct);
        if (db.Engine == Engine.Postgres)
            // Imports into one project take turns: baselines and case clustering need a stable view.
            await connection.ExecuteAsync("SELECT pg_advisory_xact_lock(72201, CAST(@projectId AS INTEGER))", new { projectId }, tx);

        var previous = await connection.QuerySingleOrDefaultAsync<PreviousImport>(
            "SELECT id, revision, results, suppressed FROM imports WHERE project_id = @projectId AND sha256 = @contentHash",
            new { projectId, contentHash }, tx);
        if (previous is not null)
        {
            await tx.RollbackAsync(ct);
            return new ImportSummary(previous.id, request.Project, previous.revision, previous.results, 0, previous.results, 0, 0, previous.suppressed, 0, true);
        }

        var (importSeq, importId) = await connection.QuerySingleAsync<(long, string)>(
            $"""
            INSERT INTO imports (id, project_id, file_name, sha256, revision, imported_at, results, new, unchanged, updated, absent, suppressed, new_cases)
            VALUES ({db.Dialect.RandomId}, @projectId, @fileName, @contentHash, '', @now, 0, 0, 0, 0, 0, 0, 0)
            RETURNING seq, id
            """,
            new { projectId, fileName = string.Join(", ", request.Files.Select(f => f.DisplayName)), contentHash, now }, tx);

        var (results, revision) = await StageAsync(connection, tx, request, contentHash, progress, ct);
        var summary = await ClassifyAndClusterAsync(connection, tx, projectId, importSeq, importId, revision, now, ct);
        await tx.CommitAsync(ct);
        return summary with { Project = request.Project, Results = results };
    }

    sealed record PreviousImport(string id, string revision, long results, long suppressed);

    async Task<(long Results, string Revision)> StageAsync(
        DbConnection connection, DbTransaction tx, ImportRequest request, string contentHash, IProgress<long>? progress, CancellationToken ct)
    {
        await connection.ExecuteAsync("DROP TABLE IF EXISTS stage; DROP TABLE IF EXISTS new_fingerprints", transaction: tx);
        await connection.ExecuteAsync(
            $"""
            CREATE TEMP TABLE stage (
                ordinal {db.Dialect.OrdinalKey}, fingerprint TEXT, tool TEXT, tool_version TEXT, model TEXT, rule_id TEXT, cwe TEXT,
                level BIGINT, severity BIGINT, message TEXT, path TEXT, start_line BIGINT, end_line BIGINT,
                start_column BIGINT, function TEXT, snippet TEXT, fingerprint_source BIGINT, suppressed BIGINT,
                declared_absent BIGINT, evidence TEXT, reproducer TEXT, cvss_vector TEXT, confidence DOUBLE PRECISION,
                revision TEXT, content_hash TEXT, occurrence BIGINT)
            """, transaction: tx);

        long ordinal = 0;
        string? revision = request.Revision;
        var row = new object?[StageColumns.Length];
        // The n-th result with a fingerprint matches the n-th tracked one (SARIF baselining matches
        // duplicates one to one). Counted here, keyed by the fingerprint's first 64 bits, so memory is
        // 16 bytes per distinct fingerprint and no SQL has to sort the whole import.
        var seen = new Dictionary<(ulong, bool), int>();
        await using (var bulk = await BulkInsert.StartAsync(connection, tx, "stage", StageColumns, ct))
        {
            foreach (var file in request.Files)
            {
                foreach (var r in FindingReader.Read(file.Path, file.DisplayName, request.SourceRoot))
                {
                    ct.ThrowIfCancellationRequested();
                    revision ??= r.Revision;
                    row[0] = ordinal;
                    row[1] = r.Fingerprint;
                    row[2] = r.Tool;
                    row[3] = r.ToolVersion;
                    row[4] = r.Model;
                    row[5] = r.RuleId;
                    row[6] = r.Cwe;
                    row[7] = (long)r.Level;
                    row[8] = (long)r.Severity;
                    row[9] = r.Message;
                    row[10] = r.Path;
                    row[11] = (long?)r.StartLine;
                    row[12] = (long?)r.EndLine;
                    row[13] = (long?)r.StartColumn;
                    row[14] = r.Function;
                    row[15] = r.Snippet;
                    row[16] = (long)r.FingerprintSource;
                    row[17] = r.Suppressed ? 1L : 0L;
                    row[18] = r.DeclaredAbsent ? 1L : 0L;
                    row[19] = r.Evidence;
                    row[20] = r.ReproducerJson;
                    row[21] = r.CvssVector;
                    row[22] = r.Confidence;
                    row[23] = request.Revision ?? r.Revision;
                    row[24] = ContentHash(r);
                    ref var count = ref CollectionsMarshal.GetValueRefOrAddDefault(seen, (Prefix(r.Fingerprint), r.DeclaredAbsent), out _);
                    row[25] = (long)++count;
                    await bulk.AddAsync(row, ct);
                    if (++ordinal % 10_000 == 0) progress?.Report(ordinal);
                }
            }
            await bulk.CompleteAsync(ct);
        }
        progress?.Report(ordinal);
        return (ordinal, revision ?? "sha256:" + contentHash[..16]);
    }

    async Task<ImportSummary> ClassifyAndClusterAsync(
        DbConnection connection, DbTransaction tx, long projectId, long importSeq, string importId, string revision, long now, CancellationToken ct)
    {
        // Fingerprints with ids above this one are new in this import; their cases are born with their counts.
        var knownFingerprints = await connection.ExecuteScalarAsync<long>("SELECT coalesce(max(id), 0) FROM fingerprints", transaction: tx);
        var p = new { projectId, importSeq, revision, now, knownFingerprints };
        await connection.ExecuteAsync("UPDATE imports SET revision = @revision WHERE seq = @importSeq", p, tx);
        if (db.Engine == Engine.Postgres)
            // Temporary tables are never auto-analyzed; without statistics the planner guesses nested loops.
            await connection.ExecuteAsync("ANALYZE stage", transaction: tx);

        // Cluster: a known fingerprint joins its case; each new fingerprint opens one, titled after its first result.
        await connection.ExecuteAsync(
            $"""
            CREATE TEMP TABLE new_fingerprints AS
            SELECT n.fingerprint, {db.Dialect.RandomId} AS case_id, n.first_ordinal, n.findings, n.severity
            FROM (SELECT s.fingerprint, min(s.ordinal) AS first_ordinal, count(*) AS findings, max(s.severity) AS severity
                  FROM stage s
                  WHERE NOT EXISTS (SELECT 1 FROM fingerprints x WHERE x.project_id = @projectId AND x.fingerprint = s.fingerprint)
                  GROUP BY s.fingerprint) n
            ORDER BY n.first_ordinal
            """, p, tx);
        var newCases = await connection.ExecuteAsync(
            """
            INSERT INTO cases (id, project_id, title, state, first_seen, last_seen, finding_count, max_severity, created_at)
            SELECT n.case_id, @projectId, substr(s.rule_id || ' in ' || coalesce(s.path, s.function, '(no location)') || ': ' || s.message, 1, 200),
                   'new', @now, @now, n.findings, n.severity, @now
            FROM new_fingerprints n JOIN stage s ON s.ordinal = n.first_ordinal
            ORDER BY n.first_ordinal
            """, p, tx);
        await connection.ExecuteAsync(
            """
            INSERT INTO fingerprints (project_id, fingerprint, case_seq)
            SELECT @projectId, n.fingerprint, c.seq FROM new_fingerprints n JOIN cases c ON c.id = n.case_id
            ORDER BY n.first_ordinal
            """, p, tx);

        // Classify against the tracked results. A result the log itself declares absent is stored, never tracked.
        await connection.ExecuteAsync(
            """
            INSERT INTO findings (import_seq, ordinal, project_id, fingerprint_id, occurrence, baseline_state, tool, tool_version,
                model, rule_id, cwe, level, severity, message, path, start_line, end_line, start_column, function, snippet,
                fingerprint_source, suppressed, evidence, reproducer, cvss_vector, confidence, revision, observed_at)
            SELECT @importSeq, s.ordinal, @projectId, x.id, s.occurrence,
                CASE WHEN s.declared_absent = 1 THEN 'absent'
                     WHEN t.present IS NULL OR t.present = 0 THEN 'new'
                     WHEN t.content_hash = s.content_hash THEN 'unchanged'
                     ELSE 'updated' END,
                s.tool, s.tool_version, s.model, s.rule_id, s.cwe, s.level, s.severity, s.message, s.path, s.start_line,
                s.end_line, s.start_column, s.function, s.snippet, s.fingerprint_source, s.suppressed, s.evidence,
                s.reproducer, s.cvss_vector, s.confidence, coalesce(s.revision, @revision), @now
            FROM stage s
            JOIN fingerprints x ON x.project_id = @projectId AND x.fingerprint = s.fingerprint
            LEFT JOIN tracks t ON t.fingerprint_id = x.id AND t.occurrence = s.occurrence AND s.declared_absent = 0
            ORDER BY s.ordinal
            """, p, tx);

        await connection.ExecuteAsync(
            """
            INSERT INTO tracks (fingerprint_id, occurrence, project_id, tool, content_hash, present, last_import, last_revision)
            SELECT f.fingerprint_id, f.occurrence, @projectId, f.tool, s.content_hash, 1, @importSeq, @revision
            FROM findings f JOIN stage s ON s.ordinal = f.ordinal
            WHERE f.import_seq = @importSeq AND f.baseline_state <> 'absent'
            ON CONFLICT (fingerprint_id, occurrence) DO UPDATE SET
                tool = excluded.tool, content_hash = excluded.content_hash, present = 1,
                last_import = excluded.last_import, last_revision = excluded.last_revision
            """, p, tx);

        // Whatever this import's tools tracked as present and did not report again is now absent at
        // this revision. Kept, never deleted: the case history still needs it.
        var absent = await connection.ExecuteAsync(
            """
            UPDATE tracks SET present = 0, last_import = @importSeq, last_revision = @revision
            WHERE project_id = @projectId AND present = 1 AND last_import <> @importSeq
              AND tool IN (SELECT DISTINCT tool FROM stage)
            """, p, tx);

        await connection.ExecuteAsync(
            $"""
            UPDATE cases SET finding_count = cases.finding_count + a.n, last_seen = @now,
                   max_severity = {db.Dialect.Greatest}(cases.max_severity, a.severity)
            FROM (SELECT x.case_seq, count(*) AS n, max(f.severity) AS severity
                  FROM findings f JOIN fingerprints x ON x.id = f.fingerprint_id
                  WHERE f.import_seq = @importSeq AND f.fingerprint_id <= @knownFingerprints
                  GROUP BY x.case_seq) a
            WHERE cases.seq = a.case_seq
            """, p, tx);

        var counts = (await connection.QueryAsync<(string State, long N, long Suppressed)>(
            "SELECT baseline_state, count(*), CAST(sum(suppressed) AS BIGINT) FROM findings WHERE import_seq = @importSeq GROUP BY baseline_state",
            p, tx)).ToList();
        long Count(string state) => counts.Where(c => c.State == state).Sum(c => c.N);
        var summary = new ImportSummary(importId, "", revision, counts.Sum(c => c.N), Count("new"), Count("unchanged"),
            Count("updated"), absent, counts.Sum(c => c.Suppressed), newCases, false);

        await connection.ExecuteAsync(
            """
            UPDATE imports SET results = @Results, new = @New, unchanged = @Unchanged, updated = @Updated,
                   absent = @Absent, suppressed = @Suppressed, new_cases = @NewCases
            WHERE id = @ImportId
            """, summary, tx);
        await connection.ExecuteAsync("DROP TABLE new_fingerprints", transaction: tx);
        await connection.ExecuteAsync("DROP TABLE stage", transaction: tx);
        return summary;
    }

    /// <summary>What "updated" compares: the result's content apart from its identity.</summary>
    static string ContentHash(ObservedResult r)
    {
        // Not a security boundary (it only tells "updated" from "unchanged"), so a fast 128-bit hash.
        var text = string.Join('\u001f', (int)r.Level, r.Message, r.Path, r.StartLine, r.StartColumn, r.EndLine, r.Snippet, r.Suppressed);
        return Convert.ToHexStringLower(XxHash128.Hash(Encoding.UTF8.GetBytes(text)));
    }

    /// <summary>The first 64 bits of a hex fingerprint (SHA-256 hex), or of a hash of any other form.</summary>
    static ulong Prefix(string fingerprint) =>
        fingerprint.Length >= 16 && ulong.TryParse(fingerprint.AsSpan(0, 16), System.Globalization.NumberStyles.AllowHexSpecifier, null, out var v)
            ? v : XxHash64.HashToUInt64(Encoding.UTF8.GetBytes(fingerprint));

    static async Task<string> HashFilesAsync(IReadOnlyList<ImportFile> files, string? revision, CancellationToken ct)
    {
        using var all = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        all.AppendData(Encoding.UTF8.GetBytes(revision ?? ""));
        foreach (var file in files)
        {
            await using var stream = File.OpenRead(file.Path);
            all.AppendData(await SHA256.HashDataAsync(stream, ct));
        }
        return Convert.ToHexStringLower(all.GetHashAndReset());
    }
}
