using System.Data.Common;
using Dapper;

namespace Clearwing.Storage;

/// <summary>
/// SQLite's intake tables: rows many to a statement (<see cref="BatchedInsert"/>) and statements run at once, all through
/// SQLite's C API (<see cref="PreparedStatement"/>). New cases and fingerprints take the next keys themselves (what SQLite
/// would give them: the transaction holds the write lock), so they too can go many rows to a statement.
/// </summary>
internal sealed class SqliteIntakeTables : IntakeTables
{
    readonly DbConnection _connection;
    readonly BatchedInsert _cases, _fingerprints, _findings, _tracks;
    readonly PreparedStatement _reportTrack, _upsertTrack, _reportAgain, _placeMatch, _placeJoin, _correct, _move, _follow, _grow, _raise,
        _markAbsent, _addFinder;
    long _nextCase, _nextFingerprint, _addedFingerprints;
    readonly long _dropKeyAt;
    List<string> _setAside = [];

    /// <param name="rebuildFingerprintKeyAfter">The new fingerprints past which the import rebuilds the fingerprints' unique index.</param>
    /// <param name="direct">False keeps the statements to SQLitePCLRaw's ordinary calls (tests compare the two paths).</param>
    public SqliteIntakeTables(DbConnection connection, long rebuildFingerprintKeyAfter, bool direct)
    {
        _connection = connection;
        _nextCase = connection.ExecuteScalar<long>("SELECT coalesce(max(seq), 0) + 1 FROM cases");
        _nextFingerprint = connection.ExecuteScalar<long>("SELECT coalesce(max(id), 0) + 1 FROM fingerprints");
        // Past this many new fingerprints, and once the import has added more than the table held, the fingerprints'
        // unique index goes and is built again at the end: sorting them all once beats inserting hashes, in no order, one
        // by one all over the index. Meanwhile the writer keeps them unique, and the rebuilt index checks that it did. The
        // index by project goes with it: building it once costs less than keeping it up row by row.
        _dropKeyAt = Math.Max(rebuildFingerprintKeyAfter, _nextFingerprint);
        _cases = new BatchedInsert(connection, "cases", CaseColumns, direct);
        _fingerprints = new BatchedInsert(connection, "fingerprints", FingerprintColumns, direct);
        _findings = new BatchedInsert(connection, "findings", FindingColumns, direct);
        _tracks = new BatchedInsert(connection, "tracks", TrackColumns, direct);
        // Most tracks an import reports are known: an update finds them in one search of the key, where an upsert searches twice.
        _reportTrack = PreparedStatement.Prepare(connection,
            """
            UPDATE tracks SET tool = ?4, content_hash = ?5, present = 1, last_import = ?6, last_revision = ?7, last_ordinal = ?8,
                moved_to_fingerprint = NULL, moved_to_occurrence = NULL
            WHERE fingerprint_id = ?1 AND occurrence = ?2 AND project_id = ?3
            """, direct);
        // Setting fewer columns spares SQLite the partial index on moves, which it checks whenever they are set.
        _reportAgain = PreparedStatement.Prepare(connection,
            """
            UPDATE tracks SET last_import = ?6, last_revision = ?7, last_ordinal = ?8
            WHERE fingerprint_id = ?1 AND occurrence = ?2 AND project_id = ?3
            """, direct);
        _upsertTrack = PreparedStatement.Prepare(connection,
            """
            INSERT INTO tracks (fingerprint_id, occurrence, project_id, tool, content_hash, last_import, last_revision, last_ordinal, present)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1)
            ON CONFLICT (fingerprint_id, occurrence) DO UPDATE SET
                tool = excluded.tool, content_hash = excluded.content_hash, present = 1, last_import = excluded.last_import,
                last_revision = excluded.last_revision, last_ordinal = excluded.last_ordinal, moved_to_fingerprint = NULL,
                moved_to_occurrence = NULL
            """, direct);
        _placeMatch = PreparedStatement.Prepare(connection,
            """
            INSERT INTO fingerprint_placements (fingerprint_id, case_id, kind, pass, other_finding, reason, placed_by, placed_at)
            SELECT ?, c.id, 'matched', ?, (SELECT i.id FROM imports i WHERE i.seq = ?) || '-' || ?, ?, ?, ?
            FROM cases c WHERE c.seq = ?
            """, direct);
        _placeJoin = PreparedStatement.Prepare(connection,
            """
            INSERT INTO fingerprint_placements (fingerprint_id, case_id, kind, other_finding, reason, placed_by, placed_at)
            SELECT ?, c.id, 'joined', ?, ?, ?, ? FROM cases c WHERE c.seq = ?
            """, direct);
        _correct = PreparedStatement.Prepare(connection,
            "UPDATE findings SET occurrence = ?, baseline_state = ? WHERE import_seq = ? AND ordinal = ?", direct);
        _move = PreparedStatement.Prepare(connection,
            """
            UPDATE tracks SET present = 0, moved_to_fingerprint = ?, moved_to_occurrence = ?, last_import = ?, last_revision = ?
            WHERE fingerprint_id = ? AND occurrence = ?
            """, direct);
        _follow = PreparedStatement.Prepare(connection,
            "UPDATE tracks SET moved_to_fingerprint = ?, moved_to_occurrence = ? WHERE moved_to_fingerprint = ? AND moved_to_occurrence = ?",
            direct);
        // By key, in two statements: no index holds the counts, but the queue's do hold severity and signal, and SQLite rewrites
        // an index entry whenever its columns are set, changed or not. A case's severity and signal rarely rise on a rescan.
        _grow = PreparedStatement.Prepare(connection, "UPDATE cases SET finding_count = finding_count + ?1, last_seen = ?4 WHERE seq = ?5",
            direct);
        _raise = PreparedStatement.Prepare(connection,
            """
            UPDATE cases SET max_severity = max(max_severity, ?2), signal = max(signal, ?3)
            WHERE seq = ?5 AND (max_severity < ?2 OR signal < ?3)
            """, direct);
        _markAbsent = PreparedStatement.Prepare(connection,
            "UPDATE tracks SET present = 0, last_import = ?, last_revision = ? WHERE fingerprint_id = ? AND occurrence = ?", direct);
        _addFinder = PreparedStatement.Prepare(connection,
            "INSERT INTO case_finders (tool, case_seq) VALUES (?, ?) ON CONFLICT DO NOTHING", direct);
    }

    public override long NextCase() => _nextCase++;

    public override long NextFingerprint() => _nextFingerprint++;

    public override void AddCase(object?[] row) => _cases.Add(row);

    // Growing a case updates only unindexed columns (and raises the indexed ones only when higher): cheaper than the memory.
    public override bool WritesStreamCasesLast => false;

    public override void AddFingerprint(object?[] row)
    {
        _fingerprints.Add(row);
        if (++_addedFingerprints != _dropKeyAt) return;
        _fingerprints.Complete();
        _setAside = [.. _connection.Query<string>(
            "SELECT sql FROM sqlite_schema WHERE type = 'index' AND name IN ('fingerprints_key', 'fingerprints_by_project')")];
        _connection.Execute("DROP INDEX fingerprints_key; DROP INDEX fingerprints_by_project");
    }

    public override void AddFinding(object?[] row) => _findings.Add(row);

    public override void AddTrack(object?[] row) => _tracks.Add(row);

    public override void UpsertTrack(object?[] row)
    {
        _reportTrack.Run(row);
        if (_reportTrack.Changes == 0) _upsertTrack.Run(row);
    }

    public override void ReportAgain(object?[] row) => _reportAgain.Run(row);

    public override void PlaceMatch(object?[] row) => _placeMatch.Run(row);

    public override void PlaceJoin(object?[] row)
    {
        // The case may be one this import has just opened.
        _cases.Complete();
        _placeJoin.Run(row);
    }

    public override void Correct(object?[] row) => _correct.Run(row);

    public override void Move(object?[] row)
    {
        _move.Run(row);
        _follow.Run([row[0], row[1], row[4], row[5]]);
    }

    public override void Grow(object?[] row)
    {
        _grow.Run(row);
        _raise.Run(row);
    }

    public override void MarkAbsent(object?[] row) => _markAbsent.Run(row);

    public override void AddFinder(object?[] row) => _addFinder.Run(row);

    public override void Flush()
    {
        _cases.Complete();
        _fingerprints.Complete();
        _findings.Complete();
        _tracks.Complete();
    }

    public override void Complete()
    {
        Flush();
        foreach (var index in _setAside) _connection.Execute(index);
        _setAside = [];
    }

    public override void Dispose()
    {
        foreach (var d in new IDisposable[] { _cases, _fingerprints, _findings, _tracks, _reportTrack, _upsertTrack, _reportAgain, _placeMatch,
                     _placeJoin, _correct, _move, _follow, _grow, _raise, _markAbsent, _addFinder })
            d.Dispose();
    }
}
