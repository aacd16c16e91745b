using System.Data.Common;
using Dapper;

namespace Clearwing.Storage;

/// <summary>
/// PostgreSQL's intake: binary COPY into a temporary <c>stage</c> table (<see cref="BulkInsert"/>), then a handful of
/// set-based statements do what SQLite's writer does row by row: identical results paired with their tracks, the leftovers
/// through the matching passes it shares with SQLite's writer, cross-finder joins, new cases, membership, findings,
/// tracks, absence.
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
        await connection.ExecuteAsync(
            "DROP TABLE IF EXISTS stage; DROP TABLE IF EXISTS new_fingerprints; DROP TABLE IF EXISTS resolved; DROP TABLE IF EXISTS links; " +
            "DROP TABLE IF EXISTS joins",
            transaction: tx);
        await connection.ExecuteAsync(
            """
            CREATE TEMP TABLE stage (
                ordinal BIGINT PRIMARY KEY, fingerprint TEXT, occurrence BIGINT, content_hash TEXT, title TEXT,
                declared_absent BIGINT, tool TEXT, tool_version TEXT, model TEXT, rule_id TEXT, cwe TEXT, level BIGINT,
                severity BIGINT, message TEXT, path TEXT, start_line BIGINT, end_line BIGINT, start_column BIGINT,
                function TEXT, snippet TEXT, fingerprint_source BIGINT, suppressed BIGINT, evidence TEXT, reproducer TEXT,
                cvss_vector TEXT, confidence DOUBLE PRECISION, signal BIGINT, signal_reason TEXT, tool_fingerprints TEXT, revision TEXT)
            """, transaction: tx);
        long count = 0;
        var row = new object?[StageColumns.Length];
        // What each fingerprint's first result says for a cross-finder join (CaseJoins), while the project joins.
        var candidates = new Dictionary<string, JoinCandidate>(StringComparer.Ordinal);
        await using (var bulk = await BulkInsert.StartAsync(connection, "stage", StageColumns, ct))
        {
            foreach (var s in rows)
            {
                if (!s.DeclaredAbsent) import.Tools.Add(s.Tool);
                if (import.CrossFinderJoins && !s.DeclaredAbsent && !candidates.ContainsKey(s.Fingerprint.Text) && s.JoinKey() is { } join)
                    candidates[s.Fingerprint.Text] = join;
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

        await ResolveAsync(connection, tx, import, ct);
        await JoinAsync(connection, tx, import, candidates, ct);

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
                    AND NOT EXISTS (SELECT 1 FROM joins j WHERE j.fingerprint = s.fingerprint)
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
        // Fingerprints that join a case another fingerprint of this import opened: placed now, and that case grows by them.
        await connection.ExecuteAsync(
            """
            INSERT INTO fingerprints (project_id, fingerprint, case_seq)
            SELECT @projectId, j.fingerprint, x.case_seq
            FROM joins j JOIN fingerprints x ON x.project_id = @projectId AND x.fingerprint = j.target
            WHERE j.target IS NOT NULL
            ORDER BY j.first_ordinal;
            UPDATE cases SET finding_count = cases.finding_count + a.n, max_severity = greatest(cases.max_severity, a.severity),
                   signal = greatest(cases.signal, a.signal)
            FROM (SELECT x.case_seq, count(*) AS n, max(s.severity) AS severity, max(s.signal) AS signal
                  FROM stage s JOIN joins j ON j.fingerprint = s.fingerprint AND j.target IS NOT NULL
                  JOIN fingerprints x ON x.project_id = @projectId AND x.fingerprint = s.fingerprint
                  GROUP BY x.case_seq) a
            WHERE cases.seq = a.case_seq;
            INSERT INTO fingerprint_placements (fingerprint_id, case_id, kind, other_finding, reason, placed_by, placed_at)
            SELECT x.id, c.id, 'joined', j.other_finding, j.reason, @by, @now
            FROM joins j JOIN fingerprints x ON x.project_id = @projectId AND x.fingerprint = j.fingerprint
            JOIN cases c ON c.seq = x.case_seq
            ORDER BY j.first_ordinal;
            """, new { p.projectId, p.now, by = $"import:{import.Id}" }, tx);

        // Classify against the tracked results; the same rule as SqliteIntakeWriter.Classify.
        await connection.ExecuteAsync(
            """
            INSERT INTO findings (import_seq, ordinal, project_id, fingerprint_id, occurrence, baseline_state, tool, tool_version,
                model, rule_id, cwe, level, severity, message, path, start_line, end_line, start_column, function, snippet,
                fingerprint_source, suppressed, evidence, reproducer, cvss_vector, confidence, signal, signal_reason, tool_fingerprints, revision,
                observed_at)
            SELECT @importSeq, s.ordinal, @projectId, x.id, coalesce(r.occurrence, s.occurrence),
                CASE WHEN s.declared_absent = 1 THEN 'absent'
                     WHEN r.state IS NOT NULL THEN r.state
                     WHEN t.present IS NULL OR t.present = 0 THEN 'new'
                     WHEN t.content_hash = s.content_hash THEN 'unchanged'
                     ELSE 'updated' END,
                s.tool, s.tool_version, s.model, s.rule_id, s.cwe, s.level, s.severity, s.message, s.path, s.start_line,
                s.end_line, s.start_column, s.function, s.snippet, s.fingerprint_source, s.suppressed, s.evidence,
                s.reproducer, s.cvss_vector, s.confidence, s.signal, s.signal_reason, s.tool_fingerprints, s.revision, @now
            FROM stage s
            JOIN fingerprints x ON x.project_id = @projectId AND x.fingerprint = s.fingerprint
            LEFT JOIN resolved r ON r.ordinal = s.ordinal
            LEFT JOIN tracks t ON t.fingerprint_id = x.id AND t.occurrence = s.occurrence AND s.declared_absent = 0 AND r.ordinal IS NULL
            """, p, tx);
        import.Tools.UnionWith(await connection.QueryAsync<string>(
            """
            SELECT DISTINCT t.tool
            FROM stage s JOIN fingerprints x ON x.project_id = @projectId AND x.fingerprint = s.fingerprint
            LEFT JOIN resolved r ON r.ordinal = s.ordinal
            JOIN tracks t ON t.fingerprint_id = x.id AND t.occurrence = coalesce(r.occurrence, s.occurrence)
            WHERE t.present = 1 AND s.declared_absent = 0 AND (r.state IS NULL OR r.state <> 'new')
            """, p, tx));
        // What a weaker pass matched moves to the result it was matched to: no longer present, never absent.
        await connection.ExecuteAsync(
            """
            UPDATE tracks t SET present = 0, moved_to_fingerprint = x.id, moved_to_occurrence = r.occurrence, last_import = @importSeq,
                   last_revision = @revision
            FROM resolved r JOIN stage s ON s.ordinal = r.ordinal JOIN fingerprints x ON x.project_id = @projectId AND x.fingerprint = s.fingerprint
            WHERE r.pass > 1 AND t.fingerprint_id = r.matched_fingerprint AND t.occurrence = r.matched_occurrence;
            UPDATE tracks t SET moved_to_fingerprint = m.moved_to_fingerprint, moved_to_occurrence = m.moved_to_occurrence
            FROM tracks m
            WHERE t.moved_to_fingerprint = m.fingerprint_id AND t.moved_to_occurrence = m.occurrence AND m.moved_to_fingerprint IS NOT NULL
              AND m.last_import = @importSeq;
            INSERT INTO fingerprint_placements (fingerprint_id, case_id, kind, pass, other_finding, reason, placed_by, placed_at)
            SELECT x.id, c.id, 'matched', l.pass, i.id || '-' || l.other_ordinal, l.reason, @by, @now
            FROM links l JOIN fingerprints x ON x.project_id = @projectId AND x.fingerprint = l.fingerprint
            JOIN cases c ON c.seq = l.case_seq LEFT JOIN imports i ON i.seq = l.other_import
            ORDER BY l.first_ordinal;
            """, new { p.projectId, p.importSeq, p.revision, p.now, by = $"import:{import.Id}" }, tx);
        await connection.ExecuteAsync(
            """
            INSERT INTO tracks (fingerprint_id, occurrence, project_id, tool, content_hash, present, last_import, last_revision, last_ordinal)
            SELECT x.id, coalesce(r.occurrence, s.occurrence), @projectId, s.tool, s.content_hash, 1, @importSeq, @revision, s.ordinal
            FROM stage s JOIN fingerprints x ON x.project_id = @projectId AND x.fingerprint = s.fingerprint
            LEFT JOIN resolved r ON r.ordinal = s.ordinal
            WHERE s.declared_absent = 0
            ON CONFLICT (fingerprint_id, occurrence) DO UPDATE SET
                tool = excluded.tool, content_hash = excluded.content_hash, present = 1, last_import = excluded.last_import,
                last_revision = excluded.last_revision, last_ordinal = excluded.last_ordinal, moved_to_fingerprint = NULL,
                moved_to_occurrence = NULL
            """, p, tx);

        var counts = (await connection.QueryAsync<(string State, long N, long Suppressed)>(
            "SELECT baseline_state, count(*), CAST(sum(suppressed) AS BIGINT) FROM findings WHERE import_seq = @importSeq GROUP BY baseline_state",
            p, tx)).ToList();
        long Count(string state) => counts.Where(c => c.State == state).Sum(c => c.N);
        await connection.ExecuteAsync("DROP TABLE new_fingerprints; DROP TABLE stage; DROP TABLE resolved; DROP TABLE links; DROP TABLE joins",
            transaction: tx);
        return new IntakeCounts(counts.Sum(c => c.N), Count("new"), Count("unchanged"), Count("updated"),
            await MarkAbsentAsync(connection, tx, import), counts.Sum(c => c.Suppressed), newCases);
    }

    /// <summary>
    /// Pairs results with identical tracked ones (the n-th result with a fingerprint and content takes the n-th such track, as
    /// SQLite's writer does row by row), then hands the leftovers to the matching passes (<see cref="BaselineResolution"/>).
    /// While the project has tracked results present, <c>resolved</c> ends up with every result's track and state, and
    /// <c>links</c> with the new fingerprints a weaker pass matched, which join the matched result's case here.
    /// </summary>
    static async Task ResolveAsync(DbConnection connection, DbTransaction tx, IntakeContext import, CancellationToken ct)
    {
        await connection.ExecuteAsync(
            """
            CREATE TEMP TABLE resolved (ordinal BIGINT PRIMARY KEY, fingerprint_id BIGINT, occurrence BIGINT NOT NULL, state TEXT NOT NULL,
                pass BIGINT, matched_fingerprint BIGINT, matched_occurrence BIGINT);
            CREATE TEMP TABLE links (fingerprint TEXT PRIMARY KEY, case_seq BIGINT NOT NULL, pass BIGINT NOT NULL, other_import BIGINT NOT NULL,
                other_ordinal BIGINT NOT NULL, reason TEXT NOT NULL, first_ordinal BIGINT NOT NULL)
            """, transaction: tx);
        var p = new { projectId = import.ProjectId };
        if (!await connection.ExecuteScalarAsync<bool>(
                "SELECT EXISTS (SELECT 1 FROM tracks WHERE project_id = @projectId AND present = 1)", p, tx)) return;
        await connection.ExecuteAsync(
            """
            INSERT INTO resolved (ordinal, fingerprint_id, occurrence, state)
            SELECT s.ordinal, s.fingerprint_id, t.occurrence, 'unchanged'
            FROM (SELECT s.ordinal, x.id AS fingerprint_id, s.content_hash,
                         row_number() OVER (PARTITION BY x.id, s.content_hash ORDER BY s.ordinal) AS n
                  FROM stage s JOIN fingerprints x ON x.project_id = @projectId AND x.fingerprint = s.fingerprint
                  WHERE s.declared_absent = 0) s
            JOIN (SELECT fingerprint_id, occurrence, content_hash,
                         row_number() OVER (PARTITION BY fingerprint_id, content_hash ORDER BY occurrence) AS n
                  FROM tracks WHERE project_id = @projectId AND present = 1) t
              ON t.fingerprint_id = s.fingerprint_id AND t.content_hash = s.content_hash AND t.n = s.n;
            CREATE INDEX resolved_by_track ON resolved (fingerprint_id, occurrence);
            ANALYZE resolved;
            """, p, tx);
        var rows = (await connection.QueryAsync<LeftoverRow>(new CommandDefinition(
            """
            SELECT s.ordinal, x.id AS fingerprint_id, s.fingerprint, s.tool, s.rule_id, s.path, s.start_line, s.start_column, s.function,
                   s.message, s.snippet, s.tool_fingerprints, s.content_hash
            FROM stage s LEFT JOIN fingerprints x ON x.project_id = @projectId AND x.fingerprint = s.fingerprint
            WHERE s.declared_absent = 0 AND NOT EXISTS (SELECT 1 FROM resolved r WHERE r.ordinal = s.ordinal)
            ORDER BY s.ordinal
            """, p, tx, cancellationToken: ct))).ToList();
        if (rows.Count == 0) return;

        // A new fingerprint is known to the passes by an id of its own below zero.
        var provisional = new Dictionary<string, long>(StringComparer.Ordinal);
        var pool = new StringPool();
        var items = rows.Select(r => new MatchItem(
            r.fingerprint_id ?? (provisional.TryGetValue(r.fingerprint, out var id) ? id : provisional[r.fingerprint] = -1 - provisional.Count),
            0, pool.Intern(r.tool), pool.Intern(import.CanonicalRule(r.tool, r.rule_id)), pool.Intern(r.path), (int?)r.start_line,
            (int?)r.start_column, pool.Intern(r.function), BaselineMatcher.WordsOf(r.message), r.snippet, r.tool_fingerprints,
            MatchItem.ContentOf(r.content_hash), r.fingerprint_id is null) { Ordinal = r.ordinal }).ToList();
        var occurrences = (await connection.QueryAsync<(long Id, long Occurrence, bool Free)>(
            """
            SELECT t.fingerprint_id, t.occurrence, t.present = 0 AND t.moved_to_fingerprint IS NULL
            FROM tracks t
            WHERE t.fingerprint_id IN (
                SELECT x.id FROM stage s JOIN fingerprints x ON x.project_id = @projectId AND x.fingerprint = s.fingerprint
                WHERE s.declared_absent = 0 AND NOT EXISTS (SELECT 1 FROM resolved r WHERE r.ordinal = s.ordinal))
            """, p, tx)).GroupBy(t => t.Id).ToDictionary(g => g.Key,
            g => (g.Max(t => t.Occurrence), g.Where(t => t.Free).Select(t => t.Occurrence).ToList()));
        var tracks = await BaselineResolution.LoadTracksAsync(connection, tx, import,
            "NOT EXISTS (SELECT 1 FROM resolved r WHERE r.fingerprint_id = t.fingerprint_id AND r.occurrence = t.occurrence)", ct);
        var resolution = await BaselineResolution.ResolveAsync(connection, tx, import, items, tracks, occurrences, ct);
        import.Tools.UnionWith(resolution.Tools);

        await using (var bulk = await BulkInsert.StartAsync(connection, "resolved",
                         ["ordinal", "fingerprint_id", "occurrence", "state", "pass", "matched_fingerprint", "matched_occurrence"], ct))
        {
            foreach (var o in resolution.Outcomes)
                await bulk.AddAsync([o.Row.Ordinal, o.Row.NewFingerprint ? null : o.Row.FingerprintId, o.Occurrence, o.State,
                    o.Match is { } m ? (long)m.Pass : null, o.Track?.FingerprintId, o.Track?.Occurrence], ct);
            await bulk.CompleteAsync(ct);
        }
        var text = provisional.ToDictionary(f => f.Value, f => f.Key);
        await using (var bulk = await BulkInsert.StartAsync(connection, "links",
                         ["fingerprint", "case_seq", "pass", "other_import", "other_ordinal", "reason", "first_ordinal"], ct))
        {
            foreach (var (id, link) in resolution.Links)
                await bulk.AddAsync([text[id], link.Track!.CaseSeq, (long)link.Match!.Value.Pass, link.Track.Import, link.Track.Ordinal,
                    BaselineResolution.Reason(link), link.Row.Ordinal], ct);
            await bulk.CompleteAsync(ct);
        }
        // Linked fingerprints are known from here on: they open no case, and their findings grow the linked one.
        await connection.ExecuteAsync(
            "INSERT INTO fingerprints (project_id, fingerprint, case_seq) SELECT @projectId, fingerprint, case_seq FROM links ORDER BY first_ordinal",
            p, tx);
        await connection.ExecuteAsync("ANALYZE resolved", transaction: tx);
    }

    /// <summary>
    /// Cross-finder joins (<see cref="CaseJoins"/>) for the fingerprints still new once the passes have linked theirs, in the
    /// order they first appear: <c>joins</c> holds each that joins a case, which is an existing case (placed here) or one another
    /// new fingerprint of this import opens (placed once it is open).
    /// </summary>
    static async Task JoinAsync(
        DbConnection connection, DbTransaction tx, IntakeContext import, Dictionary<string, JoinCandidate> candidates, CancellationToken ct)
    {
        await connection.ExecuteAsync(
            """
            CREATE TEMP TABLE joins (fingerprint TEXT PRIMARY KEY, case_seq BIGINT, target TEXT, other_finding TEXT NOT NULL,
                reason TEXT NOT NULL, first_ordinal BIGINT NOT NULL)
            """, transaction: tx);
        if (candidates.Count == 0) return;
        var p = new { projectId = import.ProjectId };
        var fresh = (await connection.QueryAsync<string>(new CommandDefinition(
            """
            SELECT s.fingerprint FROM stage s
            WHERE s.declared_absent = 0
              AND NOT EXISTS (SELECT 1 FROM fingerprints x WHERE x.project_id = @projectId AND x.fingerprint = s.fingerprint)
            GROUP BY s.fingerprint
            ORDER BY min(s.ordinal)
            """, p, tx, cancellationToken: ct))).Where(candidates.ContainsKey).Select(f => candidates[f]).ToList();
        var joins = await CaseJoins.LoadAsync(connection, tx, import, fresh, ct);
        await using (var bulk = await BulkInsert.StartAsync(connection, "joins",
                         ["fingerprint", "case_seq", "target", "other_finding", "reason", "first_ordinal"], ct))
        {
            foreach (var candidate in fresh)
                if (joins.Find(candidate) is { } join)
                    await bulk.AddAsync([candidate.Fingerprint, join.CaseSeq, join.Target, join.OtherFinding, join.Reason, candidate.Ordinal], ct);
                else joins.Opened(candidate, null);
            await bulk.CompleteAsync(ct);
        }
        // Joined to an existing case: known from here on, so the case grows by them as by its own.
        await connection.ExecuteAsync(
            """
            INSERT INTO fingerprints (project_id, fingerprint, case_seq)
            SELECT @projectId, fingerprint, case_seq FROM joins WHERE case_seq IS NOT NULL ORDER BY first_ordinal
            """, p, tx);
    }

    sealed record LeftoverRow(
        long ordinal, long? fingerprint_id, string fingerprint, string tool, string rule_id, string? path, long? start_line, long? start_column,
        string? function, string message, string? snippet, string? tool_fingerprints, string content_hash);

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
