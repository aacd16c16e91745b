namespace Clearwing.Packages;

/// <summary>
/// The package identity exposure looks components up by (indexed): <see cref="PackageUrl.Key"/>, the canonical
/// <c>pkg:type/namespace/name</c>. Read leniently, because SBOM tools write purls loosely.
/// </summary>
internal static class SbomPurlKey
{
    /// <summary>The key, or null for a purl that cannot be read even leniently (the component is kept, just never matched).</summary>
    public static string? Of(string? purl) =>
        purl is not null && PackageUrl.TryParse(purl, PurlParseMode.Lenient, out var parsed, out _) ? parsed!.Key.Value : null;
}
