using Clearwing.Packages;

namespace Clearwing.Tests.Packages;

/// <summary>purl ↔ OSV package mapping and per-ecosystem name normalization (docs/osv.md "Package URLs").</summary>
public sealed class OsvPackagesTests
{
    [Theory]
    [InlineData("pkg:npm/%40angular/core@12.0.0", "npm", "@angular/core")]
    [InlineData("pkg:npm/lodash@4.17.20", "npm", "lodash")]
    [InlineData("pkg:pypi/Django_Rest.Framework@3.0", "PyPI", "django-rest-framework")]
    [InlineData("pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1", "Maven", "org.apache.logging.log4j:log4j-core")]
    [InlineData("pkg:nuget/Newtonsoft.Json@12.0.1", "NuGet", "newtonsoft.json")]
    [InlineData("pkg:gem/rails@6.0.0", "RubyGems", "rails")]
    [InlineData("pkg:cargo/Tokio_Util@0.7.0", "crates.io", "tokio-util")]
    [InlineData("pkg:golang/github.com/gin-gonic/gin@v1.5.0", "Go", "github.com/gin-gonic/gin")]
    [InlineData("pkg:composer/symfony/http-kernel@5.0.0", "Packagist", "symfony/http-kernel")]
    [InlineData("pkg:pub/http@0.13.0", "Pub", "http")]
    [InlineData("pkg:hex/plug@1.0.0", "Hex", "plug")]
    [InlineData("pkg:hackage/aeson@1.0", "Hackage", "aeson")]
    [InlineData("pkg:cran/ggplot2@3.0", "CRAN", "ggplot2")]
    [InlineData("pkg:deb/debian/openssl@1.1.1?distro=bookworm", "Debian", "openssl")]
    [InlineData("pkg:apk/alpine/openssl@1.1.1-r0?distro=alpine-3.18.4", "Alpine", "openssl")]
    public void A_purl_maps_to_its_osv_ecosystem_and_normalized_name(string purl, string ecosystem, string name)
    {
        Assert.True(OsvPackages.TryMap(PackageUrl.Parse(purl), out var key, out _, out var error), error);

        Assert.Equal(new OsvPackageKey(ecosystem, name), key);
    }

    [Theory]
    [InlineData("PyPI", "Django", "django")]
    [InlineData("PyPI", "zope.interface", "zope-interface")]
    [InlineData("PyPI", "a__b-.c", "a-b-c")]
    [InlineData("PyPI", "_private", "-private")]
    [InlineData("npm", "JSONStream", "jsonstream")]
    [InlineData("Maven", "Org.Example:Lib", "Org.Example:Lib")]
    [InlineData("Go", "github.com/BurntSushi/toml", "github.com/BurntSushi/toml")]
    public void Names_are_normalized_as_the_ecosystem_compares_them(string ecosystem, string name, string normalized)
    {
        Assert.Equal(normalized, OsvPackages.NormalizeName(ecosystem, name));
    }

    [Fact]
    public void A_type_without_an_osv_ecosystem_says_so()
    {
        Assert.False(OsvPackages.TryMap(PackageUrl.Parse("pkg:rpm/fedora/curl@7.50.3"), out _, out _, out var error));
        Assert.Contains("no OSV ecosystem is known for purl type 'rpm'", error);
    }

    [Theory]
    [InlineData("Debian:12", "pkg:deb/debian/openssl@1?distro=debian-12", Affectedness.Affected)]
    [InlineData("Debian:12", "pkg:deb/debian/openssl@1?distro=bookworm", Affectedness.Affected)]
    [InlineData("Debian:11", "pkg:deb/debian/openssl@1?distro=bookworm", Affectedness.NotAffected)]
    [InlineData("Debian:12", "pkg:deb/debian/openssl@1", Affectedness.Unknown)]
    [InlineData("Debian", "pkg:deb/debian/openssl@1", Affectedness.Affected)]
    [InlineData("Ubuntu:22.04:LTS", "pkg:deb/ubuntu/openssl@1?distro=jammy", Affectedness.Affected)]
    [InlineData("Ubuntu:Pro:18.04:LTS", "pkg:deb/ubuntu/openssl@1?distro=ubuntu-18.04", Affectedness.Affected)]
    [InlineData("Ubuntu:22.04:LTS", "pkg:deb/ubuntu/openssl@1?distro=ubuntu-24.04", Affectedness.NotAffected)]
    [InlineData("Alpine:v3.18", "pkg:apk/alpine/openssl@1?distro=3.18.4", Affectedness.Affected)]
    [InlineData("Alpine:v3.17", "pkg:apk/alpine/openssl@1?distro=alpine-3.18", Affectedness.NotAffected)]
    public void A_release_suffix_applies_to_the_purls_distro(string ecosystem, string purl, Affectedness expected)
    {
        OsvPackages.TryMap(PackageUrl.Parse(purl), out _, out var release, out _);

        Assert.Equal(expected, OsvPackages.AppliesTo(ecosystem, release, out var reason));
        if (expected == Affectedness.Unknown) Assert.Contains("names no release", reason);
    }

    [Fact]
    public void The_index_finds_advisories_by_mapped_name_and_by_the_records_own_purl_and_skips_other_releases()
    {
        var index = OsvIndex.Build([
            new OsvAffected("PYSEC-1", new OsvAffectedRecord(new OsvPackage("PyPI", "Django", "pkg:pypi/django"),
                [new OsvRange(OsvRangeType.Ecosystem, null, [new(OsvEventKind.Introduced, "0"), new(OsvEventKind.Fixed, "3.2.1")])], [])),
            new OsvAffected("DSA-1", new OsvAffectedRecord(new OsvPackage("Debian:11", "openssl", null),
                [new OsvRange(OsvRangeType.Ecosystem, null, [new(OsvEventKind.Introduced, "0"), new(OsvEventKind.Fixed, "1.1.1n-0+deb11u1")])], [])),
            new OsvAffected("DSA-2", new OsvAffectedRecord(new OsvPackage("Debian:12", "openssl", null),
                [new OsvRange(OsvRangeType.Ecosystem, null, [new(OsvEventKind.Introduced, "0"), new(OsvEventKind.Fixed, "3.0.9-1")])], [])),
            new OsvAffected("X-1", new OsvAffectedRecord(new OsvPackage("GitHub Actions", "actions/checkout", "pkg:github/actions/checkout"),
                [], ["v2"])),
        ]);

        Assert.Equal(["PYSEC-1"], index.Query(PackageUrl.Parse("pkg:pypi/Django@3.2.0")).Advisories);
        Assert.Empty(index.Query(PackageUrl.Parse("pkg:pypi/django@3.2.1")).Advisories);
        Assert.Equal(["DSA-2"], index.Query(PackageUrl.Parse("pkg:deb/debian/openssl@3.0.8-1?distro=debian-12")).Advisories);
        var unknown = index.Query(PackageUrl.Parse("pkg:deb/debian/openssl@1.0.0-1"));
        Assert.Equal(["DSA-1", "DSA-2"], unknown.Unknown.Select(u => u.Advisory).ToList());
        Assert.Equal(["X-1"], index.Query(PackageUrl.Parse("pkg:github/actions/checkout@v2")).Advisories);
        var unmapped = index.Query(PackageUrl.Parse("pkg:rpm/fedora/curl@7.50.3"));
        Assert.Contains("purl type 'rpm'", Assert.Single(unmapped.Unknown).Reason);
        Assert.Contains("no version", Assert.Single(index.Query(PackageUrl.Parse("pkg:pypi/django")).Unknown).Reason);
    }
}
