using Clearwing.Disclosure.Writers;

namespace Clearwing.Disclosure;

/// <summary>The writers, one per format: each a pure function of an <see cref="AdvisoryRelease"/> (docs/advisories.md).</summary>
public static class AdvisoryWriters
{
    /// <summary>The document in <paramref name="format"/>; null for a CVE record of a flaw without a CVE id.</summary>
    public static byte[]? Write(AdvisoryFormat format, AdvisoryRelease release) => format switch
    {
        AdvisoryFormat.Osv => OsvWriter.Write(release),
        AdvisoryFormat.Csaf => CsafWriter.Advisory(release),
        AdvisoryFormat.CsafVex => CsafWriter.Vex(release),
        AdvisoryFormat.Cve => CveWriter.Write(release),
        AdvisoryFormat.Content => release.Content.ToJson(),
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, null),
    };

    /// <summary>Where the CSAF provider serves the advisory's CSAF document (or its VEX document), relative to /.well-known/csaf/.</summary>
    public static string CsafPath(AdvisoryRelease release, bool vex) =>
        (vex ? CsafWriter.VexPath(release) : CsafWriter.Path(release))[CsafRoot.Length..];

    /// <summary>Where a CSAF provider's files are, under the publisher's namespace (CSAF 2.0 section 7.1.9).</summary>
    public const string CsafRoot = "/.well-known/csaf/";
}
