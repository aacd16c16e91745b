namespace Clearwing.Packages;

/// <summary>The SBOM formats Clearwing reads; detected from the content, never from the file name.</summary>
public enum SbomFormat
{
    /// <summary>CycloneDX 1.5, 1.6 or 1.7 as JSON (<c>"bomFormat": "CycloneDX"</c>).</summary>
    CycloneDxJson,
    /// <summary>CycloneDX 1.5, 1.6 or 1.7 as XML (namespace <c>http://cyclonedx.org/schema/bom/1.x</c>).</summary>
    CycloneDxXml,
    /// <summary>SPDX 2.3 as JSON (<c>"spdxVersion": "SPDX-2.3"</c>).</summary>
    SpdxJson,
}

/// <summary>The names formats have in storage, the API and the CLI.</summary>
internal static class SbomFormats
{
    public static string Name(this SbomFormat format) => format switch
    {
        SbomFormat.CycloneDxJson => "cyclonedx-json",
        SbomFormat.CycloneDxXml => "cyclonedx-xml",
        SbomFormat.SpdxJson => "spdx-json",
        _ => throw new ArgumentOutOfRangeException(nameof(format)),
    };
}

/// <summary>
/// The most one SBOM may hold, checked as it is read so that memory stops growing at the limit. The server gives uploads
/// limits (any org may send an SBOM, downstream orgs included); a file read on the operator's own machine has none.
/// </summary>
/// <param name="MaxComponents">Components, nested ones included (CycloneDX components, SPDX packages).</param>
/// <param name="MaxDependencies">Dependency and containment entries as written, before duplicates are removed.</param>
/// <param name="MaxOtherBytes">
/// Everything else together — metadata, services, vulnerabilities…: it is held whole while it is checked, at many times
/// its size on disk, where components and dependencies are read one at a time.
/// </param>
public sealed record SbomLimits(long MaxComponents, long MaxDependencies, long MaxOtherBytes = SbomLimits.DefaultOtherBytes)
{
    /// <summary>16 MiB: a real SBOM's metadata takes kilobytes.</summary>
    public const long DefaultOtherBytes = 16 << 20;

    /// <summary>
    /// The server's defaults for uploads: 100,000 components (a large container image has a few thousand), 1,000,000
    /// dependency entries, 16 MiB of everything else.
    /// </summary>
    public static readonly SbomLimits Uploads = new(100_000, 1_000_000);

    /// <summary>No limit: the CLI on the operator's own files.</summary>
    public static readonly SbomLimits None = new(long.MaxValue, long.MaxValue, long.MaxValue);
}

/// <summary>
/// One component of a product, as the SBOM names it. <see cref="Ref"/> is the CycloneDX <c>bom-ref</c> or the SPDX
/// <c>SPDXID</c> (a generated <c>#n</c> when a CycloneDX component has none); <see cref="Purl"/> is kept as given;
/// <see cref="PurlKey"/> is the package identity without version (<see cref="PackageUrl.Key"/>), null without a purl that parses.
/// </summary>
public sealed record SbomComponent(string Ref, string Name, string? Version, string? Purl, string? PurlKey);

/// <summary>
/// An SBOM read and checked: its header, its components in document order (nested CycloneDX components follow
/// their parent), the dependency edges between them as indexes into <see cref="Components"/>, and which
/// components are the product's direct dependencies.
/// </summary>
/// <remarks>
/// The product itself (CycloneDX <c>metadata.component</c>, or the one package an SPDX document DESCRIBES) is the
/// root, not a component. Direct: what the root's dependency entry (CycloneDX) or relationships (SPDX) name; when the
/// document says nothing about the root, every component nothing else depends on (the tops of the graph).
/// Memory holds the components and edges (a few hundred bytes per component), never the document.
/// </remarks>
public sealed class Sbom
{
    public required SbomFormat Format { get; init; }
    /// <summary>"1.5", "1.6", "1.7" (CycloneDX) or "2.3" (SPDX).</summary>
    public required string SpecVersion { get; init; }
    /// <summary>CycloneDX <c>serialNumber</c> or SPDX <c>documentNamespace</c>.</summary>
    public string? SerialNumber { get; init; }
    public string? RootRef { get; init; }
    public string? RootName { get; init; }
    public required IReadOnlyList<SbomComponent> Components { get; init; }
    /// <summary>Component → component it depends on (or contains), deduplicated.</summary>
    public required IReadOnlyList<(int From, int To)> Dependencies { get; init; }
    /// <summary>One flag per component: a direct dependency of the product's root.</summary>
    public required IReadOnlyList<bool> Direct { get; init; }

    public int DirectCount => Direct.Count(d => d);
}
