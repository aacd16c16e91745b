using System.Text.Json;
using Clearwing.Packages;

namespace Clearwing.Tests.Packages;

/// <summary>Which ordering an OSV ecosystem or a package-URL type gets, and what a caller sees for the rest.</summary>
public sealed class VersionSchemesTests
{
    [Theory]
    [InlineData("npm", "SemVer")]
    [InlineData("crates.io", "SemVer")]
    [InlineData("Go", "SemVer")]
    [InlineData("Hex", "SemVer")]
    [InlineData("Pub", "Pub")]
    [InlineData("PyPI", "PyPI")]
    [InlineData("Maven:https://maven.google.com", "Maven")]
    [InlineData("NuGet", "NuGet")]
    [InlineData("RubyGems", "RubyGems")]
    [InlineData("Debian:12", "Debian")]
    [InlineData("Ubuntu:22.04:LTS", "Debian")]
    [InlineData("Ubuntu:Pro:18.04:LTS", "Debian")]
    [InlineData("Alpine:v3.18", "Alpine")]
    [InlineData("Wolfi", "Alpine")]
    [InlineData("Chainguard", "Alpine")]
    [InlineData("Red Hat:rhel_aus:8.4::appstream", "RPM")]
    [InlineData("AlmaLinux:9", "RPM")]
    [InlineData("Rocky Linux:8", "RPM")]
    [InlineData("openSUSE:Tumbleweed", "RPM")]
    [InlineData("SUSE:Linux Enterprise Server 15 SP5", "RPM")]
    [InlineData("Mageia:9", "RPM")]
    [InlineData("openEuler:22.03-LTS-SP1", "RPM")]
    [InlineData("Packagist:https://packages.drupal.org/8", "Packagist")]
    [InlineData("Hackage", "Hackage")]
    [InlineData("CRAN", "CRAN")]
    public void An_osv_ecosystem_with_any_release_suffix_gets_its_ordering(string ecosystem, string scheme) =>
        Assert.Equal(scheme, VersionSchemes.ForEcosystem(ecosystem)?.Name);

    [Theory]
    [InlineData("GitHub Actions")]
    [InlineData("Linux")]
    [InlineData("OSS-Fuzz")]
    [InlineData("debian")]
    [InlineData("")]
    public void An_ecosystem_without_a_known_ordering_is_unknown_with_its_name_in_the_reason(string ecosystem)
    {
        Assert.Null(VersionSchemes.ForEcosystem(ecosystem));
        var order = VersionSchemes.Compare(ecosystem, "1.0.0", "2.0.0");
        Assert.Equal(VersionComparison.Unknown, order.Comparison);
        Assert.Contains($"'{ecosystem}'", order.Reason);
    }

    [Fact]
    public void Every_ecosystem_named_in_the_osv_schema_either_has_an_ordering_or_is_unknown_by_name()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(TestData.PathTo("osv-schema", "ecosystems.json")));
        var names = doc.RootElement.EnumerateObject().Select(p => p.Name).ToList();
        Assert.Equal(48, names.Count);
        var known = names.Where(n => VersionSchemes.ForEcosystem(n) is not null).ToList();
        // The ecosystems this ordering work covers, spelled exactly as the schema spells them.
        foreach (var expected in new[] { "npm", "crates.io", "Go", "Hex", "PyPI", "Maven", "NuGet", "RubyGems", "Debian", "Ubuntu", "Alpine",
                     "Wolfi", "Chainguard", "Red Hat", "AlmaLinux", "Rocky Linux", "openSUSE", "SUSE", "Mageia", "openEuler", "Packagist", "Pub", "Hackage", "CRAN" })
            Assert.Contains(expected, known);
    }

    [Theory]
    [InlineData("npm", null, "SemVer")]
    [InlineData("pypi", null, "PyPI")]
    [InlineData("maven", "org.apache", "Maven")]
    [InlineData("nuget", null, "NuGet")]
    [InlineData("gem", null, "RubyGems")]
    [InlineData("cargo", null, "SemVer")]
    [InlineData("golang", "github.com/x", "SemVer")]
    [InlineData("hex", null, "SemVer")]
    [InlineData("composer", "laravel", "Packagist")]
    [InlineData("pub", null, "Pub")]
    [InlineData("hackage", null, "Hackage")]
    [InlineData("cran", null, "CRAN")]
    [InlineData("deb", "debian", "Debian")]
    [InlineData("deb", "ubuntu", "Debian")]
    [InlineData("apk", "alpine", "Alpine")]
    [InlineData("rpm", "redhat", "RPM")]
    [InlineData("RPM", "opensuse", "RPM")]
    public void A_purl_type_gets_its_ordering(string type, string? @namespace, string scheme) =>
        Assert.Equal(scheme, VersionSchemes.ForPurlType(type, @namespace)?.Name);

    [Fact]
    public void An_unknown_purl_type_has_no_ordering() => Assert.Null(VersionSchemes.ForPurlType("github"));

    [Fact]
    public void Go_pseudo_versions_sit_between_the_releases_they_were_cut_from_and_incompatible_is_build_metadata()
    {
        string[] ordered =
        [
            "0.0.0-20191109021931-daa7c04131f5", // no earlier tag
            "1.2.3",
            "1.2.4-0.20210101000000-abcdefabcdef", // after v1.2.3, before v1.2.4
            "1.2.4-pre",
            "1.2.4-pre.0.20210101000000-abcdefabcdef", // after v1.2.4-pre
            "1.2.4",
            "2.0.0+incompatible",
            "2.0.1+incompatible",
        ];
        var go = VersionSchemes.ForEcosystem("Go")!;
        var parsed = ordered.Select(v => go.TryParse(v, out var p) ? p : throw new Xunit.Sdk.XunitException(v)).ToList();
        for (var i = 1; i < parsed.Count; i++) Assert.True(parsed[i - 1].CompareTo(parsed[i]) < 0, $"{ordered[i - 1]} < {ordered[i]}");
        Assert.Equal(VersionComparison.Equal, go.Compare("2.0.0+incompatible", "v2.0.0").Comparison);
    }

    [Fact]
    public void Every_ordering_reads_0_the_start_of_every_osv_range()
    {
        // datetime is a vers type for timestamps, never an OSV ecosystem's ordering.
        foreach (var scheme in VersionSchemes.All.Where(s => s != VersionSchemes.DateTime))
        {
            Assert.True(scheme.TryParse("0", out var zero, out var error), $"{scheme.Name}: {error}");
            Assert.True(scheme.TryParse("1", out var one, out error), $"{scheme.Name}: {error}");
            Assert.True(scheme.Compare(zero, one) < 0, scheme.Name);
        }
    }

    [Fact]
    public void Versions_parsed_by_different_schemes_do_not_compare()
    {
        Assert.True(VersionSchemes.PyPI.TryParse("1.0", out var pypi));
        Assert.True(VersionSchemes.SemVer.TryParse("1.0.0", out var semver));
        Assert.Throws<ArgumentException>(() => VersionSchemes.PyPI.Compare(pypi, semver));
    }

    [Theory]
    [InlineData("npm", "1.2.x")]
    [InlineData("NuGet", "1.2.3.4.5")]
    [InlineData("Debian", "a1.0")]
    [InlineData("Alpine", "1.0_foo")]
    [InlineData("Hackage", "1.0-tag")]
    [InlineData("CRAN", "1.0-a")]
    [InlineData("RubyGems", "1.0 beta")]
    [InlineData("PyPI", "")]
    [InlineData("Maven", "1.0 final")]
    [InlineData("Red Hat", "")]
    [InlineData("Packagist", "v")]
    public void An_unreadable_version_is_unknown_with_the_reason(string ecosystem, string version)
    {
        var order = VersionSchemes.Compare(ecosystem, version, "1.0");
        Assert.Equal(VersionComparison.Unknown, order.Comparison);
        Assert.StartsWith($"'{version}' is not a {VersionSchemes.ForEcosystem(ecosystem)!.Name} version: ", order.Reason);
    }
}
