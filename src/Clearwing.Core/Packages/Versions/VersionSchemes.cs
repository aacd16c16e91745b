using System.Collections.Frozen;

namespace Clearwing.Packages;

/// <summary>
/// The version orderings, by OSV ecosystem name or package-URL type. Parse versions once with a scheme and compare the
/// parsed values many times; <see cref="Compare(string, string, string)"/> is the one-off form.
/// </summary>
public static class VersionSchemes
{
    /// <summary>Semantic Versioning 2.0.0: npm, crates.io, Go (pseudo-versions, +incompatible), Hex, SwiftURL.</summary>
    public static readonly VersionScheme SemVer = new SemVerScheme("SemVer", buildOrders: false);
    /// <summary>pub_semver: SemVer where build metadata orders too.</summary>
    public static readonly VersionScheme Pub = new SemVerScheme("Pub", buildOrders: true);
    public static readonly VersionScheme PyPI = new PyPIScheme();
    public static readonly VersionScheme Maven = new MavenScheme();
    public static readonly VersionScheme NuGet = new NuGetScheme();
    public static readonly VersionScheme RubyGems = new RubyGemsScheme();
    /// <summary>dpkg: Debian, Ubuntu.</summary>
    public static readonly VersionScheme Debian = new DebianScheme();
    /// <summary>apk: Alpine, Wolfi, Chainguard, MinimOS.</summary>
    public static readonly VersionScheme Alpine = new AlpineScheme();
    /// <summary>rpmvercmp: Red Hat, AlmaLinux, Rocky Linux, openSUSE, SUSE, Mageia, openEuler, Photon OS, Azure Linux.</summary>
    public static readonly VersionScheme Rpm = new RpmScheme();
    /// <summary>PHP's version_compare.</summary>
    public static readonly VersionScheme Packagist = new PackagistScheme();
    public static readonly VersionScheme Hackage = new NumericListScheme("Hackage", dashSeparates: false);
    /// <summary>R's numeric_version: CRAN, Bioconductor.</summary>
    public static readonly VersionScheme Cran = new NumericListScheme("CRAN", dashSeparates: true);

    public static IReadOnlyList<VersionScheme> All { get; } = [SemVer, Pub, PyPI, Maven, NuGet, RubyGems, Debian, Alpine, Rpm, Packagist, Hackage, Cran];

    /// <summary>OSV ecosystem names (spelled as ecosystems.json spells them) and the ordering each uses.</summary>
    static readonly FrozenDictionary<string, VersionScheme> Ecosystems = new Dictionary<string, VersionScheme>(StringComparer.Ordinal)
    {
        ["npm"] = SemVer, ["crates.io"] = SemVer, ["Go"] = SemVer, ["Hex"] = SemVer, ["SwiftURL"] = SemVer,
        ["Pub"] = Pub,
        ["PyPI"] = PyPI,
        ["Maven"] = Maven,
        ["NuGet"] = NuGet,
        ["RubyGems"] = RubyGems,
        ["Debian"] = Debian, ["Ubuntu"] = Debian,
        ["Alpine"] = Alpine, ["Wolfi"] = Alpine, ["Chainguard"] = Alpine, ["MinimOS"] = Alpine,
        ["Red Hat"] = Rpm, ["AlmaLinux"] = Rpm, ["Rocky Linux"] = Rpm, ["openSUSE"] = Rpm, ["SUSE"] = Rpm,
        ["Mageia"] = Rpm, ["openEuler"] = Rpm, ["Photon OS"] = Rpm, ["Azure Linux"] = Rpm,
        ["Packagist"] = Packagist,
        ["Hackage"] = Hackage,
        ["CRAN"] = Cran, ["Bioconductor"] = Cran,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>Package-URL types (lower case, as ECMA-427 canonicalizes them) and their ordering, where the namespace does not decide it.</summary>
    static readonly FrozenDictionary<string, VersionScheme> PurlTypes = new Dictionary<string, VersionScheme>(StringComparer.Ordinal)
    {
        ["npm"] = SemVer, ["cargo"] = SemVer, ["golang"] = SemVer, ["hex"] = SemVer, ["swift"] = SemVer,
        ["pub"] = Pub, ["pypi"] = PyPI, ["maven"] = Maven, ["nuget"] = NuGet, ["gem"] = RubyGems,
        ["deb"] = Debian, ["apk"] = Alpine, ["rpm"] = Rpm, ["composer"] = Packagist, ["hackage"] = Hackage, ["cran"] = Cran,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>
    /// The ordering of an OSV ecosystem; a release suffix ("Debian:12", "Ubuntu:22.04:LTS", "Alpine:v3.18",
    /// "Red Hat:rhel_aus:8.4::appstream") does not change it. Null for an ecosystem without a known ordering.
    /// </summary>
    public static VersionScheme? ForEcosystem(string osvEcosystem)
    {
        ArgumentNullException.ThrowIfNull(osvEcosystem);
        var colon = osvEcosystem.IndexOf(':');
        var name = colon < 0 ? osvEcosystem : osvEcosystem[..colon];
        return Ecosystems.GetValueOrDefault(name);
    }

    /// <summary>
    /// The ordering of a package-URL type. deb, apk and rpm packages of every distribution (pkg:deb/debian,
    /// pkg:deb/ubuntu, pkg:apk/alpine, pkg:apk/wolfi, pkg:rpm/redhat, pkg:rpm/opensuse, ...) share their package manager's
    /// ordering, so the namespace is accepted but does not change the answer. Null for an unknown type.
    /// </summary>
    public static VersionScheme? ForPurlType(string type, string? @namespace = null)
    {
        ArgumentNullException.ThrowIfNull(type);
        _ = @namespace;
        return PurlTypes.GetValueOrDefault(type.ToLowerInvariant());
    }

    /// <summary>Compares two versions of an OSV ecosystem; Unknown, with the reason, for an unknown ecosystem or an unreadable version.</summary>
    public static VersionOrder Compare(string ecosystem, string a, string b) =>
        ForEcosystem(ecosystem) is { } scheme
            ? scheme.Compare(a, b)
            : VersionOrder.Unknown($"no version ordering is known for the ecosystem '{ecosystem}'");
}
