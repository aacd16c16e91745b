using System.Data.Common;
using System.IO.Hashing;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Clearwing.Access;
using Clearwing.Scoring;
using Clearwing.Storage;
using Clearwing.Cases;
using Dapper;

namespace Clearwing.Findings;

/// <summary>One import: the files of one analysis run (one or more SARIF or native logs) into one project.</summary>
/// <param name="Project">Project name; created on first import.</param>
/// <param name="Files">Paths to read, with the names errors should use.</param>
/// <param name="Revision">The revision analysed; when absent, the log's own revision, else the content hash.</param>
/// <param name="SourceRoot">Where the analysed sources are, to compute line hashes the log lacks.</param>
/// <param name="By">Who imports (the coordinator's admins and triagers may); the audit chain records it. Default: <see cref="Caller.Local"/>.</param>
public sealed record ImportRequest(string Project, IReadOnlyList<ImportFile> Files, string? Revision = null, string? SourceRoot = null, Caller? By = null);

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
/// The intake pipeline: read (streaming) → fingerprint → classify against the baseline → store findings →
/// cluster new fingerprints into cases, all in one transaction. Each engine takes its fast path: on SQLite,
/// prepared statements through the C API with the project's fingerprints and tracks in memory (about
/// 60 bytes per distinct fingerprint; never the file); on PostgreSQL, binary COPY into a staging table and a
/// handful of set-based statements. The contract tests hold both to the same results. Each import that stores
/// anything appends one event to the audit chain in the same transaction.
/// </summary>
public sealed class Importer(Database db, TimeProvider time, AuditLog audit, CaseChanges changes)
{
    /// <summary>SQLite: the new fingerprints past which an import rebuilds the fingerprints' unique index (see <see cref="StoreRowByRow"/>).</summary>
    internal long RebuildFingerprintKeyAfter { get; init; } = 100_000;

    /// <summary>One result read, with what both paths need to store it.</summary>
    sealed record Staged(long Ordinal, ObservedResult Result, Fingerprint Fingerprint, string Revision, string ContentHash, long Occurrence, string Title);

    public async Task<ImportSummary> ImportAsync(ImportRequest request, IProgress<long>? progress = null, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(request.Project)) throw new BadInputException("A project name is required.");
        request = request with { Project = request.Project.Trim() };
        if (request.Files.Count == 0) throw new BadInputException("At least one file is required.");
        (request.By ?? Caller.Local).RequireCoordinatorWriter("import findings");
        var bytes = request.Files.Sum(f => new FileInfo(f.Path).Length);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        // The same files at the same requested revision are the same import; a new --revision is a new observation. The
        // hash is taken beside the read (a million-result log takes a second to hash), and awaited first only when the
        // project already has an import of the same size.
        using var stopHashing = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var hashing = Task.Run(() => HashFilesAsync(request.Files, request.Revision, stopHashing.Token), stopHashing.Token);
        try
        {
            await using var writeback = EarlyWriteback.Start(db);
            await using var connection = await db.OpenAsync(ct);
            await Database.SetBulkModeAsync(connection, true);
            try
            {
                return await ImportAsync(connection, request, bytes, hashing, now, progress, ct);
            }
            finally
            {
                await Database.SetBulkModeAsync(connection, false);
            }
        }
        finally
        {
            await stopHashing.CancelAsync();
            // Its failure, if it mattered, was raised where the hash was awaited.
            try { await hashing; } catch (Exception) { }
        }
    }

    async Task<ImportSummary> ImportAsync(
        DbConnection connection, ImportRequest request, long bytes, Task<string> hashing, long now, IProgress<long>? progress, CancellationToken ct)
    {
        await using var tx = await db.BeginAsync(connection, ct);
        var projectId = await ProjectStore.EnsureAsync(connection, tx, request.Project, now, ct);
        if (db.Engine == Engine.Postgres)
            // Imports into one project take turns: baselines and case clustering need a stable view.
            await connection.ExecuteAsync("SELECT pg_advisory_xact_lock(72201, CAST(@projectId AS INTEGER))", new { projectId }, tx);

        string? contentHash = null;
        if (await connection.ExecuteScalarAsync<long>(
                "SELECT count(*) FROM imports WHERE project_id = @projectId AND (bytes = @bytes OR bytes IS NULL)", new { projectId, bytes }, tx) > 0)
        {
            contentHash = await hashing;
            var previous = await connection.QuerySingleOrDefaultAsync<PreviousImport>(
                "SELECT id, revision, results, suppressed FROM imports WHERE project_id = @projectId AND sha256 = @contentHash",
                new { projectId, contentHash }, tx);
            if (previous is not null)
            {
                await tx.RollbackAsync(ct);
                return new ImportSummary(previous.id, request.Project, previous.revision, previous.results, 0, previous.results, 0, 0, previous.suppressed, 0, true);
            }
        }

        // Until the hash is known the row holds a placeholder no committed import has: the project's imports take turns.
        var (importSeq, importId) = await connection.QuerySingleAsync<(long, string)>(
            $"""
            INSERT INTO imports (id, project_id, file_name, sha256, bytes, revision, imported_at, results, new, unchanged, updated, absent, suppressed, new_cases)
            VALUES ({db.Dialect.RandomId}, @projectId, @fileName, @sha256, @bytes, '', @now, 0, 0, 0, 0, 0, 0, 0)
            RETURNING seq, id
            """,
            new { projectId, fileName = string.Join(", ", request.Files.Select(f => f.DisplayName)), sha256 = contentHash ?? "pending", bytes, now }, tx);

        var import = new Import(projectId, importSeq, now, hashing);
        var results = ReadAhead.Of(Read(request, import, ct), ct);
        var counts = db.Engine == Engine.Sqlite
            ? StoreRowByRow(connection, import, results, progress)
            : await StoreSetBasedAsync(connection, tx, import, results, progress, ct);

        var summary = counts with { ImportId = importId, Project = request.Project, Revision = import.Revision! };
        // New findings change nothing derived from a case (a new case needs no priority row: PriorityStore.Fresh), unless
        // they report a vector: that changes the CVSS of the case it lands in, new or known.
        if (import.ReportedCvss)
            await changes.RaiseAsync(connection, tx, now, new CaseChanged(CaseAspect.Cvss, CaseSet.Matching(
                $"c.seq IN (SELECT x.case_seq FROM findings f JOIN fingerprints x ON x.id = f.fingerprint_id WHERE f.import_seq = {importSeq} AND f.cvss_vector IS NOT NULL)")), ct);
        await connection.ExecuteAsync(
            """
            UPDATE imports SET sha256 = @ContentHash, revision = @Revision, results = @Results, new = @New, unchanged = @Unchanged, updated = @Updated,
                   absent = @Absent, suppressed = @Suppressed, new_cases = @NewCases
            WHERE id = @ImportId
            """, new
            {
                ContentHash = contentHash ?? await hashing, summary.Revision, summary.Results, summary.New, summary.Unchanged, summary.Updated,
                summary.Absent, summary.Suppressed, summary.NewCases, summary.ImportId,
            }, tx);
        await import.Claims.ApplyAsync(connection, tx, projectId, now, changes, ct);
        // Counts and names only: finding content may be embargoed, and events are listed to anyone with the database.
        await audit.AppendAsync(connection, tx, AuditEntry.By(request.By ?? Caller.Local, $"import:{importId}", "import", new
        {
            summary.Project, summary.Revision, Files = request.Files.Select(f => f.DisplayName).ToList(),
            summary.Results, summary.New, summary.Unchanged, summary.Updated, summary.Absent, summary.Suppressed, summary.NewCases,
        }), ct);
        await tx.CommitAsync(ct);
        return summary;
    }

    sealed record PreviousImport(string id, string revision, long results, long suppressed);

    /// <summary>
    /// What both paths learn while reading: the import's revision, and the tools whose baselines it
    /// replaces — its own, and any other name under which it matched present results (a tool renamed
    /// between runs is still the same tool once its results match).
    /// </summary>
    sealed class Import(long projectId, long seq, long now, Task<string> contentHash)
    {
        public long ProjectId { get; } = projectId;
        public long Seq { get; } = seq;
        public long Now { get; } = now;
        /// <summary>The files' hash, for a revision derived from the content (the reading thread may wait for it).</summary>
        public string ContentHash => contentHash.GetAwaiter().GetResult();
        public string? Revision { get; set; }
        public HashSet<string> Tools { get; } = new(StringComparer.Ordinal);
        /// <summary>The tools the files' headers name, collected by the reading thread; joined to <see cref="Tools"/> once it is done.</summary>
        public HashSet<string> HeaderTools { get; } = new(StringComparer.Ordinal);
        public bool ReportedCvss { get; set; }
        public CaseClaims Claims { get; } = new();
    }

    /// <summary>
    /// Streams the files' results in order. The import's revision is the requested one, else the first
    /// result's own, else derived from the content. The n-th result with a fingerprint is its n-th
    /// occurrence: baselining matches duplicates one to one, as SARIF's result matching does.
    /// </summary>
    static IEnumerable<Staged> Read(ImportRequest request, Import import, CancellationToken ct)
    {
        long ordinal = 0;
        var occurrences = new Dictionary<(UInt128, bool), long>();
        foreach (var file in request.Files)
            foreach (var r in FindingReader.Read(file.Path, file.DisplayName, request.SourceRoot, import.HeaderTools))
            {
                ct.ThrowIfCancellationRequested();
                import.Revision ??= request.Revision ?? r.Revision ?? "sha256:" + import.ContentHash[..16];
                if (r.CvssVector is not null) import.ReportedCvss = true;
                import.Claims.Collect(r);
                var fingerprint = Fingerprint.Of(r.Fingerprint);
                ref var occurrence = ref CollectionsMarshal.GetValueRefOrAddDefault(occurrences, (fingerprint.Key, r.DeclaredAbsent), out _);
                yield return new Staged(ordinal++, r, fingerprint, request.Revision ?? r.Revision ?? import.Revision, ContentHash(r), ++occurrence, Title(r));
            }
        // A log without results still observed the project at some revision (and made its results absent).
        import.Revision ??= request.Revision ?? "sha256:" + import.ContentHash[..16];
    }

    /// <summary>
    /// Whatever this import's tools tracked as present and did not report again is now absent at this
    /// revision. Kept, never deleted: the case history still needs it.
    /// </summary>
    async Task<long> MarkAbsentSetBasedAsync(DbConnection connection, DbTransaction tx, Import import)
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

    /// <summary>The baseline state of one result, given its tracked twin (null when none): the rule the set-based SQL repeats.</summary>
    static string Classify(ObservedResult r, string contentHash, (string Content, bool Present)? tracked) =>
        r.DeclaredAbsent ? "absent"
        : tracked is not { Present: true } t ? "new"
        : t.Content == contentHash ? "unchanged" : "updated";

    /// <summary>SQLite: one pass, prepared statements, the project's fingerprints and tracks in memory.</summary>
    ImportSummary StoreRowByRow(DbConnection connection, Import import, IEnumerable<Staged> results, IProgress<long>? progress)
    {
        var p = new { projectId = import.ProjectId };
        var fingerprints = new Dictionary<UInt128, (long Id, long CaseSeq)>();
        foreach (var (fingerprint, id, caseSeq) in connection.Query<(string, long, long)>(
            "SELECT fingerprint, id, case_seq FROM fingerprints WHERE project_id = @projectId", p))
            fingerprints[Fingerprint.Of(fingerprint).Key] = (id, caseSeq);
        var tracks = new Dictionary<(long, long), Track>();
        foreach (var (id, occurrence, content, present, tool) in connection.Query<(long, long, string, long, string)>(
            "SELECT fingerprint_id, occurrence, content_hash, present, tool FROM tracks WHERE project_id = @projectId", p))
            tracks[(id, occurrence)] = new Track(content, present == 1, tool, Seen: false);

        // New cases and fingerprints take the next keys themselves (what SQLite would give them: the transaction holds the
        // write lock), so they too can go many rows to a statement.
        var nextCase = connection.ExecuteScalar<long>("SELECT coalesce(max(seq), 0) + 1 FROM cases");
        var nextFingerprint = connection.ExecuteScalar<long>("SELECT coalesce(max(id), 0) + 1 FROM fingerprints");
        // Past this many new fingerprints, and once the import has added more than the table held, the fingerprints'
        // unique index goes and is built again at the end: sorting them all once beats inserting hashes, in no order, one
        // by one all over the index. Meanwhile the dictionary keeps them unique, and the rebuilt index checks that it did.
        var dropKeyAt = Math.Max(RebuildFingerprintKeyAfter, nextFingerprint);
        string? fingerprintKey = null;
        using var insertCase = new BatchedInsert(connection, "cases",
            ["seq", "id", "project_id", "title", "state", "first_seen", "last_seen", "finding_count", "max_severity", "created_at"]);
        using var insertFingerprint = new BatchedInsert(connection, "fingerprints", ["id", "project_id", "fingerprint", "case_seq"]);
        // Findings, and the tracks of results seen for the first time, are only ever inserted here: many rows to a statement.
        using var insertFinding = new BatchedInsert(connection, "findings", FindingColumns);
        using var insertTrack = new BatchedInsert(connection, "tracks", TrackColumns);
        var trackRow = new object?[TrackColumns.Length];
        trackRow[^1] = 1L; // present
        using var upsertTrack = PreparedStatement.Prepare(connection,
            """
            INSERT INTO tracks (fingerprint_id, occurrence, project_id, tool, content_hash, present, last_import, last_revision)
            VALUES (?, ?, ?, ?, ?, 1, ?, ?)
            ON CONFLICT (fingerprint_id, occurrence) DO UPDATE SET
                tool = excluded.tool, content_hash = excluded.content_hash, present = 1,
                last_import = excluded.last_import, last_revision = excluded.last_revision
            """);

        // Findings beyond the first of each case, per case: applied once at the end.
        var grown = new Dictionary<long, (long Findings, long Severity)>();
        long count = 0, fresh = 0, unchanged = 0, updated = 0, suppressed = 0, newCases = 0;
        var row = new object?[FindingColumns.Length];
        foreach (var s in results)
        {
            var r = s.Result;
            if (!r.DeclaredAbsent) import.Tools.Add(r.Tool);
            var key = s.Fingerprint.Key;
            if (!fingerprints.TryGetValue(key, out var member))
            {
                var caseSeq = nextCase++;
                insertCase.Add([caseSeq, CaseId.Mint(import.Now, newCases).ToString(), import.ProjectId, s.Title, "new", import.Now, import.Now, 1L, (long)r.Severity, import.Now]);
                insertFingerprint.Add([nextFingerprint, import.ProjectId, r.Fingerprint, caseSeq]);
                fingerprints[key] = member = (nextFingerprint++, caseSeq);
                if (++newCases == dropKeyAt)
                {
                    fingerprintKey = connection.ExecuteScalar<string>("SELECT sql FROM sqlite_schema WHERE type = 'index' AND name = 'fingerprints_key'");
                    connection.Execute("DROP INDEX fingerprints_key");
                }
            }
            else
            {
                ref var g = ref CollectionsMarshal.GetValueRefOrAddDefault(grown, member.CaseSeq, out _);
                g = (g.Findings + 1, Math.Max(g.Severity, (long)r.Severity));
            }
            ref var twin = ref CollectionsMarshal.GetValueRefOrNullRef(tracks, (member.Id, s.Occurrence));
            var known = !Unsafe.IsNullRef(ref twin);
            var state = Classify(r, s.ContentHash, known ? (twin.Content, twin.Present) : null);
            if (known && !r.DeclaredAbsent)
            {
                if (twin.Present) import.Tools.Add(twin.Tool);
                twin = twin with { Seen = true };
            }
            FillFindingRow(row, import, s, member.Id, state);
            insertFinding.Add(row);
            if (!r.DeclaredAbsent)
            {
                if (known) upsertTrack.Run([member.Id, s.Occurrence, import.ProjectId, r.Tool, s.ContentHash, import.Seq, import.Revision]);
                else
                {
                    (trackRow[0], trackRow[1], trackRow[2], trackRow[3], trackRow[4], trackRow[5], trackRow[6]) =
                        (member.Id, s.Occurrence, import.ProjectId, r.Tool, s.ContentHash, import.Seq, import.Revision);
                    insertTrack.Add(trackRow);
                }
            }

            count++;
            if (r.Suppressed) suppressed++;
            switch (state)
            {
                case "new": fresh++; break;
                case "unchanged": unchanged++; break;
                case "updated": updated++; break;
            }
            if (count % 10_000 == 0) progress?.Report(count);
        }
        insertCase.Complete();
        insertFingerprint.Complete();
        insertFinding.Complete();
        insertTrack.Complete();
        if (fingerprintKey is not null) connection.Execute(fingerprintKey);
        progress?.Report(count);
        import.Tools.UnionWith(import.HeaderTools);

        // In key order: each page of the table is visited once. (No index holds these columns.)
        using var growCase = PreparedStatement.Prepare(connection,
            "UPDATE cases SET finding_count = finding_count + ?, max_severity = max(max_severity, ?), last_seen = ? WHERE seq = ?");
        foreach (var (caseSeq, g) in grown.OrderBy(g => g.Key))
            growCase.Run([g.Findings, g.Severity, import.Now, caseSeq]);

        // Absence, by key: the tracks still present under this import's tools that it did not report.
        using var markAbsent = PreparedStatement.Prepare(connection,
            "UPDATE tracks SET present = 0, last_import = ?, last_revision = ? WHERE fingerprint_id = ? AND occurrence = ?");
        long absent = 0;
        foreach (var ((fingerprintId, occurrence), track) in tracks)
            if (track is { Present: true, Seen: false } && import.Tools.Contains(track.Tool))
            {
                markAbsent.Run([import.Seq, import.Revision, fingerprintId, occurrence]);
                absent++;
            }
        return new ImportSummary("", "", "", count, fresh, unchanged, updated, absent, suppressed, newCases, false);
    }

    /// <summary>A tracked result as the SQLite path holds it, and whether this import reported it again.</summary>
    record struct Track(string Content, bool Present, string Tool, bool Seen);

    /// <summary>The columns a finding takes straight from its result, in both the findings and the stage table.</summary>
    static readonly string[] ResultColumns =
    [
        "tool", "tool_version", "model", "rule_id", "cwe", "level", "severity", "message", "path", "start_line", "end_line",
        "start_column", "function", "snippet", "fingerprint_source", "suppressed", "evidence", "reproducer", "cvss_vector", "confidence",
    ];

    static void FillResult(object?[] row, int at, ObservedResult r)
    {
        row[at++] = r.Tool;
        row[at++] = r.ToolVersion;
        row[at++] = r.Model;
        row[at++] = r.RuleId;
        row[at++] = r.Cwe;
        row[at++] = (long)r.Level;
        row[at++] = (long)r.Severity;
        row[at++] = r.Message;
        row[at++] = r.Path;
        row[at++] = (long?)r.StartLine;
        row[at++] = (long?)r.EndLine;
        row[at++] = (long?)r.StartColumn;
        row[at++] = r.Function;
        row[at++] = r.Snippet;
        row[at++] = (long)r.FingerprintSource;
        row[at++] = r.Suppressed ? 1L : 0L;
        row[at++] = r.Evidence;
        row[at++] = r.ReproducerJson;
        row[at++] = r.CvssVector;
        row[at] = r.Confidence;
    }

    static readonly string[] TrackColumns = ["fingerprint_id", "occurrence", "project_id", "tool", "content_hash", "last_import", "last_revision", "present"];

    static readonly string[] FindingColumns =
        ["import_seq", "ordinal", "project_id", "fingerprint_id", "occurrence", "baseline_state", .. ResultColumns, "revision", "observed_at"];

    static void FillFindingRow(object?[] row, Import import, Staged s, long fingerprintId, string state)
    {
        row[0] = import.Seq;
        row[1] = s.Ordinal;
        row[2] = import.ProjectId;
        row[3] = fingerprintId;
        row[4] = s.Occurrence;
        row[5] = state;
        FillResult(row, 6, s.Result);
        row[26] = s.Revision;
        row[27] = import.Now;
    }

    static readonly string[] StageColumns =
        ["ordinal", "fingerprint", "occurrence", "content_hash", "title", "declared_absent", .. ResultColumns, "revision"];

    /// <summary>PostgreSQL: binary COPY into a staging table, then set-based statements.</summary>
    async Task<ImportSummary> StoreSetBasedAsync(
        DbConnection connection, DbTransaction tx, Import import, IEnumerable<Staged> results, IProgress<long>? progress, CancellationToken ct)
    {
        await connection.ExecuteAsync("DROP TABLE IF EXISTS stage; DROP TABLE IF EXISTS new_fingerprints", transaction: tx);
        await connection.ExecuteAsync(
            """
            CREATE TEMP TABLE stage (
                ordinal BIGINT PRIMARY KEY, fingerprint TEXT, occurrence BIGINT, content_hash TEXT, title TEXT,
                declared_absent BIGINT, tool TEXT, tool_version TEXT, model TEXT, rule_id TEXT, cwe TEXT, level BIGINT,
                severity BIGINT, message TEXT, path TEXT, start_line BIGINT, end_line BIGINT, start_column BIGINT,
                function TEXT, snippet TEXT, fingerprint_source BIGINT, suppressed BIGINT, evidence TEXT, reproducer TEXT,
                cvss_vector TEXT, confidence DOUBLE PRECISION, revision TEXT)
            """, transaction: tx);
        long count = 0;
        var row = new object?[StageColumns.Length];
        await using (var bulk = await BulkInsert.StartAsync(connection, "stage", StageColumns, ct))
        {
            foreach (var s in results)
            {
                var r = s.Result;
                if (!r.DeclaredAbsent) import.Tools.Add(r.Tool);
                row[0] = s.Ordinal;
                row[1] = r.Fingerprint;
                row[2] = s.Occurrence;
                row[3] = s.ContentHash;
                row[4] = s.Title;
                row[5] = r.DeclaredAbsent ? 1L : 0L;
                FillResult(row, 6, r);
                row[26] = s.Revision;
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

        // Cluster: a known fingerprint joins its case; each new fingerprint opens one, titled after its
        // first result and born with its counts.
        await connection.ExecuteAsync(
            $"""
            CREATE TEMP TABLE new_fingerprints AS
            SELECT n.fingerprint, {db.Dialect.RandomId} AS case_id, n.first_ordinal, n.findings, n.severity
            FROM (SELECT s.fingerprint, min(s.ordinal) AS first_ordinal, count(*) AS findings, max(s.severity) AS severity
                  FROM stage s
                  WHERE NOT EXISTS (SELECT 1 FROM fingerprints x WHERE x.project_id = @projectId AND x.fingerprint = s.fingerprint)
                  GROUP BY s.fingerprint) n
            """, p, tx);
        // Existing cases grow by this import's findings; computed before the new fingerprints exist.
        await connection.ExecuteAsync(
            """
            UPDATE cases SET finding_count = cases.finding_count + a.n, last_seen = @now,
                   max_severity = greatest(cases.max_severity, a.severity)
            FROM (SELECT x.case_seq, count(*) AS n, max(s.severity) AS severity
                  FROM stage s JOIN fingerprints x ON x.project_id = @projectId AND x.fingerprint = s.fingerprint
                  GROUP BY x.case_seq) a
            WHERE cases.seq = a.case_seq
            """, p, tx);
        var newCases = await connection.ExecuteAsync(
            """
            INSERT INTO cases (id, project_id, title, state, first_seen, last_seen, finding_count, max_severity, created_at)
            SELECT n.case_id, @projectId, s.title, 'new', @now, @now, n.findings, n.severity, @now
            FROM new_fingerprints n JOIN stage s ON s.ordinal = n.first_ordinal
            """, p, tx);
        await connection.ExecuteAsync(
            """
            INSERT INTO fingerprints (project_id, fingerprint, case_seq)
            SELECT @projectId, n.fingerprint, c.seq FROM new_fingerprints n JOIN cases c ON c.id = n.case_id
            """, p, tx);

        // Classify against the tracked results; the same rule as Classify.
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
                s.reproducer, s.cvss_vector, s.confidence, s.revision, @now
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
        return new ImportSummary("", "", "", counts.Sum(c => c.N), Count("new"), Count("unchanged"), Count("updated"),
            await MarkAbsentSetBasedAsync(connection, tx, import), counts.Sum(c => c.Suppressed), newCases, false);
    }

    /// <summary>A new case's title: rule, where, and what the first finding said.</summary>
    static string Title(ObservedResult r)
    {
        var title = $"{r.RuleId} in {r.Path ?? r.Function ?? "(no location)"}: {r.Message}";
        return title.Length <= 200 ? title : title[..(char.IsHighSurrogate(title[199]) ? 199 : 200)];
    }

    /// <summary>What "updated" compares: the result's content apart from its identity.</summary>
    static string ContentHash(ObservedResult r)
    {
        // Not a security boundary (it only tells "updated" from "unchanged"), so a fast 128-bit hash.
        var text = string.Join('\u001f', (int)r.Level, r.Message, r.Path, r.StartLine, r.StartColumn, r.EndLine, r.Snippet, r.Suppressed);
        return Convert.ToHexStringLower(XxHash128.Hash(Encoding.UTF8.GetBytes(text)));
    }

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
