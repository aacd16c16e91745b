using System.Data.Common;
using Dapper;

namespace Clearwing.Storage;

/// <summary>What a new fingerprint's first result says about the flaw, for joining another finder's case: where, which weakness,
/// which advisory ids.</summary>
internal sealed record JoinCandidate(
    string Fingerprint, long Ordinal, string Tool, string? Path, int? StartLine, int? EndLine, string? Cwe, IReadOnlyList<string> Aliases);

/// <summary>A new fingerprint joins a case: an existing one (<see cref="CaseSeq"/>), or the one another new fingerprint of this
/// import opens (<see cref="Target"/>); <see cref="OtherFinding"/> is the finding it joins (<c>import-ordinal</c>).</summary>
internal readonly record struct CaseJoin(long? CaseSeq, string? Target, string OtherFinding, string Reason);

/// <summary>
/// Cross-finder joins (docs/fingerprints.md, "Joins"): a fingerprint the project has never seen, which no matching pass linked
/// to a tracked result, joins the case of another finder's finding about the same flaw instead of opening one — the same file,
/// overlapping lines and the same CWE; or, for findings that name advisories, a shared alias (CVE, GHSA, …). Only new
/// fingerprints are placed, one case each: a join never moves a known fingerprint and never merges cases, so what a person
/// split stays split. Both writers ask it in the order the fingerprints first appear; each case a fingerprint opens becomes a
/// candidate for the ones after it.
/// </summary>
internal sealed class CaseJoins
{
    readonly Dictionary<(string Path, string Cwe), List<Place>> _places = [];
    readonly Dictionary<string, (long? CaseSeq, string? Target, string Finding)> _aliases = new(StringComparer.OrdinalIgnoreCase);
    readonly string _importId;

    CaseJoins(string importId) => _importId = importId;

    /// <summary>A finding another may join: its place, weakness and tool, and the case it is in (or the new fingerprint that opens it).</summary>
    sealed record Place(string Tool, int Start, int End, long? CaseSeq, string? Target, string Finding);

    /// <summary>
    /// The present findings of the project that <paramref name="candidates"/> might join: in their files with a CWE, or in a
    /// case that carries one of their aliases.
    /// </summary>
    public static async Task<CaseJoins> LoadAsync(
        DbConnection connection, DbTransaction tx, IntakeContext import, IReadOnlyCollection<JoinCandidate> candidates, CancellationToken ct)
    {
        var joins = new CaseJoins(import.Id);
        var paths = candidates.Where(c => c is { Path: not null, Cwe: not null }).Select(c => c.Path!).Distinct().ToList();
        var aliases = candidates.SelectMany(c => c.Aliases).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        if (paths.Count == 0 && aliases.Count == 0) return joins;
        await connection.ExecuteAsync(
            "DROP TABLE IF EXISTS join_keys; CREATE TEMP TABLE join_keys (kind TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (kind, value))",
            transaction: tx);
        await using (var keys = await BulkWriter.OpenAsync(connection, "join_keys", ["kind", "value"], ct))
        {
            foreach (var (kind, value) in paths.Select(p => ("path", p))
                         .Concat(aliases.Select(a => ("alias", a.ToUpperInvariant()))).Distinct())
                await keys.AddAsync([kind, value], ct);
            await keys.CompleteAsync(ct);
        }
        // The latest finding of each present track in those files (a fixed flaw is not joined). One pass over the project's
        // findings: no index holds their paths, and one would cost every import more than this costs the imports that join.
        foreach (var f in await connection.QueryAsync<PlaceRow>(new CommandDefinition(
                     """
                     SELECT f.path, f.cwe, f.start_line, f.end_line, f.tool, x.case_seq, i.id AS import_id, f.ordinal
                     FROM findings f
                     JOIN tracks t ON t.fingerprint_id = f.fingerprint_id AND t.occurrence = f.occurrence
                     JOIN fingerprints x ON x.id = f.fingerprint_id
                     JOIN imports i ON i.seq = f.import_seq
                     WHERE f.path IN (SELECT k.value FROM join_keys k WHERE k.kind = 'path') AND f.project_id = @projectId AND f.cwe IS NOT NULL
                       AND f.start_line IS NOT NULL AND t.present = 1 AND t.last_import = f.import_seq AND t.last_ordinal = f.ordinal
                     """, new { projectId = import.ProjectId }, tx, cancellationToken: ct)))
            joins.Add(f.path, f.cwe, new Place(f.tool, (int)f.start_line, (int)(f.end_line ?? f.start_line), f.case_seq, null,
                $"{f.import_id}-{f.ordinal}"));
        foreach (var a in await connection.QueryAsync<(string Alias, long CaseSeq, string? Finding)>(new CommandDefinition(
                     """
                     SELECT a.alias, a.case_seq,
                            (SELECT i.id || '-' || f.ordinal FROM fingerprints x JOIN findings f ON f.fingerprint_id = x.id
                             JOIN imports i ON i.seq = f.import_seq
                             WHERE x.case_seq = a.case_seq ORDER BY f.import_seq DESC, f.ordinal LIMIT 1)
                     FROM join_keys k
                     JOIN case_aliases a ON upper(a.alias) = k.value
                     JOIN cases c ON c.seq = a.case_seq
                     WHERE k.kind = 'alias' AND c.project_id = @projectId AND c.merged_into IS NULL
                     ORDER BY a.case_seq
                     """, new { projectId = import.ProjectId }, tx, cancellationToken: ct)))
            joins._aliases.TryAdd(a.Alias, (a.CaseSeq, null, a.Finding ?? ""));
        await connection.ExecuteAsync("DROP TABLE join_keys", transaction: tx);
        return joins;
    }

    void Add(string path, string cwe, Place place)
    {
        var key = (path, Normalize(cwe));
        (_places.TryGetValue(key, out var list) ? list : _places[key] = []).Add(place);
    }

    static string Normalize(string cwe) => cwe.Trim().ToUpperInvariant();

    /// <summary>The case <paramref name="candidate"/> joins, or null when it opens one. Of several findings it could join: a shared
    /// alias first, then the largest overlap, then the oldest case.</summary>
    public CaseJoin? Find(JoinCandidate candidate)
    {
        foreach (var alias in candidate.Aliases.Order(StringComparer.OrdinalIgnoreCase))
            if (_aliases.TryGetValue(alias, out var known))
                return new CaseJoin(known.CaseSeq, known.Target, known.Finding, $"the same advisory: {alias.ToUpperInvariant()}");
        if (candidate is not { Path: { } path, Cwe: { } cwe, StartLine: { } start }) return null;
        var end = candidate.EndLine ?? start;
        if (!_places.TryGetValue((path, Normalize(cwe)), out var places)) return null;
        var best = places
            .Where(p => p.Tool != candidate.Tool && p.Start <= end && start <= p.End)
            .OrderByDescending(p => Math.Min(end, p.End) - Math.Max(start, p.Start))
            .ThenBy(p => p.CaseSeq ?? long.MaxValue).ThenBy(p => p.Finding, StringComparer.Ordinal)
            .FirstOrDefault();
        return best is null ? null : new CaseJoin(best.CaseSeq, best.Target, best.Finding,
            $"{Normalize(cwe)} in {path} at lines {Math.Max(start, best.Start)}–{Math.Min(end, best.End)}, also reported by {best.Tool}");
    }

    /// <summary>
    /// <paramref name="candidate"/>'s fingerprint opened a case (<paramref name="caseSeq"/>, or null while the writer does not know its
    /// key yet): the fingerprints after it may join that case.
    /// </summary>
    public void Opened(JoinCandidate candidate, long? caseSeq)
    {
        var finding = $"{_importId}-{candidate.Ordinal}";
        var target = caseSeq is null ? candidate.Fingerprint : null;
        foreach (var alias in candidate.Aliases) _aliases.TryAdd(alias, (caseSeq, target, finding));
        if (candidate is { Path: { } path, Cwe: { } cwe, StartLine: { } start })
            Add(path, cwe, new Place(candidate.Tool, start, candidate.EndLine ?? start, caseSeq, target, finding));
    }

    // A class: SQLite types a column by its first value, which may be NULL.
    sealed class PlaceRow
    {
        public string path { get; init; } = "";
        public string cwe { get; init; } = "";
        public long start_line { get; init; }
        public long? end_line { get; init; }
        public string tool { get; init; } = "";
        public long case_seq { get; init; }
        public string import_id { get; init; } = "";
        public long ordinal { get; init; }
    }
}
