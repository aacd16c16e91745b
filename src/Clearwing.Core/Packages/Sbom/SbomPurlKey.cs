namespace Clearwing.Packages;

/// <summary>
/// The package identity of a purl without its version, qualifiers and subpath: <c>type/namespace/name</c>,
/// percent-decoded and lower-cased. Exposure matching looks components up by this key (indexed).
/// </summary>
/// <remarks>
/// REPLACE with <c>Clearwing.Packages.PackageUrl</c> once it lands: this is a minimal split, not an ECMA-427 parser.
/// It lower-cases every type's name (right for npm, PyPI, NuGet; a simplification for Maven, whose names are case
/// sensitive) and does not apply per-type normalization (PyPI's <c>_</c> → <c>-</c>). Stored keys are recomputed
/// by that change, so nothing depends on this exact form.
/// </remarks>
internal static class SbomPurlKey
{
    /// <summary>The key, or null when <paramref name="purl"/> is not <c>pkg:TYPE/…NAME</c>.</summary>
    public static string? Of(string? purl)
    {
        if (purl is null || !purl.StartsWith("pkg:", StringComparison.OrdinalIgnoreCase)) return null;
        var rest = purl.AsSpan(4).TrimStart('/');
        var cut = rest.IndexOfAny('?', '#');
        if (cut >= 0) rest = rest[..cut];
        var slash = rest.IndexOf('/');
        if (slash <= 0) return null;
        var at = rest.LastIndexOf('@');
        if (at > rest.LastIndexOf('/')) rest = rest[..at];
        var path = rest.ToString().TrimEnd('/');
        if (path.Length <= slash + 1) return null;
        // The common case (no escapes, no empty segments) needs no splitting.
        if (!path.Contains('%') && !path.Contains("//", StringComparison.Ordinal)) return path.ToLowerInvariant();
        try
        {
            return string.Join('/', path.Split('/').Where(s => s.Length > 0).Select(Uri.UnescapeDataString)).ToLowerInvariant();
        }
        catch (UriFormatException)
        {
            return path.ToLowerInvariant();
        }
    }
}
