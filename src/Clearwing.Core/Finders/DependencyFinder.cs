using Clearwing.Packages;

namespace Clearwing.Finders;

/// <summary>
/// The dependency scan (docs/scan.md) as a finder, for campaigns: one unit, the checkout's lockfiles and SBOMs matched against the
/// imported OSV advisories, written as the native findings file <c>clearwing scan</c> imports, for <paramref name="project"/>
/// (whose name is in each finding's fingerprint).
/// </summary>
public sealed class DependencyFinder(OsvStore osv, string project) : IFinder
{
    /// <summary>The one unit's key.</summary>
    public const string Unit = "dependencies";

    public string Kind => "dependencies";

    public async Task<FinderReport> RunAsync(FinderRequest request, CancellationToken ct = default)
    {
        if (await request.Ledger.FindAsync(Unit, ct) is { Output: { } earlier } && File.Exists(earlier))
        {
            request.Progress?.Report(new FinderProgress(1, 0, 1, 0, 0, 0m, Unit));
            return Report(new FinderOutput(earlier, FindingsFormat.Native), done: 0, skipped: 1, findings: 0);
        }
        var inventory = LockfileScanner.Scan(request.Checkout.Folder);
        var (matches, _) = await DependencyScan.MatchAsync(osv, inventory, ct);
        Directory.CreateDirectory(request.OutputFolder);
        var output = Path.Combine(request.OutputFolder, "dependencies.json");
        ScanFindings.Write(output, project, matches, request.Checkout.Revision);
        await request.Ledger.CommitAsync(new UnitResult(Unit, UnitOutcome.Done, "[]", UnitUsage.None, Output: output), ct);
        request.Progress?.Report(new FinderProgress(1, 1, 0, 0, matches.Count, 0m, Unit));
        return Report(new FinderOutput(output, FindingsFormat.Native), done: 1, skipped: 0, findings: matches.Count);
    }

    FinderReport Report(FinderOutput output, int done, int skipped, int findings) =>
        new(Kind, output, 1, done, skipped, [], [], findings, CostReport.None, null);
}
