using System.Data.Common;
using Dapper;

namespace Clearwing.Storage;

/// <summary>What the matching passes made of one leftover result: its track (occurrence), its baseline state, and the match.</summary>
internal readonly record struct Outcome(MatchItem Row, long Occurrence, string State, BaselineMatch? Match, MatchItem? Track);

/// <summary>
/// The half of an import both writers share once each has paired results with identical tracked ones: the leftovers on both
/// sides go through <see cref="BaselineMatcher"/>, and each leftover result gets its track and state. A result a weaker pass
/// matched keeps the tracked result's case (its new fingerprint is linked there, <see cref="Links"/>) and the tracked result
/// moves to it (<see cref="Moves"/>); a result left over is new, on an absent track of its fingerprint if one is free.
/// </summary>
internal sealed class BaselineResolution
{
    /// <summary>One per leftover result, in the import's order.</summary>
    public required List<Outcome> Outcomes { get; init; }
    /// <summary>For each new fingerprint a weaker pass matched: the first such result, in the import's order.</summary>
    public required Dictionary<long, Outcome> Links { get; init; }

    /// <summary>The tracked results weaker passes matched, with the result each moved to.</summary>
    public IEnumerable<Outcome> Moves => Outcomes.Where(o => o.Match is { Pass: > 1 });

    /// <summary>The tools of tracked results taken here: this import replaces their baselines too.</summary>
    public IEnumerable<string> Tools => Outcomes.Where(o => o.Track is not null).Select(o => o.Track!.Tool);

    /// <summary>
    /// The tracked results no identical result took, as matching sees them: each with the finding that last reported it and
    /// its case. <paramref name="unseen"/> is the writer's condition on <c>t</c> for "not taken yet".
    /// </summary>
    public static async Task<List<MatchItem>> LoadTracksAsync(
        DbConnection connection, DbTransaction tx, IntakeContext import, string unseen, CancellationToken ct)
    {
        var rows = await connection.QueryAsync<TrackRow>(new CommandDefinition(
            $"""
            SELECT t.fingerprint_id, t.occurrence, t.tool, t.content_hash, x.case_seq, c.id AS case_id,
                   f.rule_id, f.path, f.start_line, f.start_column, f.function, f.message, f.snippet, f.tool_fingerprints,
                   i.id AS import_id, f.ordinal
            FROM tracks t
            JOIN fingerprints x ON x.id = t.fingerprint_id
            JOIN cases c ON c.seq = x.case_seq
            LEFT JOIN findings f ON f.import_seq = t.last_import AND f.ordinal = t.last_ordinal
            LEFT JOIN imports i ON i.seq = f.import_seq
            WHERE t.project_id = @projectId AND t.present = 1 AND {unseen}
            """, new { projectId = import.ProjectId, seq = import.Seq }, tx, cancellationToken: ct));
        return [.. rows.Select(t => new MatchItem(t.fingerprint_id, t.occurrence, t.tool, import.CanonicalRule(t.tool, t.rule_id ?? ""), t.path,
            (int?)t.start_line, (int?)t.start_column, t.function, t.message, t.snippet, t.tool_fingerprints, t.content_hash)
        {
            FindingId = t.import_id is null ? null : $"{t.import_id}-{t.ordinal}", CaseSeq = t.case_seq, CaseId = t.case_id,
        })];
    }

    /// <summary>
    /// Matches <paramref name="rows"/> (the leftover results; a new fingerprint has a provisional id of the writer's) to
    /// <paramref name="tracks"/>. <paramref name="occurrences"/> gives, for a known fingerprint with leftover results, its
    /// highest occurrence and its absent tracks (not moved), which new copies take first.
    /// </summary>
    public static BaselineResolution Resolve(
        IntakeContext import, List<MatchItem> rows, List<MatchItem> tracks, IReadOnlyDictionary<long, (long Max, List<long> Free)> occurrences)
    {
        var matches = BaselineMatcher.Match(rows, tracks, t => import.Tools.Contains(t.Tool));
        var byRow = matches.ToDictionary(m => m.Row);
        var next = new Dictionary<long, (long Max, Queue<long> Free)>();
        var outcomes = new List<Outcome>(rows.Count);
        var links = new Dictionary<long, Outcome>();
        foreach (var r in Enumerable.Range(0, rows.Count).OrderBy(r => rows[r].Ordinal))
        {
            var row = rows[r];
            BaselineMatch? match = byRow.TryGetValue(r, out var m) ? m : null;
            var track = match is { } found ? tracks[found.Track] : null;
            Outcome outcome;
            if (match is { Pass: 1 })
                outcome = new Outcome(row, track!.Occurrence, track.ContentHash == row.ContentHash ? "unchanged" : "updated", match, track);
            else
            {
                if (!next.TryGetValue(row.FingerprintId, out var slots))
                {
                    var known = occurrences.GetValueOrDefault(row.FingerprintId, (0, []));
                    slots = (known.Max, new Queue<long>(known.Free.Order()));
                }
                long occurrence;
                if (!slots.Free.TryDequeue(out occurrence)) occurrence = ++slots.Max;
                next[row.FingerprintId] = slots;
                outcome = new Outcome(row, occurrence, match is null ? "new" : "updated", match, track);
                if (match is not null) links.TryAdd(row.FingerprintId, outcome);
            }
            outcomes.Add(outcome);
        }
        return new BaselineResolution { Outcomes = outcomes, Links = links };
    }

    /// <summary>What <c>fingerprint_placements</c> says of a link: matched by pass N to the tracked result's last finding.</summary>
    public static string Reason(Outcome link) => $"pass {link.Match!.Value.Pass}: {link.Match.Value.Why}";

    // A class: SQLite types a column by its first value, which may be NULL.
    sealed class TrackRow
    {
        public long fingerprint_id { get; init; }
        public long occurrence { get; init; }
        public string tool { get; init; } = "";
        public string content_hash { get; init; } = "";
        public long case_seq { get; init; }
        public string case_id { get; init; } = "";
        public string? rule_id { get; init; }
        public string? path { get; init; }
        public long? start_line { get; init; }
        public long? start_column { get; init; }
        public string? function { get; init; }
        public string? message { get; init; }
        public string? snippet { get; init; }
        public string? tool_fingerprints { get; init; }
        public string? import_id { get; init; }
        public long? ordinal { get; init; }
    }
}
