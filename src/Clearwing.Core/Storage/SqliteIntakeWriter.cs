using System.Data.Common;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Dapper;

namespace Clearwing.Storage;

/// <summary>
/// SQLite's intake: one pass, with the project's fingerprints and tracks in memory (never the file). Each row is classified
/// here and written through SQLite's C API (<see cref="BatchedInsert"/>, many rows to a statement, and
/// <see cref="PreparedStatement"/>): a result with a tracked twin of identical content is unchanged at once; the rest are
/// stored as new on provisional tracks and corrected once the matching passes (<see cref="BaselineResolution"/>) have run
/// at the end; a new fingerprint opens a case (taking the next keys itself) unless it waits for the passes or a cross-finder
/// join (<see cref="CaseJoins"/>). Case counts are applied once at the end, and the tracks the import's tools no longer
/// report are marked absent by key.
/// </summary>
internal sealed class SqliteIntakeWriter : IIntakeWriter
{
    /// <summary>The new fingerprints past which an import rebuilds the fingerprints' unique index (see <see cref="Store"/>).</summary>
    public long RebuildFingerprintKeyAfter { get; init; } = 100_000;

    /// <summary>False keeps the statements to SQLitePCLRaw's ordinary calls (tests compare the two paths).</summary>
    public bool DirectCalls { get; init; } = true;

    static readonly string[] CaseColumns =
        ["seq", "id", "project_id", "title", "state", "first_seen", "last_seen", "finding_count", "max_severity", "created_at", "signal"];
    static readonly string[] FingerprintColumns = ["id", "project_id", "fingerprint", "case_seq"];
    static readonly string[] TrackColumns =
        ["fingerprint_id", "occurrence", "project_id", "tool", "content_hash", "last_import", "last_revision", "present", "last_ordinal"];
    static readonly string[] FindingColumns =
    [
        "import_seq", "ordinal", "project_id", "fingerprint_id", "occurrence", "baseline_state", .. IntakeRow.ResultColumns,
        "revision", "observed_at",
    ];

    public Task<IntakeCounts> StoreAsync(DbConnection connection, DbTransaction tx, IntakeContext import, IEnumerable<IntakeRow> rows,
        IProgress<long>? progress, CancellationToken ct) =>
        Task.FromResult(Store(connection, tx, import, rows, progress));

    /// <summary>The baseline state of one row, given its tracked twin (null when none): the rule PostgreSQL's SQL repeats.</summary>
    static string Classify(IntakeRow row, (UInt128 Content, bool Present)? tracked) =>
        row.DeclaredAbsent ? "absent"
        : tracked is not { Present: true } t ? "new"
        : t.Content == MatchItem.ContentOf(row.ContentHash) ? "unchanged" : "updated";

    IntakeCounts Store(DbConnection connection, DbTransaction tx, IntakeContext import, IEnumerable<IntakeRow> rows, IProgress<long>? progress)
    {
        var p = new { projectId = import.ProjectId };
        var fingerprints = new Dictionary<UInt128, (long Id, long CaseSeq)>(
            connection.ExecuteScalar<int>("SELECT count(*) FROM fingerprints WHERE project_id = @projectId", p));
        foreach (var (fingerprint, id, caseSeq) in connection.Query<(string, long, long)>(
            "SELECT fingerprint, id, case_seq FROM fingerprints WHERE project_id = @projectId", p))
            fingerprints[Fingerprint.Of(fingerprint).Key] = (id, caseSeq);
        // Content hashes as numbers and tools by number: a million tracked results stay small, and hold no reference the
        // garbage collector would scan each time the stream marks one seen.
        var tracks = new Dictionary<(long, long), Track>(
            connection.ExecuteScalar<int>("SELECT count(*) FROM tracks WHERE project_id = @projectId", p));
        var tools = new List<string>();
        var toolNumbers = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (id, occurrence, content, present, tool, moved) in connection.Query<(long, long, string, long, string, long)>(
            "SELECT fingerprint_id, occurrence, content_hash, present, tool, moved_to_fingerprint IS NOT NULL " +
            "FROM tracks WHERE project_id = @projectId", p, buffered: false))
        {
            ref var number = ref CollectionsMarshal.GetValueRefOrAddDefault(toolNumbers, tool, out var known);
            if (!known)
            {
                number = tools.Count;
                tools.Add(tool);
            }
            tracks[(id, occurrence)] = new Track(MatchItem.ContentOf(content), present == 1, number, Seen: false, Moved: moved == 1);
        }
        // With tracked results present, a result no identical one takes waits for the matching passes (BaselineResolution):
        // its finding is stored at once as new on a provisional track, and corrected once the passes have run.
        var baseline = tracks.Values.Any(t => t.Present);
        var leftovers = new List<MatchItem>();
        var names = new StringPool();
        var provisional = new Dictionary<long, long>();
        var pending = new Dictionary<long, PendingFingerprint>();
        var deferNew = false;

        // New cases and fingerprints take the next keys themselves (what SQLite would give them: the transaction holds the
        // write lock), so they too can go many rows to a statement.
        var nextCase = connection.ExecuteScalar<long>("SELECT coalesce(max(seq), 0) + 1 FROM cases");
        var nextFingerprint = connection.ExecuteScalar<long>("SELECT coalesce(max(id), 0) + 1 FROM fingerprints");
        // Past this many new fingerprints, and once the import has added more than the table held, the fingerprints'
        // unique index goes and is built again at the end: sorting them all once beats inserting hashes, in no order, one
        // by one all over the index. Meanwhile the dictionary keeps them unique, and the rebuilt index checks that it did.
        var dropKeyAt = Math.Max(RebuildFingerprintKeyAfter, nextFingerprint);
        string? fingerprintKey = null;
        using var insertCase = new BatchedInsert(connection, "cases", CaseColumns, DirectCalls);
        using var insertFingerprint = new BatchedInsert(connection, "fingerprints", FingerprintColumns, DirectCalls);
        // Findings, and the tracks of results seen for the first time, are only ever inserted here: many rows to a statement.
        using var insertFinding = new BatchedInsert(connection, "findings", FindingColumns, DirectCalls);
        using var insertTrack = new BatchedInsert(connection, "tracks", TrackColumns, DirectCalls);
        using var upsertTrack = PreparedStatement.Prepare(connection,
            """
            INSERT INTO tracks (fingerprint_id, occurrence, project_id, tool, content_hash, present, last_import, last_revision, last_ordinal)
            VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?)
            ON CONFLICT (fingerprint_id, occurrence) DO UPDATE SET
                tool = excluded.tool, content_hash = excluded.content_hash, present = 1, last_import = excluded.last_import,
                last_revision = excluded.last_revision, last_ordinal = excluded.last_ordinal, moved_to_fingerprint = NULL,
                moved_to_occurrence = NULL
            """, DirectCalls);
        // Each statement's values, one array each, reused row after row (the statements copy them).
        var caseRow = new object?[CaseColumns.Length];
        (caseRow[2], caseRow[4], caseRow[5], caseRow[6], caseRow[7], caseRow[9]) = (import.ProjectId, "new", import.Now, import.Now, 1L, import.Now);
        var fingerprintRow = new object?[FingerprintColumns.Length];
        fingerprintRow[1] = import.ProjectId;
        var trackRow = new object?[TrackColumns.Length];
        (trackRow[2], trackRow[5], trackRow[7]) = (import.ProjectId, import.Seq, 1L);
        var upsertRow = new object?[8];
        (upsertRow[2], upsertRow[5]) = (import.ProjectId, import.Seq);
        var findingRow = new object?[FindingColumns.Length];
        (findingRow[0], findingRow[2], findingRow[^1]) = (import.Seq, import.ProjectId, import.Now);

        // Findings beyond the first of each case, per case: applied once at the end.
        var grown = new Dictionary<long, (long Findings, long Severity, long Signal)>();
        long count = 0, fresh = 0, unchanged = 0, updated = 0, suppressed = 0, newCases = 0;
        foreach (var s in rows)
        {
            if (!s.DeclaredAbsent) import.Tools.Add(s.Tool);
            var key = s.Fingerprint.Key;
            if (!s.DeclaredAbsent && !fingerprints.ContainsKey(key)
                && (import.CrossFinderJoins ? s.JoinKey() : null) is var join && (baseline || deferNew || join is not null))
            {
                // A fingerprint the project has never seen: its case waits for the passes, which may link it to a known one, and
                // for the joins, which may place it in another finder's case. Once one waits, every new one after it waits too:
                // cases open in the order their fingerprints first appear.
                deferNew = true;
                fingerprints[key] = (nextFingerprint, -1);
                pending[nextFingerprint] = new PendingFingerprint(s.Fingerprint.Text, s.Title, s.Ordinal, join);
                nextFingerprint++;
            }
            if (!fingerprints.TryGetValue(key, out var member))
            {
                var caseSeq = nextCase++;
                (caseRow[0], caseRow[1], caseRow[3], caseRow[8]) = (caseSeq, CaseId.Mint(import.Now, newCases).ToString(), s.Title, s.Severity);
                caseRow[10] = s.Signal;
                insertCase.Add(caseRow);
                (fingerprintRow[0], fingerprintRow[2], fingerprintRow[3]) = (nextFingerprint, s.Fingerprint.Text, caseSeq);
                insertFingerprint.Add(fingerprintRow);
                fingerprints[key] = member = (nextFingerprint++, caseSeq);
                if (++newCases == dropKeyAt)
                {
                    fingerprintKey = connection.ExecuteScalar<string>(
                        "SELECT sql FROM sqlite_schema WHERE type = 'index' AND name = 'fingerprints_key'");
                    connection.Execute("DROP INDEX fingerprints_key");
                }
            }
            else if (member.CaseSeq < 0) pending[member.Id].Add(s);
            else
            {
                ref var g = ref CollectionsMarshal.GetValueRefOrAddDefault(grown, member.CaseSeq, out _);
                g = (g.Findings + 1, Math.Max(g.Severity, s.Severity), Math.Max(g.Signal, s.Signal));
            }
            var occurrence = s.Occurrence;
            if (baseline && !s.DeclaredAbsent && (occurrence = Identical(tracks, member.Id, MatchItem.ContentOf(s.ContentHash))) == 0)
            {
                ref var last = ref CollectionsMarshal.GetValueRefOrAddDefault(provisional, member.Id, out var seen);
                if (!seen) last = HighestOccurrence(tracks, member.Id);
                leftovers.Add(s.Describe(member.Id, member.CaseSeq < 0, names) with { Occurrence = ++last });
                (findingRow[1], findingRow[3], findingRow[4], findingRow[5], findingRow[^2]) = (s.Ordinal, member.Id, last, "new", s.Revision);
                s.FillResult(findingRow, 6);
                insertFinding.Add(findingRow);
                count++;
                if (s.Suppressed) suppressed++;
                if (count % 10_000 == 0) progress?.Report(count);
                continue;
            }
            ref var twin = ref CollectionsMarshal.GetValueRefOrNullRef(tracks, (member.Id, occurrence));
            var known = !Unsafe.IsNullRef(ref twin);
            var state = Classify(s, known ? (twin.Content, twin.Present) : null);
            if (known && !s.DeclaredAbsent)
            {
                if (twin.Present) import.Tools.Add(tools[twin.Tool]);
                twin = twin with { Seen = true };
            }
            (findingRow[1], findingRow[3], findingRow[4], findingRow[5], findingRow[^2]) = (s.Ordinal, member.Id, occurrence, state, s.Revision);
            s.FillResult(findingRow, 6);
            insertFinding.Add(findingRow);
            if (!s.DeclaredAbsent)
            {
                if (known)
                {
                    (upsertRow[0], upsertRow[1], upsertRow[3], upsertRow[4]) = (member.Id, occurrence, s.Tool, s.ContentHash);
                    (upsertRow[6], upsertRow[7]) = (import.Revision, s.Ordinal);
                    upsertTrack.Run(upsertRow);
                }
                else
                {
                    (trackRow[0], trackRow[1], trackRow[3], trackRow[4]) = (member.Id, occurrence, s.Tool, s.ContentHash);
                    (trackRow[6], trackRow[8]) = (import.Revision, s.Ordinal);
                    insertTrack.Add(trackRow);
                }
            }

            count++;
            if (s.Suppressed) suppressed++;
            switch (state)
            {
                case "new": fresh++; break;
                case "unchanged": unchanged++; break;
                case "updated": updated++; break;
            }
            if (count % 10_000 == 0) progress?.Report(count);
        }
        insertFinding.Complete();
        insertTrack.Complete();
        progress?.Report(count);
        import.Tools.UnionWith(import.HeaderTools);

        // SQLite's ADO.NET calls complete synchronously.
        var resolution = leftovers.Count == 0 ? null
            : BaselineResolution.ResolveAsync(connection, tx, import, leftovers,
                BaselineResolution.LoadTracksAsync(connection, tx, import, "t.last_import <> @seq", CancellationToken.None).GetAwaiter().GetResult(),
                Occurrences(tracks, leftovers), CancellationToken.None).GetAwaiter().GetResult();
        if (pending.Count > 0)
        {
            var joins = import.CrossFinderJoins
                ? CaseJoins.LoadAsync(connection, tx, import, [.. pending.Values.Select(f => f.Join).OfType<JoinCandidate>()], CancellationToken.None)
                    .GetAwaiter().GetResult()
                : null;
            using var placeMatch = PreparedStatement.Prepare(connection,
                """
                INSERT INTO fingerprint_placements (fingerprint_id, case_id, kind, pass, other_finding, reason, placed_by, placed_at)
                SELECT ?, c.id, 'matched', ?, (SELECT i.id FROM imports i WHERE i.seq = ?) || '-' || ?, ?, ?, ?
                FROM cases c WHERE c.seq = ?
                """, DirectCalls);
            using var placeJoin = PreparedStatement.Prepare(connection,
                """
                INSERT INTO fingerprint_placements (fingerprint_id, case_id, kind, other_finding, reason, placed_by, placed_at)
                SELECT ?, c.id, 'joined', ?, ?, ?, ? FROM cases c WHERE c.seq = ?
                """, DirectCalls);
            foreach (var (id, fingerprint) in pending.OrderBy(f => f.Value.FirstOrdinal))
            {
                long caseSeq;
                if (resolution?.Links.TryGetValue(id, out var link) == true)
                {
                    caseSeq = link.Track!.CaseSeq;
                    placeMatch.Run([id, (long)link.Match!.Value.Pass, link.Track.Import, link.Track.Ordinal, BaselineResolution.Reason(link),
                        $"import:{import.Id}", import.Now, caseSeq]);
                }
                else if (fingerprint.Join is { } candidate && joins?.Find(candidate) is { CaseSeq: { } joined } join)
                {
                    caseSeq = joined;
                    placeJoin.Run([id, join.OtherFinding, join.Reason, $"import:{import.Id}", import.Now, caseSeq]);
                }
                else
                {
                    caseSeq = nextCase++;
                    (caseRow[0], caseRow[1], caseRow[3]) = (caseSeq, CaseId.Mint(import.Now, newCases++).ToString(), fingerprint.Title);
                    (caseRow[7], caseRow[8], caseRow[10]) = (fingerprint.Findings, fingerprint.Severity, fingerprint.Signal);
                    insertCase.Add(caseRow);
                    if (fingerprint.Join is { } opened && joins is not null)
                    {
                        // Stored at once: a later fingerprint that joins this case names it by its key.
                        insertCase.Complete();
                        joins.Opened(opened, caseSeq);
                    }
                    (fingerprintRow[0], fingerprintRow[2], fingerprintRow[3]) = (id, fingerprint.Text, caseSeq);
                    insertFingerprint.Add(fingerprintRow);
                    continue;
                }
                ref var g = ref CollectionsMarshal.GetValueRefOrAddDefault(grown, caseSeq, out _);
                g = (g.Findings + fingerprint.Findings, Math.Max(g.Severity, fingerprint.Severity), Math.Max(g.Signal, fingerprint.Signal));
                (fingerprintRow[0], fingerprintRow[2], fingerprintRow[3]) = (id, fingerprint.Text, caseSeq);
                insertFingerprint.Add(fingerprintRow);
            }
        }
        if (resolution is not null)
        {
            using var correct = PreparedStatement.Prepare(connection,
                "UPDATE findings SET occurrence = ?, baseline_state = ? WHERE import_seq = ? AND ordinal = ?", DirectCalls);
            using var move = PreparedStatement.Prepare(connection,
                """
                UPDATE tracks SET present = 0, moved_to_fingerprint = ?, moved_to_occurrence = ?, last_import = ?, last_revision = ?
                WHERE fingerprint_id = ? AND occurrence = ?
                """, DirectCalls);
            // What moved to a track that moves on follows it, so a finding is always one step from its current track.
            using var follow = PreparedStatement.Prepare(connection,
                """
                UPDATE tracks SET moved_to_fingerprint = ?, moved_to_occurrence = ?
                WHERE moved_to_fingerprint = ? AND moved_to_occurrence = ?
                """, DirectCalls);
            foreach (var o in resolution.Outcomes)
            {
                if (o.Occurrence != o.Row.Occurrence || o.State != "new") correct.Run([o.Occurrence, o.State, import.Seq, o.Row.Ordinal]);
                (upsertRow[0], upsertRow[1], upsertRow[3], upsertRow[4]) = (o.Row.FingerprintId, o.Occurrence, o.Row.Tool, o.Row.ContentHash);
                (upsertRow[6], upsertRow[7]) = (import.Revision, o.Row.Ordinal);
                upsertTrack.Run(upsertRow);
                if (o.Track is { } t)
                {
                    ref var twin = ref CollectionsMarshal.GetValueRefOrNullRef(tracks, (t.FingerprintId, t.Occurrence));
                    twin = twin with { Seen = true };
                    import.Tools.Add(t.Tool);
                    if (o.Match is { Pass: > 1 })
                    {
                        move.Run([o.Row.FingerprintId, o.Occurrence, import.Seq, import.Revision, t.FingerprintId, t.Occurrence]);
                        follow.Run([o.Row.FingerprintId, o.Occurrence, t.FingerprintId, t.Occurrence]);
                    }
                }
                switch (o.State)
                {
                    case "new": fresh++; break;
                    case "unchanged": unchanged++; break;
                    case "updated": updated++; break;
                }
            }
        }
        insertCase.Complete();
        insertFingerprint.Complete();
        if (fingerprintKey is not null) connection.Execute(fingerprintKey);

        // In key order: each page of the table is visited once. (No index holds these columns.)
        using var growCase = PreparedStatement.Prepare(connection,
            "UPDATE cases SET finding_count = finding_count + ?, max_severity = max(max_severity, ?), signal = max(signal, ?), last_seen = ? " +
            "WHERE seq = ?", DirectCalls);
        var growRow = new object?[5];
        growRow[3] = import.Now;
        foreach (var (caseSeq, g) in grown.OrderBy(g => g.Key))
        {
            (growRow[0], growRow[1], growRow[2], growRow[4]) = (g.Findings, g.Severity, g.Signal, caseSeq);
            growCase.Run(growRow);
        }

        // Absence, by key: the tracks still present under this import's tools that it did not report.
        using var markAbsent = PreparedStatement.Prepare(connection,
            "UPDATE tracks SET present = 0, last_import = ?, last_revision = ? WHERE fingerprint_id = ? AND occurrence = ?", DirectCalls);
        var absentRow = new object?[4];
        (absentRow[0], absentRow[1]) = (import.Seq, import.Revision);
        long absent = 0;
        foreach (var ((fingerprintId, occurrence), track) in tracks)
            if (track is { Present: true, Seen: false } && import.Tools.Contains(tools[track.Tool]))
            {
                (absentRow[2], absentRow[3]) = (fingerprintId, occurrence);
                markAbsent.Run(absentRow);
                absent++;
            }
        return new IntakeCounts(count, fresh, unchanged, updated, absent, suppressed, newCases);
    }

    /// <summary>The first present track of <paramref name="fingerprintId"/> this import has not reported yet whose content is
    /// <paramref name="content"/>, now reported (its occurrence); 0 when there is none.</summary>
    static long Identical(Dictionary<(long, long), Track> tracks, long fingerprintId, UInt128 content)
    {
        for (long occurrence = 1; ; occurrence++)
        {
            ref var track = ref CollectionsMarshal.GetValueRefOrNullRef(tracks, (fingerprintId, occurrence));
            if (Unsafe.IsNullRef(ref track)) return 0;
            if (track is { Present: true, Seen: false } && track.Content == content) return occurrence;
        }
    }

    /// <summary>The highest occurrence tracked for a fingerprint (occurrences count from 1 without gaps).</summary>
    static long HighestOccurrence(Dictionary<(long, long), Track> tracks, long fingerprintId)
    {
        long occurrence = 0;
        while (tracks.ContainsKey((fingerprintId, occurrence + 1))) occurrence++;
        return occurrence;
    }

    /// <summary>For each known fingerprint with leftover results: its highest occurrence and its absent tracks, which new copies
    /// take first.</summary>
    static Dictionary<long, (long Max, List<long> Free)> Occurrences(Dictionary<(long, long), Track> tracks, List<MatchItem> leftovers)
    {
        var occurrences = new Dictionary<long, (long, List<long>)>();
        foreach (var id in leftovers.Where(l => !l.NewFingerprint).Select(l => l.FingerprintId).Distinct())
        {
            var free = new List<long>();
            var max = HighestOccurrence(tracks, id);
            for (long occurrence = 1; occurrence <= max; occurrence++)
                if (tracks[(id, occurrence)] is { Present: false, Moved: false }) free.Add(occurrence);
            occurrences[id] = (max, free);
        }
        return occurrences;
    }

    /// <summary>A tracked result as held in memory, and whether this import reported it again.</summary>
    record struct Track(UInt128 Content, bool Present, int Tool, bool Seen, bool Moved);

    /// <summary>A fingerprint new to the project while the matching passes decide its case: what a case it opens takes.</summary>
    sealed class PendingFingerprint(string text, string title, long firstOrdinal, JoinCandidate? join)
    {
        public string Text { get; } = text;
        public string Title { get; } = title;
        public long FirstOrdinal { get; } = firstOrdinal;
        /// <summary>What its first result says for a cross-finder join, when the project joins and the result names a CWE or advisory.</summary>
        public JoinCandidate? Join { get; } = join;
        public long Findings { get; private set; }
        public long Severity { get; private set; }
        public long Signal { get; private set; }

        public void Add(IntakeRow row) =>
            (Findings, Severity, Signal) = (Findings + 1, Math.Max(Severity, row.Severity), Math.Max(Signal, row.Signal));
    }
}
