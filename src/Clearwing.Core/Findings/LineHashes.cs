namespace Clearwing.Findings;

/// <summary>
/// <see cref="PrimaryLocationLineHash"/> for results whose log lacks it, from the analysed sources under a
/// source root. Each file is hashed once; a bounded cache keeps memory flat on logs that touch many files.
/// </summary>
internal sealed class LineHashes(string sourceRoot)
{
    public const string Key = "primaryLocationLineHash";
    const int MaxCachedFiles = 256;

    readonly string _root = Path.GetFullPath(sourceRoot);
    readonly Dictionary<string, IReadOnlyList<string>?> _files = new(StringComparer.Ordinal);

    /// <summary>The hash of 1-based <paramref name="line"/>, or null when the file is outside the root, missing, or shorter.</summary>
    public string? Get(string path, int line)
    {
        if (!_files.TryGetValue(path, out var hashes))
        {
            if (_files.Count >= MaxCachedFiles) _files.Clear();
            _files[path] = hashes = Load(path);
        }
        return hashes is not null && line >= 1 && line <= hashes.Count ? hashes[line - 1] : null;
    }

    IReadOnlyList<string>? Load(string path)
    {
        try
        {
            // Like codeql-action: relative paths are taken as relative to the root; nothing outside it is read.
            var full = Path.GetFullPath(Path.IsPathRooted(path) ? path : Path.Combine(_root, path));
            if (!full.StartsWith(_root.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal)) return null;
            return File.Exists(full) ? PrimaryLocationLineHash.ComputeFile(full) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return null; // a source we cannot read just means no computed line hash
        }
    }
}
