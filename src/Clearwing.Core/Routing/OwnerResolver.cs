using System.Data.Common;
using System.Text.Json;
using Clearwing.Access;
using Clearwing.Cases;
using Clearwing.Storage;
using Dapper;

namespace Clearwing.Routing;

/// <summary>A path of the case's findings and the CODEOWNERS line that owns it (no line: nobody owns the path).</summary>
public sealed record PathOwnership(string Path, string? Pattern, IReadOnlyList<string> Owners);

/// <summary>
/// Whose a case is (docs/intake-policy.md, "Owners"): the project and maintainer org it goes to and on what basis, the owners of
/// its findings' paths; or, when nothing resolves it, <see cref="Unresolved"/> says why — such a case waits in the coordinator's
/// triage queue.
/// </summary>
/// <param name="Basis">How the project was found: "package pkg:…" (an affected package a project's policy claims), "repository
/// host/path" (a repository its findings were found in that a project's policy claims) or "project"
/// (the case's own project, whose policy names the owner).</param>
public sealed record OwnerResolution(
    string Case, string? Project, string? Owner, string? Basis, IReadOnlyList<PathOwnership> Paths, string? Unresolved);

/// <summary>
/// Resolves a case's owner from the registry (<see cref="ProjectRegistry"/>): an affected package that a project's policy claims
/// decides first (the flaw is that package's, whichever project the finder scanned), then a claimed repository its findings were
/// found in (SARIF <c>versionControlProvenance</c>), then the case's own project's policy; within
/// the project, each path of the case's findings is owned as its policy's path owners say (CODEOWNERS: the last matching line wins).
/// The coordinator's business: to any other org the case does not exist.
/// </summary>
public sealed class OwnerResolver(Database db)
{
    /// <summary>At most this many of a case's paths are owned one by one: a case is a flaw, not a scan.</summary>
    const int MostPaths = 100;

    public async Task<OwnerResolution> ResolveAsync(Caller caller, string caseId, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (!caller.IsCoordinator) throw new NotFoundException($"No case {caseId}.");
        await using var connection = await db.OpenAsync(ct);
        var found = await connection.QuerySingleOrDefaultAsync<CaseRow>(new CommandDefinition("""
            SELECT c.seq, c.project_id, p.name AS project FROM cases c JOIN projects p ON p.id = c.project_id
            WHERE c.id = @caseId AND c.merged_into IS NULL
            """, new { caseId }, cancellationToken: ct)) ?? throw new NotFoundException($"No case {caseId}.");
        // The packages the case affects that some project claims; several projects' packages in one case cannot decide alone.
        var claimed = (await connection.QueryAsync<ClaimRow>(new CommandDefinition("""
            SELECT DISTINCT cp.purl_key, pp.project_id FROM case_packages cp JOIN project_packages pp ON pp.package_key = cp.purl_key
            WHERE cp.case_seq = @seq ORDER BY cp.purl_key
            """, new { seq = found.seq }, cancellationToken: ct))).ToList();
        var claimants = claimed.Select(c => c.project_id).Distinct().ToList();
        if (claimants.Count > 1)
            return Unresolved(caseId, found.project, $"its affected packages belong to {claimants.Count} projects: " +
                string.Join(", ", claimed.Select(c => c.purl_key)));
        var (projectId, basis) = claimants.Count == 1 ? (claimants[0], $"package {claimed[0].purl_key}") : (found.project_id, "project");
        if (claimants.Count == 0)
        {
            // Then the repositories its findings were found in, when a policy claims them (a scan of a fork or a monorepo
            // imported into another project still reaches the repository's owner).
            var repositories = await RepositoriesAsync(connection, found.seq, ct);
            var claiming = repositories.Select(r => r.ProjectId).Distinct().ToList();
            if (claiming.Count > 1)
                return Unresolved(caseId, found.project, $"its findings come from repositories of {claiming.Count} projects: " +
                    string.Join(", ", repositories.Select(r => r.Repository)));
            if (claiming.Count == 1) (projectId, basis) = (claiming[0], $"repository {repositories[0].Repository}");
        }
        var policy = await connection.QuerySingleOrDefaultAsync<PolicyRow>(new CommandDefinition("""
            SELECT p.name AS project, o.name AS owner, pp.policy FROM projects p
            LEFT JOIN project_policies pp ON pp.project_id = p.id LEFT JOIN orgs o ON o.id = pp.owner_org_id
            WHERE p.id = @projectId
            """, new { projectId }, cancellationToken: ct));
        if (policy?.policy is null)
            return Unresolved(caseId, policy?.project ?? found.project,
                $"project '{policy?.project ?? found.project}' has no intake policy naming its owner (clearwing projects import)");
        var rules = JsonSerializer.Deserialize<IntakePolicy>(policy.policy, ProjectRegistry.Json)!.PathOwners;
        var owners = new CodeOwners(rules);
        var paths = (await connection.QueryAsync<string>(new CommandDefinition($"""
            SELECT DISTINCT f.path FROM findings f JOIN fingerprints fp ON fp.id = f.fingerprint_id
            WHERE fp.case_seq = @seq AND f.path IS NOT NULL ORDER BY f.path LIMIT {MostPaths}
            """, new { seq = found.seq }, cancellationToken: ct)))
            .Select(path => owners.Match(path) is { } rule ? new PathOwnership(path, rule.Pattern, rule.Owners) : new PathOwnership(path, null, []))
            .ToList();
        return new OwnerResolution(caseId, policy.project, policy.owner, basis, paths, null);
    }

    static OwnerResolution Unresolved(string caseId, string? project, string reason) => new(caseId, project, null, null, [], reason);

    /// <summary>The repositories the case's findings were imported from (as the imports' files named them) that a project claims,
    /// in one spelling (<see cref="Repositories.Normalize"/>), in order.</summary>
    static async Task<List<(string Repository, long ProjectId)>> RepositoriesAsync(DbConnection connection, long seq, CancellationToken ct)
    {
        var named = await connection.QueryAsync<string>(new CommandDefinition("""
            SELECT i.repositories FROM imports i
            WHERE i.repositories IS NOT NULL
              AND i.seq IN (SELECT f.import_seq FROM fingerprints x JOIN findings f ON f.fingerprint_id = x.id WHERE x.case_seq = @seq)
            """, new { seq }, cancellationToken: ct));
        var spelled = named.SelectMany(json => JsonSerializer.Deserialize<List<string>>(json) ?? [])
            .Select(Repositories.Normalize).OfType<string>().ToHashSet(StringComparer.Ordinal);
        if (spelled.Count == 0) return [];
        var claimed = await connection.QueryAsync<(string Repository, long ProjectId)>(new CommandDefinition(
            "SELECT repository, project_id FROM project_repositories", cancellationToken: ct));
        return [.. claimed.Where(c => spelled.Contains(c.Repository)).OrderBy(c => c.Repository, StringComparer.Ordinal)];
    }

    sealed record CaseRow(long seq, long project_id, string project);

    sealed record ClaimRow(string purl_key, long project_id);

    sealed record PolicyRow(string project, string? owner, string? policy);
}
