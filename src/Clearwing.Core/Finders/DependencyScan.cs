using System.Text.Json;
using Clearwing.Access;
using Clearwing.Findings;
using Clearwing.Packages;

namespace Clearwing.Finders;

/// <summary>A package the scan could not check, and why (an unmapped type, an unreadable version, a GIT-only range).</summary>
public sealed record ScanUnknown(string Package, string File, string Reason);

/// <summary>What <c>clearwing scan</c> did: what it read, what matched, and the import of the findings.</summary>
public sealed record ScanSummary(
    int Lockfiles, int Sboms, int Packages, int Matches, IReadOnlyList<string> Advisories, IReadOnlyList<ScanProblem> Problems,
    IReadOnlyList<ScanUnknown> Unknown, ImportSummary? Import);

/// <summary>
/// The dependency finder (docs/scan.md): the lockfiles and SBOMs under a path, matched against the imported OSV
/// advisories, become native findings of the tool <c>clearwing-scan</c> and are imported like any finder's — so they
/// baseline, cluster into cases (one per advisory and lockfile package), and give those cases the advisory's ids as
/// aliases, from which KEV, EPSS and exposure follow.
/// </summary>
public sealed class DependencyScan(OsvStore osv, Importer importer)
{
    /// <summary>Scans the lockfiles and SBOMs under <paramref name="path"/> on this machine, and imports what matches.</summary>
    public Task<ScanSummary> RunAsync(Caller caller, string path, string project, string? revision, CancellationToken ct = default)
    {
        caller.RequireCoordinatorWriter("scan dependencies");
        return RunAsync(caller, LockfileScanner.Scan(path), project, revision, ct);
    }

    /// <summary>
    /// Matches an inventory read elsewhere (the command line's, sent to a server) against the imported advisories and imports
    /// what matches, as <see cref="RunAsync(Caller, string, string, string?, CancellationToken)"/> does with one it reads itself.
    /// </summary>
    public async Task<ScanSummary> RunAsync(Caller caller, ScanInventory inventory, string project, string? revision, CancellationToken ct = default)
    {
        caller.RequireCoordinatorWriter("scan dependencies");
        var (matches, unknown) = await MatchAsync(osv, inventory, ct);

        ImportSummary? import = null;
        // A scan with nothing found still imports (an empty run): it is how the earlier findings become absent.
        var file = PrivateFiles.NewSpoolFile("scan");
        try
        {
            ScanFindings.Write(file, project, matches, revision);
            import = await importer.ImportAsync(
                new ImportRequest(project, [new ImportFile(file, "clearwing-scan")], revision, By: caller), null, ct);
        }
        finally
        {
            File.Delete(file);
        }
        return new ScanSummary(inventory.Lockfiles.Count, inventory.SbomFiles.Count, inventory.Packages.Count, matches.Count,
            [.. matches.Select(m => m.Advisory.Id).Distinct().Order(StringComparer.Ordinal)], inventory.Problems, unknown, import);
    }

    /// <summary>The packages of <paramref name="inventory"/> that the imported advisories name, and those that could not be checked.</summary>
    internal static async Task<(List<ScanMatch> Matches, List<ScanUnknown> Unknown)> MatchAsync(
        OsvStore osv, ScanInventory inventory, CancellationToken ct)
    {
        var index = await osv.LoadIndexAsync(ct);
        var matches = new List<ScanMatch>();
        var unknown = new List<ScanUnknown>();
        var advisories = new Dictionary<string, PackageAdvisory?>(StringComparer.Ordinal);
        foreach (var package in inventory.Packages)
        {
            var result = index.Query(package.Purl);
            foreach (var u in result.Unknown) unknown.Add(new ScanUnknown(package.Display, package.File, u.ToString()));
            foreach (var id in result.Advisories)
            {
                if (!advisories.TryGetValue(id, out var advisory))
                    advisories[id] = advisory = await osv.GetAsync(id, ct) is { } stored ? Describe(stored, package.Purl) : null;
                if (advisory is not null) matches.Add(new ScanMatch(package, advisory));
            }
        }
        return (matches, unknown);
    }

    /// <summary>The advisory as a finding needs it: summary, aliases, severity (CVSS vector or GHSA's word), CWE, and the fixed versions of this
    /// package.</summary>
    static PackageAdvisory Describe(OsvStoredAdvisory stored, PackageUrl purl)
    {
        using var record = JsonDocument.Parse(stored.Record);
        var root = record.RootElement;
        string? vector = null;
        if (root.TryGetProperty("severity", out var severities) && severities.ValueKind == JsonValueKind.Array)
            // The newest CVSS version the record gives.
            vector = severities.EnumerateArray()
                .Where(s => s.TryGetProperty("type", out var t) && t.GetString() is "CVSS_V4" or "CVSS_V3" or "CVSS_V2"
                    && s.TryGetProperty("score", out _))
                .OrderByDescending(s => s.GetProperty("type").GetString(), StringComparer.Ordinal)
                .Select(s => s.GetProperty("score").GetString()).FirstOrDefault();
        string? word = null, cwe = null;
        if (root.TryGetProperty("database_specific", out var specific) && specific.ValueKind == JsonValueKind.Object)
        {
            if (specific.TryGetProperty("severity", out var s) && s.ValueKind == JsonValueKind.String) word = s.GetString();
            if (specific.TryGetProperty("cwe_ids", out var cwes) && cwes.ValueKind == JsonValueKind.Array)
                cwe = cwes.EnumerateArray().Select(c => c.GetString()).FirstOrDefault(c => c is not null);
        }
        var fixes = new List<string>();
        OsvPackages.TryMap(purl, out var key, out _, out _);
        if (root.TryGetProperty("affected", out var affected) && affected.ValueKind == JsonValueKind.Array)
            foreach (var entry in affected.EnumerateArray())
            {
                if (!entry.TryGetProperty("package", out var package) || !package.TryGetProperty("ecosystem", out var eco)
                    || !package.TryGetProperty("name", out var name)
                    || OsvPackages.Key(new OsvPackage(eco.GetString() ?? "", name.GetString() ?? "", null)) != key) continue;
                if (entry.TryGetProperty("ranges", out var ranges) && ranges.ValueKind == JsonValueKind.Array)
                    foreach (var range in ranges.EnumerateArray())
                        if (range.TryGetProperty("type", out var type) && type.GetString() != "GIT" && range.TryGetProperty("events", out var events))
                            foreach (var e in events.EnumerateArray())
                                if (e.TryGetProperty("fixed", out var fixedAt) && fixedAt.GetString() is { } v) fixes.Add(v);
            }
        return new PackageAdvisory(stored.Id)
        {
            Aliases = stored.Aliases, Summary = stored.Summary, Severity = word?.ToLowerInvariant() switch { "moderate" => "medium", var w => w },
            CvssVector = vector, FixedVersions = fixes, Cwe = cwe,
        };
    }
}
