using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Clearwing.Storage;

/// <summary>
/// What an import writes, each engine's fastest way (<see cref="SqliteIntakeTables"/>, <see cref="PostgresIntakeTables"/>):
/// rows into four tables, and eight statements with their values in the order each method names. <see cref="IntakeWriter"/>
/// decides what to write; an engine may hold rows back (each method copies the values it is given) until
/// <see cref="Flush"/>, which every read of the tables the import writes must come after. Each engine applies writes of one
/// kind in the order they were made; kinds are independent, except that a statement sees every row inserted before it.
/// </summary>
internal abstract class IntakeTables : IDisposable
{
    public static readonly string[] CaseColumns =
        ["seq", "id", "project_id", "title", "state", "first_seen", "last_seen", "finding_count", "max_severity", "created_at", "signal"];
    public static readonly string[] FingerprintColumns = ["id", "project_id", "fingerprint", "case_seq"];
    public static readonly string[] TrackColumns =
        ["fingerprint_id", "occurrence", "project_id", "tool", "content_hash", "last_import", "last_revision", "present", "last_ordinal"];
    public static readonly string[] FindingColumns =
    [
        "import_seq", "ordinal", "project_id", "fingerprint_id", "occurrence", "baseline_state", .. IntakeRow.ResultColumns,
        "revision", "observed_at",
    ];

    /// <summary>The tables of <paramref name="connection"/>'s engine, inside <paramref name="tx"/>.</summary>
    public static IntakeTables Open(DbConnection connection, DbTransaction tx, long rebuildFingerprintKeyAfter, bool directSqliteCalls) =>
        connection is SqliteConnection
            ? new SqliteIntakeTables(connection, rebuildFingerprintKeyAfter, directSqliteCalls)
            : new PostgresIntakeTables(connection, tx);

    /// <summary>The key of the next case this import opens (<c>cases.seq</c>), never another's.</summary>
    public abstract long NextCase();

    /// <summary>The key of the next fingerprint this import adds (<c>fingerprints.id</c>), never another's.</summary>
    public abstract long NextFingerprint();

    /// <summary>A new case: <see cref="CaseColumns"/>.</summary>
    public abstract void AddCase(object?[] row);

    /// <summary>
    /// Whether the cases an import's stream opens are better written when it ends, with the copies of their fingerprints counted
    /// in, than written at once and grown after (docs/performance.md): where growing a row written moments before costs more
    /// than holding every new case's title in memory to the end.
    /// </summary>
    public abstract bool WritesStreamCasesLast { get; }

    /// <summary>A new fingerprint: <see cref="FingerprintColumns"/>.</summary>
    public abstract void AddFingerprint(object?[] row);

    /// <summary>A finding: <see cref="FindingColumns"/>.</summary>
    public abstract void AddFinding(object?[] row);

    /// <summary>A track seen for the first time: <see cref="TrackColumns"/> (present).</summary>
    public abstract void AddTrack(object?[] row);

    /// <summary>
    /// A track reported again, or taken by a result the passes placed: fingerprint id, occurrence, project id, tool, content
    /// hash, import, revision, ordinal. It is present, last reported by this import, moved nowhere.
    /// </summary>
    public abstract void UpsertTrack(object?[] row);

    /// <summary>A present track, moved nowhere, reported again by its tool with the same content: the row of
    /// <see cref="UpsertTrack"/>, of which only the import, revision and ordinal change.</summary>
    public virtual void ReportAgain(object?[] row) => UpsertTrack(row);

    /// <summary>A fingerprint a matching pass linked to a tracked result's case (a case older than the import): fingerprint id,
    /// pass, the tracked result's import and ordinal, reason, placed by, placed at, case key.</summary>
    public abstract void PlaceMatch(object?[] row);

    /// <summary>A fingerprint that joined another finder's case: fingerprint id, other finding, reason, placed by, placed at,
    /// case key.</summary>
    public abstract void PlaceJoin(object?[] row);

    /// <summary>A finding stored on a provisional track, corrected once the passes ran: occurrence, baseline state, import, ordinal.</summary>
    public abstract void Correct(object?[] row);

    /// <summary>
    /// A tracked result a weaker pass matched moves to the result it matched (and so does what had moved to it, so a finding
    /// is always one step from its current track): new fingerprint id and occurrence, import, revision, old fingerprint id and
    /// occurrence.
    /// </summary>
    public abstract void Move(object?[] row);

    /// <summary>A known case grows by this import's findings: findings, severity, signal, last seen, case key.</summary>
    public abstract void Grow(object?[] row);

    /// <summary>A present track this import's tools no longer report: import, revision, fingerprint id, occurrence.</summary>
    public abstract void MarkAbsent(object?[] row);

    /// <summary>A tool reported into a case (kept once however often it is told): tool, case key.</summary>
    public abstract void AddFinder(object?[] row);

    /// <summary>Writes what is held back: the tables hold every row and statement so far.</summary>
    public abstract void Flush();

    /// <summary>Ends the import's writes: flushes, and restores what the engine set aside while it wrote.</summary>
    public abstract void Complete();

    public abstract void Dispose();
}
