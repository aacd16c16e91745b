namespace Clearwing.Findings;

/// <summary>Where the folder an import's absolute paths were made relative to came from (docs/fingerprints.md, "Paths").</summary>
public enum PathBaseSource
{
    /// <summary>The importer's <c>--source-root</c>.</summary>
    SourceRoot,
    /// <summary>An absolute base of the run's <c>originalUriBaseIds</c> (§3.14.14), such as <c>SRCROOT</c>.</summary>
    OriginalUriBaseIds,
    /// <summary>Where the run's <c>versionControlProvenance</c> says the repository was checked out (<c>mappedTo</c>, §3.23.8).</summary>
    VersionControl,
    /// <summary>No base was given: the longest folder common to the run's artifacts (or, without a list, its results' files).</summary>
    CommonFolder,
}

/// <summary>A folder an import's absolute paths were made relative to, normalized and ending in '/', and why that one.</summary>
public sealed record PathBase(string Folder, PathBaseSource Source);

/// <summary>
/// One file's (or SARIF run's) candidate bases in priority order, and which of them made a path relative: a checkout
/// folder is where the analysing machine kept the code, so it is not part of a path that must match across machines.
/// </summary>
internal sealed class PathBases(IReadOnlyList<PathBase> bases)
{
    readonly bool[] _used = new bool[bases.Count];

    public static readonly PathBases None = new([]);

    public bool IsEmpty => bases.Count == 0;

    /// <summary>A normalized path relative to the first base it lies under; as it is when it lies under none.</summary>
    public string Relativize(string path)
    {
        for (int i = 0; i < bases.Count; i++)
        {
            var folder = bases[i].Folder;
            var comparison = ArtifactPath.IsDrivePath(folder) ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
            if (path.Length > folder.Length && path.StartsWith(folder, comparison))
            {
                _used[i] = true;
                return path[folder.Length..];
            }
        }
        return path;
    }

    /// <summary>The bases that made at least one path relative.</summary>
    public IEnumerable<PathBase> Used => bases.Where((_, i) => _used[i]);
}
