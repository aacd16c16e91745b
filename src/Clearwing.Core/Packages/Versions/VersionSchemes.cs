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

    /// <summary>pacman's alpm_pkg_vercmp: Arch Linux.</summary>
    public static readonly VersionScheme Alpm = new AlpmScheme();
    /// <summary>Conan 2's Version: C and C++ packages.</summary>
    public static readonly VersionScheme Conan = new ConanScheme();
    /// <summary>RFC 3339 timestamps, ordered as instants.</summary>
    public static readonly VersionScheme DateTime = new DateTimeScheme();
    /// <summary>Gentoo's ebuild versions (Package Manager Specification).</summary>
    public static readonly VersionScheme Gentoo = new GentooScheme();
    /// <summary>Strings by Unicode code point.</summary>
    public static readonly VersionScheme Lexicographic = new LexicographicScheme();
    /// <summary>OpenSSL releases, patch letters included (1.0.2zh).</summary>
    public static readonly VersionScheme OpenSsl = new OpenSslScheme();

    public static IReadOnlyList<VersionScheme> All { get; } =
    [
        SemVer, Pub, PyPI, Maven, NuGet, RubyGems, Debian, Alpine, Rpm, Packagist, Hackage, Cran, Alpm, Conan, DateTime, Gentoo, Lexicographic,
        OpenSsl,
    ];

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
    /// vers types (vers-spec's registered and test-suite types, spelled as vers spells them: the package-URL type where
    /// there is one) and their ordering. nginx releases are plain major.minor.patch, so SemVer orders them.
    /// </summary>
    static readonly FrozenDictionary<string, VersionScheme> VersTypes = new Dictionary<string, VersionScheme>(StringComparer.Ordinal)
    {
        ["npm"] = SemVer, ["cargo"] = SemVer, ["golang"] = SemVer, ["hex"] = SemVer, ["swift"] = SemVer, ["semver"] = SemVer,
        ["nginx"] = SemVer,
        ["pub"] = Pub, ["pypi"] = PyPI, ["maven"] = Maven, ["nuget"] = NuGet, ["gem"] = RubyGems,
        ["deb"] = Debian, ["apk"] = Alpine, ["rpm"] = Rpm, ["composer"] = Packagist, ["hackage"] = Hackage, ["cran"] = Cran,
        ["alpm"] = Alpm, ["conan"] = Conan, ["datetime"] = DateTime, ["gentoo"] = Gentoo, ["ebuild"] = Gentoo,
        ["lexicographic"] = Lexicographic, ["openssl"] = OpenSsl,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>The ordering of a vers type (<c>npm</c>, <c>pypi</c>, <c>deb</c>, <c>alpm</c>, ...); null for a type without a known ordering, such
    /// as the reserved <c>test</c> and <c>example</c>.</summary>
    public static VersionScheme? ForVersScheme(string type)
    {
        ArgumentNullException.ThrowIfNull(type);
        return VersTypes.GetValueOrDefault(type.ToLowerInvariant());
    }

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
