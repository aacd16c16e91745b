using System.Data.Common;
using Dapper;

namespace Clearwing.Findings;

/// <summary>
/// What findings say about their case rather than about themselves — the ids the flaw is known by and the packages
/// and versions it affects (native format: <c>aliases</c>, <c>affects</c>) — applied to the cases the import put them
/// in, inside the import's transaction. Claims only add: an alias or range already on the case is left as it is.
/// </summary>
internal sealed class CaseClaims
{
    readonly List<(string Fingerprint, string Tool, IReadOnlyList<string> Aliases, IReadOnlyList<(string Package, string Vers)> Affects)> _claims =
        [];

    public void Collect(ObservedResult r)
    {
        if (r.Aliases.Count > 0 || r.Affects.Count > 0) _claims.Add((r.Fingerprint, r.Tool, r.Aliases, r.Affects));
    }

    public async Task ApplyAsync(DbConnection connection, DbTransaction tx, long projectId, long now, CaseChanges changes, CancellationToken ct)
    {
        var touched = new HashSet<long>();
        foreach (var (fingerprint, tool, aliases, affects) in _claims)
        {
            var caseSeq = await connection.QuerySingleAsync<long>(
                "SELECT case_seq FROM fingerprints WHERE project_id = @projectId AND fingerprint = @fingerprint", new { projectId, fingerprint }, tx);
            var by = $"finding:{tool}";
            foreach (var alias in aliases)
                await connection.ExecuteAsync(
                    "INSERT INTO case_aliases (case_seq, alias, set_by, set_at) VALUES (@caseSeq, @alias, @by, @now) " +
                    "ON CONFLICT (case_seq, alias) DO NOTHING",
                    new { caseSeq, alias, by, now }, tx);
            foreach (var (package, vers) in affects)
                await connection.ExecuteAsync(
                    """
                    INSERT INTO case_packages (case_seq, purl_key, vers, set_by, set_at)
                    SELECT @caseSeq, @package, @vers, @by, @now WHERE NOT EXISTS
                        (SELECT 1 FROM case_packages WHERE case_seq = @caseSeq AND purl_key = @package AND vers = @vers)
                    """, new { caseSeq, package, vers, by, now }, tx);
            touched.Add(caseSeq);
        }
        // Exposure (and with it the priority) follows the new packages and the advisories the aliases name; aliases may bring KEV evidence.
        if (touched.Count > 0)
            await changes.RaiseAsync(connection, tx, now, new CaseChanged(CaseAspect.Aliases | CaseAspect.Packages, CaseSet.Of(touched)), ct);
    }
}
