namespace Clearwing.Packages;

/// <summary>
/// One package version a lockfile (or SBOM) pins.
/// </summary>
/// <param name="Purl">The package with its version.</param>
/// <param name="File">The lockfile, relative to the scanned folder, forward slashes.</param>
/// <param name="Line">The line of the package's entry (1-based); null when the format gives none.</param>
/// <param name="Direct">The project itself depends on it (as opposed to through another package).</param>
/// <param name="Path">
/// The dependency path from the project: each step as <c>name@version</c> (or a workspace's name), from the direct
/// dependency down to this package itself. Empty when the file records no dependency graph or the package is not
/// reached from the project's own dependencies.
/// </param>
public sealed record LockedPackage(PackageUrl Purl, string File, int? Line, bool Direct, IReadOnlyList<string> Path)
{
    /// <summary>Only development dependencies need it (npm's <c>dev</c>, packages-dev, devDependencies, poetry's dev category).</summary>
    public bool Development { get; init; }

    /// <summary>The package as people write it: <c>@scope/name@1.2.3</c>, <c>vendor/name@1.2.3</c>, <c>name@1.2.3</c>.</summary>
    public string Display =>
        (Purl.Namespace is null ? Purl.Name : Purl.Namespace + "/" + Purl.Name) + (Purl.Version is null ? "" : "@" + Purl.Version);
}

/// <summary>Whether a problem stopped a file from being read or only left part of it out.</summary>
public enum ScanProblemKind
{
    /// <summary>The file could not be read at all (malformed, unreadable); none of its packages are in the inventory.</summary>
    Malformed,

    /// <summary>An entry was left out on purpose (unpinned, a local path, a VCS checkout); the rest of the file was read.</summary>
    Skipped,
}

/// <summary>A file or entry the scan could not use, with where and why.</summary>
/// <param name="File">The file, relative to the scanned folder.</param>
/// <param name="Line">The line (1-based), when known.</param>
public sealed record ScanProblem(string File, int? Line, ScanProblemKind Kind, string Reason)
{
    /// <summary>A file that could not be read, from the error that says why (readers put <c>line N</c> in its location).</summary>
    public static ScanProblem Malformed(MalformedInputException e) =>
        new(e.File, e.JsonPath.StartsWith("line ", StringComparison.Ordinal) && int.TryParse(e.JsonPath.AsSpan(5), out var n) ? n : null,
            ScanProblemKind.Malformed, e.Reason);

    public override string ToString() => Line is { } l ? $"{File}:{l}: {Reason}" : $"{File}: {Reason}";
}

/// <summary>What a scan of a folder found: the locked packages, the problems met, and the SBOM files seen.</summary>
public sealed record ScanInventory(
    IReadOnlyList<LockedPackage> Packages, IReadOnlyList<ScanProblem> Problems, IReadOnlyList<string> SbomFiles, IReadOnlyList<string> Lockfiles);
