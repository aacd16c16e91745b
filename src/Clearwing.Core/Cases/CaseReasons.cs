using System.Data.Common;
using Dapper;

namespace Clearwing.Cases;

/// <summary>How a fingerprint came to be in a case.</summary>
public enum CaseReasonKind
{
    /// <summary>A new fingerprint: its first finding opened the case.</summary>
    Opened,
    /// <summary>A person merged its case into this one.</summary>
    Merged,
    /// <summary>A person split it off into this case.</summary>
    Split,
    /// <summary>A baseline matching pass matched it to a finding of this case.</summary>
    Matched,
    /// <summary>Another finder's finding about the same flaw joined it to this case.</summary>
    Joined,
}

/// <summary>
/// One step of a fingerprint's way into a case: which case, how, when, by whom (a person, or <c>import:ID</c>), and for what
/// reason; <see cref="Finding"/> is the finding that opened the case, or the one it was matched or joined to.
/// </summary>
public sealed record CaseReason(
    CaseReasonKind Kind, string Case, string Fingerprint, DateTimeOffset At, string By,
    string? Reason = null, string? FromCase = null, string? Finding = null, int? Pass = null);

/// <summary>
/// Reads why fingerprints are in their cases: the first finding of a fingerprint opened a case, and every placement since
/// (<c>fingerprint_placements</c>: merges and splits by hand, matches and joins) moved it on. Callers check need-to-know.
/// </summary>
internal static class CaseReasons
{
    /// <summary>Every step of the way to its case of each fingerprint <paramref name="fingerprintsWhere"/> selects (over <c>x</c>, the
    /// fingerprint, and <c>c</c>, its case), oldest first.</summary>
    public static async Task<ILookup<string, CaseReason>> HistoryAsync(DbConnection connection, string fingerprintsWhere, object args)
    {
        var opened = await connection.QueryAsync<OpenedRow>(
            $"""
            SELECT x.fingerprint, i.id AS import_id, f.ordinal, f.observed_at, c.id AS current_case,
                   (SELECT p.from_case FROM fingerprint_placements p WHERE p.fingerprint_id = x.id ORDER BY p.seq LIMIT 1) AS first_case
            FROM fingerprints x
            JOIN cases c ON c.seq = x.case_seq
            JOIN findings f ON f.fingerprint_id = x.id AND f.import_seq = (SELECT min(g.import_seq) FROM findings g WHERE g.fingerprint_id = x.id)
            JOIN imports i ON i.seq = f.import_seq
            WHERE {fingerprintsWhere}
            """, args);
        var placed = await connection.QueryAsync<PlacedRow>(
            $"""
            SELECT x.fingerprint, p.case_id, p.from_case, p.kind, p.pass, p.other_finding, p.reason, p.placed_by, p.placed_at
            FROM fingerprints x
            JOIN cases c ON c.seq = x.case_seq
            JOIN fingerprint_placements p ON p.fingerprint_id = x.id
            WHERE {fingerprintsWhere}
            ORDER BY p.seq
            """, args);
        // The first finding of a fingerprint: the lowest ordinal of its first import (copies in one log are occurrences).
        // A fingerprint a matching pass placed in a known case opened none.
        var matchedFirst = placed.GroupBy(p => p.fingerprint).Where(g => g.First() is { from_case: null, kind: "matched" or "joined" })
            .Select(g => g.Key).ToHashSet();
        var first = opened.Where(o => !matchedFirst.Contains(o.fingerprint))
            .GroupBy(o => o.fingerprint).Select(g => g.MinBy(o => o.ordinal)!).Select(o => new CaseReason(
            CaseReasonKind.Opened, o.first_case ?? o.current_case, o.fingerprint, CaseQueries.FromMs(o.observed_at), $"import:{o.import_id}",
            "new fingerprint", Finding: $"{o.import_id}-{o.ordinal}"));
        var moves = placed.Select(p => new CaseReason(
            Kind(p.kind), p.case_id, p.fingerprint, CaseQueries.FromMs(p.placed_at), p.placed_by, p.reason, p.from_case, p.other_finding,
            (int?)p.pass));
        return first.Concat(moves).ToLookup(r => r.Fingerprint);
    }

    static CaseReasonKind Kind(string stored) => stored switch
    {
        "merged" => CaseReasonKind.Merged,
        "split" => CaseReasonKind.Split,
        "matched" => CaseReasonKind.Matched,
        "joined" => CaseReasonKind.Joined,
        _ => throw new InvalidOperationException($"Unknown placement kind '{stored}'."),
    };

    sealed record OpenedRow(string fingerprint, string import_id, long ordinal, long observed_at, string current_case, string? first_case);

    sealed record PlacedRow(string fingerprint, string case_id, string? from_case, string kind, long? pass, string? other_finding, string reason,
        string placed_by, long placed_at);
}
