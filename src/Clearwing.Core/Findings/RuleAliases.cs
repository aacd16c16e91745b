using System.Data.Common;
using Dapper;

namespace Clearwing.Findings;

/// <summary>
/// A project's renamed rules: when a tool's reportingDescriptor lists its former ids (SARIF <c>deprecatedIds</c>, §3.49.4),
/// every id of that rule maps to one — the id the project's baseline already fingerprints it by — so an upgraded tool's
/// results keep their fingerprints (docs/fingerprints.md, "Renamed rules"). Loaded before an import reads, taught by the
/// logs' rule metadata as it reads, saved with the import.
/// </summary>
internal sealed class RuleAliases
{
    readonly Dictionary<(string Tool, string Rule), string> _canonical = [];
    readonly HashSet<(string Tool, string Rule)> _reported = [];
    readonly List<(string Tool, string Rule, string Canonical)> _learned = [];
    readonly HashSet<(string Tool, string Rule)> _newlyReported = [];

    /// <summary>The id <paramref name="rule"/>'s fingerprints use: itself unless a renaming says otherwise.</summary>
    public string Canonical(string tool, string rule) =>
        _canonical.Count == 0 ? rule : _canonical.GetValueOrDefault((tool, rule), rule);

    /// <summary>
    /// A rule of <paramref name="tool"/> says it was once known as <paramref name="former"/>. Its canonical id is the one an
    /// alias already gives any of its ids, else the first former id the project's baseline has seen, else its current id;
    /// every id of it not yet mapped maps there from now on.
    /// </summary>
    public void Learn(string tool, string id, IReadOnlyList<string> former)
    {
        if (former.Count == 0) return;
        IEnumerable<string> ids = [id, .. former];
        var canonical = ids.Select(i => _canonical.GetValueOrDefault((tool, i))).FirstOrDefault(c => c is not null)
            ?? former.FirstOrDefault(f => _reported.Contains((tool, f)))
            ?? id;
        foreach (var i in ids.Distinct())
            if (i != canonical && _canonical.TryAdd((tool, i), canonical)) _learned.Add((tool, i, canonical));
    }

    /// <summary>Notes that <paramref name="tool"/> reported <paramref name="rule"/> in this import (for later renamings).</summary>
    public void Reported(string tool, string rule)
    {
        if (!_reported.Contains((tool, rule))) _newlyReported.Add((tool, rule));
    }

    /// <summary>The renamings learned so far, as (tool, id, canonical id).</summary>
    public IReadOnlyList<(string Tool, string Rule, string Canonical)> Learned => _learned;

    /// <summary>A project's renamings (tool, id, canonical id) and the rule ids its tools have reported.</summary>
    public static RuleAliases FromKnown(
        IEnumerable<(string Tool, string Rule, string Canonical)> renamings, IEnumerable<(string Tool, string Rule)> reported)
    {
        var aliases = new RuleAliases();
        foreach (var (tool, rule, canonical) in renamings) aliases._canonical[(tool, rule)] = canonical;
        aliases._reported.UnionWith(reported);
        return aliases;
    }

    public static async Task<RuleAliases> LoadAsync(DbConnection connection, DbTransaction tx, long projectId) => FromKnown(
        await connection.QueryAsync<(string, string, string)>(
            "SELECT tool, rule_id, canonical_id FROM rule_aliases WHERE project_id = @projectId", new { projectId }, tx),
        await connection.QueryAsync<(string, string)>(
            "SELECT tool, rule_id FROM project_rules WHERE project_id = @projectId", new { projectId }, tx));

    /// <summary>Stores what this import taught: its renamings and the rule ids it reported for the first time.</summary>
    public async Task SaveAsync(DbConnection connection, DbTransaction tx, long projectId, long now)
    {
        await connection.ExecuteAsync(
            """
            INSERT INTO rule_aliases (project_id, tool, rule_id, canonical_id, learned_at) VALUES (@projectId, @Tool, @Rule, @Canonical, @now)
            ON CONFLICT (project_id, tool, rule_id) DO NOTHING
            """, _learned.Select(l => new { projectId, l.Tool, l.Rule, l.Canonical, now }), tx);
        await connection.ExecuteAsync(
            """
            INSERT INTO project_rules (project_id, tool, rule_id) VALUES (@projectId, @Tool, @Rule)
            ON CONFLICT (project_id, tool, rule_id) DO NOTHING
            """,
            _newlyReported.Select(r => new { projectId, r.Tool, r.Rule }), tx);
    }
}
