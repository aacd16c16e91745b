using System.Collections.Frozen;
using System.Text;

namespace Clearwing.Packages;

/// <summary>A package as OSV names it, for lookups: the ecosystem without its <c>:release</c> suffix, the name normalized per ecosystem.</summary>
internal readonly record struct OsvPackageKey(string Ecosystem, string Name)
{
    public override string ToString() => $"{Ecosystem}/{Name}";
}

/// <summary>
/// Where package URLs and OSV packages meet (docs/osv.md "Package URLs"): each purl type of the main ecosystems maps to
/// an OSV ecosystem and name, and names are normalized the way the ecosystem itself compares them, so that
/// <c>pkg:pypi/Django_Rest</c> finds OSV's <c>django-rest</c>. Distribution packages (deb, apk) also carry the release
/// the purl's <c>distro</c> qualifier names, matched against the OSV ecosystem's <c>:release</c> suffix.
/// </summary>
internal static class OsvPackages
{
    /// <summary>purl type → OSV ecosystem, where the namespace does not decide it.</summary>
    static readonly FrozenDictionary<string, string> Types = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["npm"] = "npm", ["pypi"] = "PyPI", ["maven"] = "Maven", ["nuget"] = "NuGet", ["gem"] = "RubyGems",
        ["cargo"] = "crates.io", ["golang"] = "Go", ["composer"] = "Packagist", ["pub"] = "Pub", ["hex"] = "Hex",
        ["hackage"] = "Hackage", ["cran"] = "CRAN", ["swift"] = "SwiftURL",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>deb and apk namespaces (the distribution) → OSV ecosystem.</summary>
    static readonly FrozenDictionary<string, string> Distributions = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["deb/debian"] = "Debian", ["deb/ubuntu"] = "Ubuntu",
        ["apk/alpine"] = "Alpine", ["apk/wolfi"] = "Wolfi", ["apk/chainguard"] = "Chainguard", ["apk/minimos"] = "MinimOS",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>Release code names a distro qualifier may use instead of the number.</summary>
    static readonly FrozenDictionary<string, string> CodeNames = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["jessie"] = "8", ["stretch"] = "9", ["buster"] = "10", ["bullseye"] = "11", ["bookworm"] = "12", ["trixie"] = "13", ["forky"] = "14",
        ["trusty"] = "14.04", ["xenial"] = "16.04", ["bionic"] = "18.04", ["focal"] = "20.04", ["jammy"] = "22.04",
        ["mantic"] = "23.10", ["noble"] = "24.04", ["oracular"] = "24.10", ["plucky"] = "25.04", ["questing"] = "25.10",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>The ecosystem's name without a release suffix ("Debian:12" → "Debian").</summary>
    public static string BaseEcosystem(string ecosystem)
    {
        var colon = ecosystem.IndexOf(':');
        return colon < 0 ? ecosystem : ecosystem[..colon];
    }

    /// <summary>
    /// A package name as the ecosystem compares it: PyPI by PEP 503 (lowercase, runs of <c>-_.</c> as one <c>-</c>);
    /// npm, NuGet, Packagist, Pub and Hex lowercased (their registries are case-insensitive); crates.io lowercased with
    /// <c>_</c> as <c>-</c> (crates.io treats them as one name); every other ecosystem as given.
    /// </summary>
    public static string NormalizeName(string ecosystem, string name)
    {
        switch (BaseEcosystem(ecosystem))
        {
            case "PyPI":
            {
                // re.sub(r"[-_.]+", "-", name).lower()
                var b = new StringBuilder(name.Length);
                var inRun = false;
                foreach (var c in name)
                {
                    var separator = c is '-' or '_' or '.';
                    if (separator && !inRun) b.Append('-');
                    else if (!separator) b.Append(char.ToLowerInvariant(c));
                    inRun = separator;
                }
                return b.ToString();
            }
            case "npm" or "NuGet" or "Packagist" or "Pub" or "Hex":
                return name.ToLowerInvariant();
            case "crates.io":
                return name.ToLowerInvariant().Replace('_', '-');
            default:
                return name;
        }
    }

    /// <summary>The lookup key of an OSV package.</summary>
    public static OsvPackageKey Key(OsvPackage package) => new(BaseEcosystem(package.Ecosystem), NormalizeName(package.Ecosystem, package.Name));

    /// <summary>
    /// The OSV package a purl names: its lookup key and, for deb and apk, the release its <c>distro</c> qualifier names
    /// (null when it names none). False with the reason for a type without an OSV ecosystem here.
    /// </summary>
    public static bool TryMap(PackageUrl purl, out OsvPackageKey key, out string? release, out string? error)
    {
        ArgumentNullException.ThrowIfNull(purl);
        (key, release, error) = (default, null, null);
        string ecosystem, name;
        if (Types.TryGetValue(purl.Type, out var mapped))
        {
            ecosystem = mapped;
            name = Name(purl);
        }
        else if (purl.Type is "deb" or "apk" && purl.Namespace is { } ns
            && Distributions.TryGetValue($"{purl.Type}/{ns.ToLowerInvariant()}", out var distribution))
        {
            ecosystem = distribution;
            name = purl.Name;
            release = Release(distribution, purl.Qualifier("distro"));
        }
        else
        {
            error = purl.Type is "deb" or "apk"
                ? $"no OSV ecosystem is known for {purl.Type} packages of '{purl.Namespace}' (known: {string.Join(", ", Distributions.Keys
                    .Where(k => k.StartsWith(purl.Type + "/", StringComparison.Ordinal))
                    .Select(k => k[(purl.Type.Length + 1)..]))})"
                : $"no OSV ecosystem is known for purl type '{purl.Type}'";
            return false;
        }
        key = new OsvPackageKey(ecosystem, NormalizeName(ecosystem, name));
        return true;
    }

    /// <summary>
    /// The package's name as its OSV ecosystem writes it, before <see cref="NormalizeName"/>: the namespace joined where OSV
    /// names carry it.
    /// </summary>
    public static string Name(PackageUrl purl) => purl.Type switch
    {
        "maven" => purl.Namespace is null ? purl.Name : $"{purl.Namespace}:{purl.Name}",
        // npm scopes (@scope/name), Go module paths, Packagist vendor/name, SwiftURL hosts: OSV names carry the namespace.
        "npm" or "golang" or "composer" or "swift" => purl.Namespace is null ? purl.Name : $"{purl.Namespace}/{purl.Name}",
        _ => purl.Name,
    };

    /// <summary>
    /// The package identity (<see cref="PackageUrl.Key"/>) SBOM components of an OSV package carry, for finding them:
    /// the record's purl when it gives one, else built from the ecosystem and the name as OSV writes it (the purl type's
    /// own normalization applies). Null for an ecosystem without a purl type here.
    /// </summary>
    public static string? PurlKey(OsvPackage package)
    {
        ArgumentNullException.ThrowIfNull(package);
        if (package.Purl is { } given && PackageUrl.TryParse(given, PurlParseMode.Lenient, out var parsed, out _)) return parsed!.Key.Value;
        var ecosystem = BaseEcosystem(package.Ecosystem);
        string? type = Types.FirstOrDefault(t => t.Value == ecosystem).Key, ns = null;
        var name = package.Name;
        if (type is null)
        {
            if (Distributions.FirstOrDefault(d => d.Value == ecosystem).Key is not { } distribution) return null;
            (type, ns) = (distribution[..distribution.IndexOf('/')], distribution[(distribution.IndexOf('/') + 1)..]);
        }
        else if (type == "maven" && name.IndexOf(':') is > 0 and var colon)
            (ns, name) = (name[..colon], name[(colon + 1)..]);
        else if (type is "npm" or "golang" or "composer" or "swift" && name.LastIndexOf('/') is > 0 and var slash)
            (ns, name) = (name[..slash], name[(slash + 1)..]);
        try
        {
            return PackageUrl.Build(type, ns, name).Key.Value;
        }
        catch (PurlFormatException)
        {
            return null;
        }
    }

    /// <summary>A distro qualifier ("debian-12", "bookworm", "ubuntu-22.04", "jammy", "alpine-3.18.4", "v3.18") as the release number OSV's suffix
    /// uses.</summary>
    static string? Release(string ecosystem, string? distro)
    {
        if (string.IsNullOrEmpty(distro)) return null;
        var d = distro.ToLowerInvariant();
        var dash = d.LastIndexOf('-');
        if (dash >= 0) d = d[(dash + 1)..];
        if (CodeNames.TryGetValue(d, out var number)) d = number;
        d = d.TrimStart('v');
        return ecosystem switch
        {
            // Debian's suffix is the major release (12); Alpine's is major.minor (v3.18); Ubuntu's is YY.MM.
            "Debian" => d.Split('.')[0],
            "Alpine" => string.Join('.', d.Split('.').Take(2)),
            _ => d,
        };
    }

    /// <summary>
    /// Whether an entry of <paramref name="ecosystem"/> (with any <c>:release</c> suffix) applies to a purl naming
    /// <paramref name="release"/>: an ecosystem without a suffix applies to every release; one with a suffix applies when
    /// the purl names that release, and is unknown when the purl names none.
    /// </summary>
    public static Affectedness AppliesTo(string ecosystem, string? release, out string? reason)
    {
        reason = null;
        var colon = ecosystem.IndexOf(':');
        if (colon < 0) return Affectedness.Affected;
        var suffix = ecosystem[(colon + 1)..];
        var base_ = ecosystem[..colon];
        if (base_ is not ("Debian" or "Ubuntu" or "Alpine")) return Affectedness.Affected;
        if (release is null)
        {
            reason = $"the advisory covers {ecosystem} only, and the purl names no release (add ?distro=…)";
            return Affectedness.Unknown;
        }
        var number = base_ switch
        {
            // "22.04:LTS", "Pro:18.04:LTS", "24.10": the part that is a number.
            "Ubuntu" => suffix.Split(':').FirstOrDefault(p => p.Length > 0 && char.IsAsciiDigit(p[0])) ?? suffix,
            "Alpine" => suffix.TrimStart('v'),
            _ => suffix.Split('.')[0],
        };
        return string.Equals(number, release, StringComparison.OrdinalIgnoreCase) ? Affectedness.Affected : Affectedness.NotAffected;
    }
}
