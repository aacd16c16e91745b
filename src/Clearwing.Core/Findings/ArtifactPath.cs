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
    /// what a repository-relative path leaves out. An absolute uri under one of those bases is made relative to it.
    /// </summary>
    public static string Resolve(
        string uri, string? uriBaseId, IReadOnlyDictionary<string, SarifArtifactLocation?>? bases, IReadOnlyList<string> absoluteBases)
    {
        if (IsAbsolute(uri))
        {
            var absolute = Normalize(uri);
            foreach (var b in absoluteBases)
                if (absolute.Length > b.Length && absolute.StartsWith(b, StringComparison.Ordinal)) return absolute[b.Length..];
            return absolute;
        }
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

    /// <summary>The absolute file bases of a run, normalized and ending in '/', for <see cref="Resolve"/>.</summary>
    public static List<string> AbsoluteBases(IReadOnlyDictionary<string, SarifArtifactLocation?>? bases)
    {
        var list = new List<string>();
        foreach (var b in bases?.Values ?? [])
        {
            if (b?.Uri is not { } u || !IsAbsolute(u)) continue;
            var n = Normalize(u);
            list.Add(n.EndsWith('/') ? n : n + "/");
        }
        return list;
    }

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
