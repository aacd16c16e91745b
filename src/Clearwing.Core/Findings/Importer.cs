using System.Data.Common;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Clearwing.Access;
using Clearwing.Storage;
using Clearwing.Cases;
using Dapper;

namespace Clearwing.Findings;

/// <summary>One import: the files of one analysis run (one or more SARIF or native logs) into one project.</summary>
/// <param name="Project">Project name; created on first import.</param>
/// <param name="Files">Paths to read, with the names errors should use.</param>
/// <param name="Revision">The revision analysed; when absent, the log's own revision, else the content hash.</param>
/// <param name="SourceRoot">Where the analysed sources were checked out: absolute paths under it are stored relative to it, and
/// when it exists here (and <paramref name="ReadSources"/>) it gives the line hashes a log lacks.</param>
/// <param name="By">Who imports (the coordinator's admins and triagers may); the audit chain records it. Default: <see cref="Caller.Local"/>.</param>
/// <param name="ReadSources">False: <paramref name="SourceRoot"/> is only a prefix to remove, never read (a server's disk is not
/// the caller's).</param>
public sealed record ImportRequest(
    string Project, IReadOnlyList<ImportFile> Files, string? Revision = null, string? SourceRoot = null, Caller? By = null,
    bool ReadSources = true);

/// <summary>A file of an import: where to read it, and the name errors and the audit chain call it by.</summary>
public sealed record ImportFile(string Path, string DisplayName);

/// <summary>
/// What an import did. <see cref="Results"/> counts every result read; New/Unchanged/Updated classify the
/// ones observed against the project's baseline for the same tool; Absent counts tracked results that
/// this import no longer reports. A file already imported reports everything unchanged and stores nothing.
/// <see cref="PathBases"/> are the folders absolute paths were made relative to, and why each (docs/fingerprints.md, "Paths");
/// <see cref="Warnings"/> what was left out and why (a file given twice is imported once); <see cref="Signals"/> how many results
/// are about security, unknown, or not (docs/signal.md).
/// </summary>
public sealed record ImportSummary(
    string ImportId, string Project, string Revision,
    long Results, long New, long Unchanged, long Updated, long Absent, long Suppressed, long NewCases,
    bool AlreadyImported, IReadOnlyList<PathBase> PathBases, IReadOnlyList<string> Warnings, SignalCounts Signals);

/// <summary>Results by <see cref="SecuritySignal"/>.</summary>
public sealed record SignalCounts(long Security, long Unknown, long NotSecurity);

/// <summary>
/// The intake pipeline: read (streaming) → fingerprint → prepare each result for its baseline (occurrence, content hash,
/// title) → store through the intake writer (<c>Storage/IntakeWriter</c>), which classifies against the baseline, stores
/// the findings and clusters new fingerprints into cases, all in one transaction, writing through the engine's tables
/// (<c>Storage/SqliteIntakeTables</c>, <c>Storage/PostgresIntakeTables</c>). The contract tests hold both engines to the
/// same results. Each import that stores anything appends one
/// event to the audit chain in the same transaction.
/// </summary>
public sealed class Importer(Database db, TimeProvider time, AuditLog audit, CaseChanges changes)
{
    /// <summary>SQLite: the new fingerprints past which an import rebuilds the fingerprints' unique index (SqliteIntakeTables).</summary>
    internal long RebuildFingerprintKeyAfter { get; init; } = 100_000;

    /// <summary>SQLite: false keeps the writer's statements off the direct calls into e_sqlite3 (tests compare the two paths).</summary>
    internal bool DirectSqliteCalls { get; init; } = true;

    IntakeWriter Writer => new() { RebuildFingerprintKeyAfter = RebuildFingerprintKeyAfter, DirectCalls = DirectSqliteCalls };

    /// <summary>One result read, with what the writers need to store it.</summary>
    sealed class Staged(long ordinal, ObservedResult r, Fingerprint fingerprint, string revision, long occurrence, string rule)
        : IntakeRow(ordinal, fingerprint, occurrence, HashContent(r), TitleOf(r), revision, r.Tool, (long)r.Severity, (long)r.Signal, r.Suppressed,
            r.DeclaredAbsent)
    {
        // In the order of IntakeRow.ResultColumns.
        public override void FillResult(object?[] row, int at)
        {
            row[at++] = r.Tool;
            row[at++] = r.ToolVersion;
            row[at++] = r.Model;
            row[at++] = r.RuleId;
            row[at++] = r.Cwe;
            row[at++] = Boxes.Of((long)r.Level);
            row[at++] = Boxes.Of((long)r.Severity);
            row[at++] = r.Message;
            row[at++] = r.Path;
            row[at++] = Boxes.Of(r.StartLine);
            row[at++] = Boxes.Of(r.EndLine);
            row[at++] = Boxes.Of(r.StartColumn);
            row[at++] = r.Function;
            row[at++] = r.Snippet;
            row[at++] = Boxes.Of((long)r.FingerprintSource);
            row[at++] = Boxes.Of(r.Suppressed ? 1 : 0);
            row[at++] = r.Evidence;
            row[at++] = r.ReproducerJson;
            row[at++] = r.CvssVector;
            row[at++] = r.Confidence;
            row[at++] = Boxes.Of((long)r.Signal);
            row[at++] = r.SignalReason;
            row[at++] = r.ToolFingerprints;
            row[at] = r.ProvenanceJson;
        }

        // A result with a known fingerprint only meets its fingerprint's tracks (pass 1), which compare places: its words are
        // left out, and nothing keeps the row's own strings alive, so that a million leftovers stay small.
        public override MatchItem Describe(long fingerprintId, bool newFingerprint, StringPool pool) => newFingerprint
            ? new(fingerprintId, 0, pool.Intern(r.Tool), pool.Intern(rule), pool.Intern(r.Path), r.StartLine, r.StartColumn, pool.Intern(r.Function),
                BaselineMatcher.WordsOf(r.Message), r.Snippet, r.ToolFingerprints, MatchItem.ContentOf(ContentHash), NewFingerprint: true)
            {
                Ordinal = Ordinal,
            }
            : new(fingerprintId, 0, pool.Intern(r.Tool), pool.Intern(rule), pool.Intern(r.Path), r.StartLine, r.StartColumn, null, [], null, null,
                MatchItem.ContentOf(ContentHash)) { Ordinal = Ordinal };

        public override JoinCandidate? JoinKey() =>
            r is { Cwe: not null, Path: not null, StartLine: not null } || r.Aliases.Count > 0
                ? new JoinCandidate(Fingerprint.Text, Ordinal, r.Tool, r.Path, r.StartLine, r.EndLine, r.Cwe, r.Aliases)
                : null;
    }

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
            await db.SetBulkModeAsync(connection, true);
            try
            {
                return await ImportAsync(connection, request, bytes, hashing, now, progress, ct);
            }
            finally
            {
                await db.SetBulkModeAsync(connection, false);
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
        // Imports into one project take turns, and with merges and splits: baselines and case clustering need a stable view.
        await ProjectStore.LockAsync(connection, tx, db.Engine, projectId);

        string? contentHash = null;
        if (await connection.ExecuteScalarAsync<long>(
                "SELECT count(*) FROM imports WHERE project_id = @projectId AND (bytes = @bytes OR bytes IS NULL)", new { projectId, bytes }, tx) > 0)
        {
            contentHash = await hashing;
            var previous = await connection.QuerySingleOrDefaultAsync<PreviousImport>(
                "SELECT seq, id, revision, results, suppressed, path_bases FROM imports WHERE project_id = @projectId AND sha256 = @contentHash",
                new { projectId, contentHash }, tx);
            if (previous is not null)
            {
                var signals = (await connection.QueryAsync<(long Signal, long N)>(
                    "SELECT signal, count(*) FROM findings WHERE import_seq = @seq GROUP BY signal", new { previous.seq }, tx)).ToList();
                await tx.RollbackAsync(ct);
                return new ImportSummary(
                    previous.id, request.Project, previous.revision, previous.results, 0, previous.results, 0, 0, previous.suppressed, 0, true,
                    previous.path_bases is null ? [] : JsonSerializer.Deserialize<List<PathBase>>(previous.path_bases, StoredJson)!, [],
                    Count(signals.ToDictionary(s => (SecuritySignal)s.Signal, s => s.N)));
            }
        }

        // Until the hash is known the row holds a placeholder no committed import has: the project's imports take turns.
        var (importSeq, importId) = await connection.QuerySingleAsync<(long, string)>(
            $"""
            INSERT INTO imports (id, project_id, file_name, sha256, bytes, revision, imported_at,
                                 results, new, unchanged, updated, absent, suppressed, new_cases)
            VALUES ({db.Dialect.RandomId}, @projectId, @fileName, @sha256, @bytes, '', @now, 0, 0, 0, 0, 0, 0, 0)
            RETURNING seq, id
            """,
            new
            {
                projectId, fileName = string.Join(", ", request.Files.Select(f => f.DisplayName)), sha256 = contentHash ?? "pending", bytes, now,
            }, tx);

        var settings = await connection.QuerySingleAsync<(long Joins, string NonSecurity)>(
            "SELECT cross_finder_joins, non_security FROM projects WHERE id = @projectId", new { projectId }, tx);
        // Quality cases stay out of the queue (and the overview's counts) until a finding raises their signal.
        var apart = settings.NonSecurity == ProjectSettingsStore.Name(NonSecurityHandling.Quality);
        var import = new Import(projectId, importSeq, importId, now, hashing, await RuleAliases.LoadAsync(connection, tx, projectId))
        {
            CrossFinderJoins = settings.Joins != 0,
            QualityCases = apart
                ? (await connection.QueryAsync<long>("SELECT seq FROM cases WHERE project_id = @projectId AND signal = 0", new { projectId }, tx))
                    .ToHashSet()
                : null,
        };
        var c = await Writer.StoreAsync(connection, tx, import, ReadAhead.Of(Read(request, import, ct), ct), progress, ct);
        await OverviewTally.ImportedAsync(connection, tx, db.Engine, projectId, now, apart ? c.NewCases - c.NewQualityCases : c.NewCases,
            import.Raised, ct);

        var summary = new ImportSummary(importId, request.Project, import.Revision!,
            c.Results, c.New, c.Unchanged, c.Updated, c.Absent, c.Suppressed, c.NewCases, AlreadyImported: false, [.. import.PathBases.Distinct()],
            import.Warnings, Count(import.Signals));
        // New findings change nothing derived from a case (a new case needs no priority row: PriorityStore.Fresh), unless
        // they report a vector: that changes the CVSS of the case it lands in, new or known.
        CaseSet Reporting(string column) => CaseSet.Matching("c.seq IN (SELECT x.case_seq FROM findings f JOIN fingerprints x " +
            $"ON x.id = f.fingerprint_id WHERE f.import_seq = {importSeq} AND f.{column} IS NOT NULL)");
        if (import.ReportedCvss)
            await changes.RaiseAsync(connection, tx, now, new CaseChanged(CaseAspect.Cvss, Reporting("cvss_vector")), ct);
        // Findings that bring a reproducer start their case's validation.
        if (import.ReportedReproducer)
            await changes.RaiseAsync(connection, tx, now, new CaseChanged(CaseAspect.Reproducers, Reporting("reproducer")), ct);
        // A scan that no longer reports a fixed case's results may verify its fix (by rescan); other cases' absence moves nothing.
        if (c.Absent > 0)
            await changes.RaiseAsync(connection, tx, now, new CaseChanged(CaseAspect.Absence, CaseSet.Matching(
                $"c.project_id = {projectId} AND c.state = 'fixed' AND EXISTS (SELECT 1 FROM fingerprints x JOIN tracks t " +
                $"ON t.fingerprint_id = x.id WHERE x.case_seq = c.seq AND t.last_import = {importSeq} AND t.present = 0)")), ct);
        await connection.ExecuteAsync(
            """
            UPDATE imports SET sha256 = @ContentHash, revision = @Revision, results = @Results, new = @New, unchanged = @Unchanged,
                   updated = @Updated, absent = @Absent, suppressed = @Suppressed, new_cases = @NewCases, path_bases = @PathBases,
                   repositories = @Repositories
            WHERE id = @ImportId
            """, new
            {
                ContentHash = contentHash ?? await hashing, summary.Revision, summary.Results, summary.New, summary.Unchanged, summary.Updated,
                summary.Absent, summary.Suppressed, summary.NewCases, summary.ImportId,
                PathBases = summary.PathBases.Count == 0 ? null : JsonSerializer.Serialize(summary.PathBases, StoredJson),
                Repositories = import.Repositories.Count == 0 ? null : JsonSerializer.Serialize(import.Repositories),
            }, tx);
        await import.Claims.ApplyAsync(connection, tx, projectId, now, changes, ct);
        await import.RuleAliases.SaveAsync(connection, tx, projectId, now);
        // Counts and names only: finding content may be embargoed, and events are listed to anyone with the database.
        await audit.AppendAsync(connection, tx, AuditEntry.By(request.By ?? Caller.Local, $"import:{importId}", "import", new
        {
            summary.Project, summary.Revision, Files = request.Files.Select(f => f.DisplayName).ToList(),
            summary.Results, summary.New, summary.Unchanged, summary.Updated, summary.Absent, summary.Suppressed, summary.NewCases,
        }), ct);
        await tx.CommitAsync(ct);
        return summary;
    }

    sealed record PreviousImport(long seq, string id, string revision, long results, long suppressed, string? path_bases);

    static SignalCounts Count(IReadOnlyDictionary<SecuritySignal, long> bySignal) => new(
        bySignal.GetValueOrDefault(SecuritySignal.Security), bySignal.GetValueOrDefault(SecuritySignal.Unknown),
        bySignal.GetValueOrDefault(SecuritySignal.NotSecurity));

    static readonly JsonSerializerOptions StoredJson = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    /// <summary>The import as its writer sees it, and what the pipeline learns while reading besides.</summary>
    sealed class Import(long projectId, long seq, string id, long now, Task<string> contentHash, RuleAliases ruleAliases)
        : IntakeContext(projectId, seq, id, now)
    {
        public override string CanonicalRule(string tool, string rule) => RuleAliases.Canonical(tool, rule);

        /// <summary>The project's renamed rules, taught by the files as they are read.</summary>
        public RuleAliases RuleAliases { get; } = ruleAliases;
        /// <summary>The files' hash, for a revision derived from the content (the reading thread may wait for it).</summary>
        public string ContentHash => contentHash.GetAwaiter().GetResult();
        public bool ReportedCvss { get; set; }
        public bool ReportedReproducer { get; set; }
        public CaseClaims Claims { get; } = new();
        /// <summary>The folders absolute paths were made relative to, collected by the reading thread; complete once the rows end.</summary>
        public List<PathBase> PathBases { get; } = [];
        /// <summary>The repositories the files say were analysed, as written (read by routing: docs/intake-policy.md#owners).</summary>
        public SortedSet<string> Repositories { get; } = new(StringComparer.Ordinal);
        /// <summary>What the reading left out, and why.</summary>
        public List<string> Warnings { get; } = [];
        /// <summary>The results read, by signal.</summary>
        public Dictionary<SecuritySignal, long> Signals { get; } = [];
    }

    /// <summary>
    /// Streams the files' results in order. The import's revision is the requested one, else the first
    /// result's own, else derived from the content. The n-th result with a fingerprint is its n-th
    /// occurrence; against a baseline, the writers' matching passes pair copies with tracks by place, not by this number.
    /// </summary>
    static IEnumerable<Staged> Read(ImportRequest request, Import import, CancellationToken ct)
    {
        long ordinal = 0;
        var occurrences = new Dictionary<(UInt128, bool), long>();
        var read = new List<(ImportFile File, long Length, Lazy<byte[]> Hash)>();
        foreach (var file in request.Files)
        {
            // The same log given twice would report each result twice: the copies would be second occurrences, new findings.
            var length = new FileInfo(file.Path).Length;
            var hash = new Lazy<byte[]>(() =>
            {
                using var stream = File.OpenRead(file.Path);
                return SHA256.HashData(stream);
            });
            if (read.FirstOrDefault(f => f.Length == length && f.Hash.Value.AsSpan().SequenceEqual(hash.Value)) is { File: { } same })
            {
                import.Warnings.Add(file.DisplayName == same.DisplayName
                    ? $"{file.DisplayName} was given twice: imported once."
                    : $"{file.DisplayName} is the same file as {same.DisplayName}: imported once.");
                continue;
            }
            read.Add((file, length, hash));
            foreach (var r in FindingReader.Read(file.Path, file.DisplayName, new ReadContext
                     {
                         SourceRoot = request.SourceRoot, ReadSources = request.ReadSources, Tools = import.HeaderTools, PathBases = import.PathBases,
                         RuleAliases = import.RuleAliases, Repositories = import.Repositories,
                     }))
            {
                ct.ThrowIfCancellationRequested();
                import.Revision ??= request.Revision ?? r.Revision ?? "sha256:" + import.ContentHash[..16];
                if (r.CvssVector is not null) import.ReportedCvss = true;
                if (r.ReproducerJson is not null) import.ReportedReproducer = true;
                import.Claims.Collect(r);
                import.RuleAliases.Reported(r.Tool, r.RuleId);
                CollectionsMarshal.GetValueRefOrAddDefault(import.Signals, r.Signal, out _)++;
                var fingerprint = Fingerprint.Of(r.Fingerprint);
                ref var occurrence = ref CollectionsMarshal.GetValueRefOrAddDefault(occurrences, (fingerprint.Key, r.DeclaredAbsent), out _);
                yield return new Staged(ordinal++, r, fingerprint, request.Revision ?? r.Revision ?? import.Revision, ++occurrence,
                    import.RuleAliases.Canonical(r.Tool, r.RuleId));
            }
        }
        // A log without results still observed the project at some revision (and made its results absent).
        import.Revision ??= request.Revision ?? "sha256:" + import.ContentHash[..16];
    }

    /// <summary>A new case's title: rule, where, and what the first finding said.</summary>
    static string TitleOf(ObservedResult r)
    {
        var title = $"{r.RuleId} in {r.Path ?? r.Function ?? "(no location)"}: {r.Message}";
        return title.Length <= 200 ? title : title[..(char.IsHighSurrogate(title[199]) ? 199 : 200)];
    }

    /// <summary>What "updated" compares: the result's content apart from its identity.</summary>
    /// <remarks>Not a security boundary (it only tells "updated" from "unchanged"), so a fast 128-bit hash. Stored hashes are
    /// of <c>string.Join('\u001f', level, message, path, start line, start column, end line, snippet, suppressed)</c> in UTF-8:
    /// the same bytes are written here into one buffer per reading thread, without that string (a million of them made a
    /// seventh of an import's garbage).</remarks>
    internal static string HashContent(ObservedResult r)
    {
        var endLine = r.EndLineImplied ? null : r.EndLine;
        var most = 8 * 12 + Encoding.UTF8.GetMaxByteCount((r.Message?.Length ?? 0) + (r.Path?.Length ?? 0) + (r.Snippet?.Length ?? 0));
        var buffer = ContentBuffer is { } b && b.Length >= most ? b : ContentBuffer = new byte[Math.Max(most, 4096)];
        var at = 0;
        Number((int)r.Level);
        Text(r.Message);
        Text(r.Path);
        Number(r.StartLine);
        Number(r.StartColumn);
        Number(endLine);
        Text(r.Snippet);
        buffer[at++] = 0x1f;
        Encoding.UTF8.TryGetBytes(r.Suppressed ? bool.TrueString : bool.FalseString, buffer.AsSpan(at), out var written);
        Span<byte> hash = stackalloc byte[16];
        XxHash128.Hash(buffer.AsSpan(0, at + written), hash);
        return Convert.ToHexStringLower(hash);

        // string.Join formats numbers as ToString() does, in the current culture.
        void Number(int? value)
        {
            if (at > 0) buffer[at++] = 0x1f;
            if (value is { } v && v.TryFormat(buffer.AsSpan(at), out var n, default, null)) at += n;
        }

        void Text(string? value)
        {
            buffer[at++] = 0x1f;
            if (value is not null) at += Encoding.UTF8.GetBytes(value, buffer.AsSpan(at));
        }
    }

    [ThreadStatic] static byte[]? ContentBuffer;

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
