using System.Data.Common;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Dapper;

namespace Clearwing.Storage;

/// <summary>
/// SQLite's intake: one pass, with the project's fingerprints and tracks in memory (about 60 bytes per distinct
/// fingerprint; never the file). Each row is classified here and written through SQLite's C API (<see cref="BatchedInsert"/>,
/// many rows to a statement, and <see cref="PreparedStatement"/>): a new fingerprint opens a case (taking the next keys
/// itself), the finding is stored with its baseline state, a new track inserted or a known one updated; case counts are
/// applied once at the end, and the tracks the import's tools no longer report are marked absent by key.
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
        ["fingerprint_id", "occurrence", "project_id", "tool", "content_hash", "last_import", "last_revision", "present"];
    static readonly string[] FindingColumns =
    [
        "import_seq", "ordinal", "project_id", "fingerprint_id", "occurrence", "baseline_state", .. IntakeRow.ResultColumns,
        "revision", "observed_at",
    ];

    public Task<IntakeCounts> StoreAsync(DbConnection connection, DbTransaction tx, IntakeContext import, IEnumerable<IntakeRow> rows,
        IProgress<long>? progress, CancellationToken ct) =>
        Task.FromResult(Store(connection, import, rows, progress));

    /// <summary>The baseline state of one row, given its tracked twin (null when none): the rule PostgreSQL's SQL repeats.</summary>
    static string Classify(IntakeRow row, (string Content, bool Present)? tracked) =>
        row.DeclaredAbsent ? "absent"
        : tracked is not { Present: true } t ? "new"
        : t.Content == row.ContentHash ? "unchanged" : "updated";

    IntakeCounts Store(DbConnection connection, IntakeContext import, IEnumerable<IntakeRow> rows, IProgress<long>? progress)
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
        using var insertCase = new BatchedInsert(connection, "cases", CaseColumns, DirectCalls);
        using var insertFingerprint = new BatchedInsert(connection, "fingerprints", FingerprintColumns, DirectCalls);
        // Findings, and the tracks of results seen for the first time, are only ever inserted here: many rows to a statement.
        using var insertFinding = new BatchedInsert(connection, "findings", FindingColumns, DirectCalls);
        using var insertTrack = new BatchedInsert(connection, "tracks", TrackColumns, DirectCalls);
        using var upsertTrack = PreparedStatement.Prepare(connection,
            """
            INSERT INTO tracks (fingerprint_id, occurrence, project_id, tool, content_hash, present, last_import, last_revision)
            VALUES (?, ?, ?, ?, ?, 1, ?, ?)
            ON CONFLICT (fingerprint_id, occurrence) DO UPDATE SET
                tool = excluded.tool, content_hash = excluded.content_hash, present = 1,
                last_import = excluded.last_import, last_revision = excluded.last_revision
            """, DirectCalls);
        // Each statement's values, one array each, reused row after row (the statements copy them).
        var caseRow = new object?[CaseColumns.Length];
        (caseRow[2], caseRow[4], caseRow[5], caseRow[6], caseRow[7], caseRow[9]) = (import.ProjectId, "new", import.Now, import.Now, 1L, import.Now);
        var fingerprintRow = new object?[FingerprintColumns.Length];
        fingerprintRow[1] = import.ProjectId;
        var trackRow = new object?[TrackColumns.Length];
        (trackRow[2], trackRow[5], trackRow[7]) = (import.ProjectId, import.Seq, 1L);
        var upsertRow = new object?[7];
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
            else
            {
                ref var g = ref CollectionsMarshal.GetValueRefOrAddDefault(grown, member.CaseSeq, out _);
                g = (g.Findings + 1, Math.Max(g.Severity, s.Severity), Math.Max(g.Signal, s.Signal));
            }
            ref var twin = ref CollectionsMarshal.GetValueRefOrNullRef(tracks, (member.Id, s.Occurrence));
            var known = !Unsafe.IsNullRef(ref twin);
            var state = Classify(s, known ? (twin.Content, twin.Present) : null);
            if (known && !s.DeclaredAbsent)
            {
                if (twin.Present) import.Tools.Add(twin.Tool);
                twin = twin with { Seen = true };
            }
            (findingRow[1], findingRow[3], findingRow[4], findingRow[5], findingRow[^2]) = (s.Ordinal, member.Id, s.Occurrence, state, s.Revision);
            s.FillResult(findingRow, 6);
            insertFinding.Add(findingRow);
            if (!s.DeclaredAbsent)
            {
                if (known)
                {
                    (upsertRow[0], upsertRow[1], upsertRow[3], upsertRow[4]) = (member.Id, s.Occurrence, s.Tool, s.ContentHash);
                    upsertRow[6] = import.Revision;
                    upsertTrack.Run(upsertRow);
                }
                else
                {
                    (trackRow[0], trackRow[1], trackRow[3], trackRow[4]) = (member.Id, s.Occurrence, s.Tool, s.ContentHash);
                    trackRow[6] = import.Revision;
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
        insertCase.Complete();
        insertFingerprint.Complete();
        insertFinding.Complete();
        insertTrack.Complete();
        if (fingerprintKey is not null) connection.Execute(fingerprintKey);
        progress?.Report(count);
        import.Tools.UnionWith(import.HeaderTools);

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
            if (track is { Present: true, Seen: false } && import.Tools.Contains(track.Tool))
            {
                (absentRow[2], absentRow[3]) = (fingerprintId, occurrence);
                markAbsent.Run(absentRow);
                absent++;
            }
        return new IntakeCounts(count, fresh, unchanged, updated, absent, suppressed, newCases);
    }

    /// <summary>A tracked result as held in memory, and whether this import reported it again.</summary>
    record struct Track(string Content, bool Present, string Tool, bool Seen);
}
