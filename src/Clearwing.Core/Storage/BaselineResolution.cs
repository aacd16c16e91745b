using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;

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
    /// <paramref name="tracks"/> with what their findings say (rule, place, words, the tool's fingerprints), in order: read
    /// by key, all at once.
    /// </summary>
    public static async Task<IReadOnlyList<MatchItem>> DescribeAsync(
        DbConnection connection, DbTransaction tx, IntakeContext import, IReadOnlyList<MatchItem> tracks, CancellationToken ct)
    {
        const string Columns = "f.rule_id, f.path, f.start_line, f.start_column, f.function, f.message, f.snippet, f.tool_fingerprints";
        var pool = new StringPool();
        var described = new Dictionary<(long, long), FindingRow>();
        if (connection is SqliteConnection)
        {
            // In key order through a temporary table: the findings' pages are read in order, each once. (CROSS JOIN keeps SQLite
            // from scanning the findings instead: the temporary table has no statistics.)
            await connection.ExecuteAsync(
                "CREATE TEMP TABLE IF NOT EXISTS wanted (import_seq INTEGER, ordinal INTEGER, PRIMARY KEY (import_seq, ordinal)) WITHOUT ROWID",
                transaction: tx);
            using (var insert = new BatchedInsert(connection, "wanted", ["import_seq", "ordinal"]))
            {
                var key = new object?[2];
                foreach (var t in tracks.DistinctBy(t => (t.Import, t.Ordinal)))
                {
                    (key[0], key[1]) = (t.Import, t.Ordinal);
                    insert.Add(key);
                }
                insert.Complete();
            }
            foreach (var f in await connection.QueryAsync<FindingRow>(new CommandDefinition(
                         $"SELECT f.import_seq, f.ordinal, {Columns} " +
                         "FROM wanted w CROSS JOIN findings f ON f.import_seq = w.import_seq AND f.ordinal = w.ordinal",
                         transaction: tx, cancellationToken: ct)))
                described[(f.import_seq, f.ordinal)] = f;
            await connection.ExecuteAsync("DROP TABLE wanted", transaction: tx);
        }
        else
        {
            foreach (var f in await connection.QueryAsync<FindingRow>(new CommandDefinition(
                         $"""
                         SELECT f.import_seq, f.ordinal, {Columns}
                         FROM unnest(@imports, @ordinals) AS k(import_seq, ordinal)
                         JOIN findings f ON f.import_seq = k.import_seq AND f.ordinal = k.ordinal
                         """, new { imports = tracks.Select(t => t.Import).ToArray(), ordinals = tracks.Select(t => t.Ordinal).ToArray() },
                         tx, cancellationToken: ct)))
                described[(f.import_seq, f.ordinal)] = f;
        }
        return [.. tracks.Select(t => described.TryGetValue((t.Import, t.Ordinal), out var f)
            ? t with
            {
                Rule = pool.Intern(import.CanonicalRule(t.Tool, f.rule_id)), Path = pool.Intern(f.path),
                StartLine = (int?)f.start_line, StartColumn = (int?)f.start_column, Function = pool.Intern(f.function),
                Words = BaselineMatcher.WordsOf(f.message), Snippet = f.snippet, ToolFingerprints = f.tool_fingerprints, Described = true,
            }
            : t with { Described = true })];
    }

    /// <summary>
    /// Matches <paramref name="rows"/> (the leftover results; a new fingerprint has a provisional id of the writer's) to
    /// <paramref name="tracks"/>. <paramref name="occurrences"/> gives, for a known fingerprint with leftover results, its
    /// highest occurrence and its absent tracks (not moved), which new copies take first.
    /// </summary>
    public static async Task<BaselineResolution> ResolveAsync(
        DbConnection connection, DbTransaction tx, IntakeContext import, List<MatchItem> rows, List<MatchItem> tracks,
        IReadOnlyDictionary<long, (long Max, List<long> Free)> occurrences, CancellationToken ct)
    {
        var matches = await BaselineMatcher.MatchAsync(rows, tracks, t => import.Tools.Contains(t.Tool),
            wanted => DescribeAsync(connection, tx, import, wanted, ct));
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
                outcome = new Outcome(row, track!.Occurrence, track.Content == row.Content ? "unchanged" : "updated", match, track);
            else
            {
                if (!next.TryGetValue(row.FingerprintId, out var slots))
                {
                    var known = occurrences.GetValueOrDefault(row.FingerprintId, (0, []));
                    slots = (known.Max, new Queue<long>(known.Free.Order()));
                }
                if (!slots.Free.TryDequeue(out var occurrence)) occurrence = ++slots.Max;
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
    sealed class FindingRow
    {
        public long import_seq { get; init; }
        public long ordinal { get; init; }
        public string rule_id { get; init; } = "";
        public string? path { get; init; }
        public long? start_line { get; init; }
        public long? start_column { get; init; }
        public string? function { get; init; }
        public string? message { get; init; }
        public string? snippet { get; init; }
        public string? tool_fingerprints { get; init; }
    }
}
