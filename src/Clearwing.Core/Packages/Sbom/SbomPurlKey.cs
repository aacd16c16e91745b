namespace Clearwing.Packages;

/// <summary>
/// The package identity stored with each component (<c>purl_key</c>): <see cref="PackageUrl.Key"/>, the canonical
/// <c>pkg:type/namespace/name</c> without version, qualifiers and subpath, which exposure looks components up by.
/// </summary>
internal static class SbomPurlKey
{
    /// <summary>
    /// The key of <paramref name="purl"/>, read leniently (SBOM generators write mixed-case qualifier keys and raw
    /// characters); null when it is not a package URL even so: such a component is kept, with its purl as given, but
    /// no advisory can name its package.
    /// </summary>
    public static string? Of(string? purl) =>
        PackageUrl.TryParse(purl, PurlParseMode.Lenient, out var parsed, out _) ? parsed.Key.Value : null;
}
