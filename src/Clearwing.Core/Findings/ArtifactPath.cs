namespace Clearwing.Findings;

/// <summary>
/// Turns SARIF artifact URIs (§3.4) into the stored path: forward slashes, percent-decoded, no
/// <c>file://</c> scheme, repository-relative wherever the log allows.
/// </summary>
internal static class ArtifactPath
{
    /// <summary>
    /// Resolves <paramref name="uri"/> against the chain of <c>originalUriBaseIds</c> (§3.14.14), prefixing only
    /// relative bases: an absolute base is where the analysing machine kept the checkout, which is exactly
    /// what a repository-relative path leaves out. An absolute uri stays absolute here; <see cref="PathBases"/> makes it relative.
    /// </summary>
    public static string Resolve(string uri, string? uriBaseId, IReadOnlyDictionary<string, SarifArtifactLocation?>? bases)
    {
        if (IsAbsolute(uri)) return Normalize(uri);
        string path = uri;
        // Each base may name its own base (§3.14.14); a cycle ends the chain after every id was seen once.
        for (int hops = 0; uriBaseId is not null && bases is not null && hops <= bases.Count; hops++)
        {
            if (!bases.TryGetValue(uriBaseId, out var b) || b?.Uri is not { } baseUri || IsAbsolute(baseUri)) break;
            path = baseUri.EndsWith('/') || baseUri.Length == 0 ? baseUri + path : baseUri + "/" + path;
            uriBaseId = b.UriBaseId;
        }
        return Normalize(path);
    }

    /// <summary>
    /// Where an artifact location points when its bases are followed to the end: absolute when the chain ends in an
    /// absolute base (versionControlProvenance's <c>mappedTo</c> is usually just <c>{"uriBaseId": "SRCROOT"}</c>).
    /// </summary>
    public static string? ResolveAbsolute(SarifArtifactLocation? location, IReadOnlyDictionary<string, SarifArtifactLocation?>? bases)
    {
        string path = location?.Uri ?? "";
        string? baseId = location?.UriBaseId;
        for (int hops = 0; !IsAbsolute(path) && baseId is not null && bases is not null && hops <= bases.Count; hops++)
        {
            if (!bases.TryGetValue(baseId, out var b) || b?.Uri is not { } baseUri) return null;
            path = path.Length == 0 || baseUri.EndsWith('/') ? baseUri + path : baseUri + "/" + path;
            baseId = b.UriBaseId;
        }
        return IsAbsolute(path) && Normalize(path) is var n && IsFilePath(n) ? n : null;
    }

    /// <summary>The absolute file bases of a run's <c>originalUriBaseIds</c>, deepest first, each normalized and ending in '/'.</summary>
    public static List<string> AbsoluteBases(IReadOnlyDictionary<string, SarifArtifactLocation?>? bases)
    {
        var list = new List<string>();
        foreach (var b in bases?.Values ?? [])
            if (b?.Uri is { } u && IsAbsolute(u) && Normalize(u) is var n && IsFilePath(n)) list.Add(AsFolder(n));
        // Deepest first, as a relative uri resolves: "x" against OUT=/w/out/ is "x" (the absolute base is dropped), so
        // /w/out/x is "x" too, whether or not the log also has SRCROOT=/w/ and whichever it lists first.
        return [.. list.Distinct().OrderByDescending(b => b.Length).ThenBy(b => b, StringComparer.Ordinal)];
    }

    /// <summary>
    /// The longest folder all <paramref name="paths"/> (normalized absolute file paths) lie in, ending in '/'; null when
    /// there are none or it is a file-system root (paths under / and C:/ have nothing in common worth removing).
    /// </summary>
    public static string? CommonFolder(IEnumerable<string> paths)
    {
        string? common = null;
        foreach (var p in paths)
        {
            if (!IsFilePath(p)) continue;
            var folder = p[..(p.LastIndexOf('/') + 1)];
            if (common is null) { common = folder; continue; }
            bool ignoreCase = IsDrivePath(p);
            int n = 0, max = Math.Min(common.Length, folder.Length);
            while (n < max && (common[n] == folder[n] || (ignoreCase && char.ToUpperInvariant(common[n]) == char.ToUpperInvariant(folder[n])))) n++;
            common = common[..(common.LastIndexOf('/', Math.Max(n - 1, 0)) + 1)];
            if (common.Length == 0) return null;
        }
        return common is null || common == "/" || (IsDrivePath(common) && common.Length <= 3) ? null : common;
    }

    /// <summary>A folder given by a person (a source root): a path or file URI, normalized and ending in '/'.</summary>
    public static string AsFolder(string folder)
    {
        var n = Normalize(folder);
        return n.EndsWith('/') ? n : n + "/";
    }

    /// <summary>A normalized path that is absolute on some file system: "/x" or "C:/x".</summary>
    public static bool IsFilePath(string normalized) => normalized.StartsWith('/') || IsDrivePath(normalized);

    /// <summary>"C:/…": Windows paths compare without case.</summary>
    public static bool IsDrivePath(string normalized) =>
        normalized.Length >= 3 && char.IsAsciiLetter(normalized[0]) && normalized[1] == ':' && normalized[2] == '/';

    /// <summary>Decodes, drops a file scheme, uses forward slashes and drops a leading "./".</summary>
    public static string Normalize(string uri)
    {
        var s = uri.Contains('%') ? Uri.UnescapeDataString(uri) : uri;
        if (s.StartsWith("file:", StringComparison.OrdinalIgnoreCase))
        {
            s = s.StartsWith("file://", StringComparison.OrdinalIgnoreCase) ? s[7..] : s[5..];
            if (s.Length >= 3 && s[0] == '/' && char.IsAsciiLetter(s[1]) && s[2] == ':') s = s[1..]; // file:///C:/x → C:/x
        }
        if (s.Contains('\\')) s = s.Replace('\\', '/');
        while (s.StartsWith("./", StringComparison.Ordinal)) s = s[2..];
        return s;
    }

    /// <summary>An absolute URI (RFC 3986 scheme), a rooted path, or a Windows drive path.</summary>
    public static bool IsAbsolute(string uri)
    {
        if (uri.Length == 0) return false;
        if (uri[0] is '/' or '\\') return true;
        if (!char.IsAsciiLetter(uri[0])) return false;
        for (int i = 1; i < uri.Length; i++)
        {
            char c = uri[i];
            if (c == ':') return true;
            if (!(char.IsAsciiLetterOrDigit(c) || c is '+' or '-' or '.')) return false;
        }
        return false;
    }
}
