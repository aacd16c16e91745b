using Clearwing.Packages;

namespace Clearwing.Tests.Packages;

public sealed class PackageUrlTests
{
    [Theory]
    [InlineData("npm/foo@1.0", "scheme", "npm/foo@1.0")]
    [InlineData("http://example.com/foo", "scheme", "http")]
    [InlineData("pkg:3nginx/nginx@0.8.9", "type", "3nginx")]
    [InlineData("pkg:nginx:a/nginx", "type", "nginx:a")]
    [InlineData("pkg:hackage", "name", null)]
    [InlineData("pkg:swift/github.com/Alamofire/@5.4.3", "name", null)]
    [InlineData("pkg:swift/Alamofire@5.4.3", "namespace", null)]
    [InlineData("pkg:otp/namespace/hex@2.1.1", "namespace", "namespace")]
    [InlineData("pkg:gem/jruby-launcher@1.1.2?Platform=java", "qualifiers", "Platform")]
    [InlineData("pkg:npm/a?in%20production=true", "qualifiers", "in%20production")]
    [InlineData("pkg:npm/a?x=1&x=2", "qualifiers", "x")]
    [InlineData("pkg:npm/a?flag", "qualifiers", "flag")]
    [InlineData("pkg:julia/Dates@1.9.0", "qualifiers", "uuid")]
    [InlineData("pkg:npm/a%zzb", "name", "a%zzb")]
    [InlineData("pkg:npm/a%C3", "name", "a%C3")]
    [InlineData("pkg:cpan/URI::PackageURL", "name", "URI::PackageURL")]
    [InlineData("pkg:chrome-extension/dogs", "name", "dogs")]
    [InlineData("pkg:npm/foo#a%2Fb", "subpath", "a%2Fb")]
    [InlineData("pkg:npm/caf\u00e9", "purl", "pkg:npm/caf\u00e9")]
    public void An_invalid_purl_is_rejected_with_the_component_and_value_at_fault(string text, string component, string? value)
    {
        var e = Assert.Throws<PurlFormatException>(() => PackageUrl.Parse(text));
        Assert.Equal(component, e.Component);
        Assert.Equal(value, e.Value);
        if (value is not null) Assert.Contains(value, e.Message);
        Assert.False(PackageUrl.TryParse(text, out var purl));
        Assert.Null(purl);
    }

    [Fact]
    public void A_qualifier_key_that_is_not_lowercase_is_named_with_its_lowercase_spelling()
    {
        var e = Assert.Throws<PurlFormatException>(() => PackageUrl.Parse("pkg:rpm/fedora/curl@7.50.3-1.fc25?Arch=i386"));
        Assert.Equal("qualifier key 'Arch' must be lowercase ASCII letters, digits, '.', '-' and '_', starting with a letter (write it 'arch')", e.Message);
    }

    [Fact]
    public void Parsing_normalizes_to_the_canonical_form()
    {
        var purl = PackageUrl.Parse("pkg://PYPI/Django_Package@1.11.1.DEV1?b=2&a=x%2Fy&empty=#/sub/./dir/../");

        Assert.Equal(("pypi", null, "django-package", "1.11.1.dev1", "sub/dir"), (purl.Type, purl.Namespace, purl.Name, purl.Version, purl.Subpath));
        Assert.Equal([new("a", "x/y"), new("b", "2")], purl.Qualifiers);
        Assert.Equal("pkg:pypi/django-package@1.11.1.dev1?a=x%2Fy&b=2#sub/dir", purl.ToString());
        Assert.Equal("x/y", purl.Qualifier("a"));
        Assert.Null(purl.Qualifier("empty"));
    }

    [Fact]
    public void Lenient_parsing_repairs_key_case_and_raw_characters_that_strict_parsing_rejects()
    {
        const string text = "pkg:generic/caf\u00e9 cr\u00e8me@1.0?Platform=java";
        Assert.Throws<PurlFormatException>(() => PackageUrl.Parse(text));

        var purl = PackageUrl.Parse(text, PurlParseMode.Lenient);

        Assert.Equal("caf\u00e9 cr\u00e8me", purl.Name);
        Assert.Equal("pkg:generic/caf%C3%A9%20cr%C3%A8me@1.0?platform=java", purl.ToString());
        Assert.Equal(purl, PackageUrl.Parse(purl.ToString()));
    }

    [Fact]
    public void Equal_purls_are_equal_whatever_their_spelling_and_the_key_drops_version_qualifiers_and_subpath()
    {
        var a = PackageUrl.Parse("pkg:npm/%40angular/core@12.3.1?b=1&a=2#x");
        var b = PackageUrl.Parse("pkg:NPM/@angular/core@12.3.1?a=2&b=1#/x/");
        var other = PackageUrl.Parse("pkg:npm/%40angular/core@12.3.2");

        Assert.Equal(a, b);
        Assert.True(a == b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, other);
        Assert.Equal("pkg:npm/%40angular/core", a.Key.Value);
        Assert.Equal(a.Key, other.Key);
        Assert.Equal(2, new HashSet<PackageUrl> { a, b, other }.Count);
    }

    [Fact]
    public void Building_applies_the_same_rules_as_parsing()
    {
        var purl = PackageUrl.Build("Maven", "/org.apache/", "commons io", "1.0 Final",
            [new("repository_url", "https://repo.example/maven"), new("classifier", null), new("type", "")], "a/../b");

        Assert.Equal("pkg:maven/org.apache/commons%20io@1.0%20Final?repository_url=https:%2F%2Frepo.example%2Fmaven#a/b", purl.ToString());
        Assert.Equal(purl, PackageUrl.Parse(purl.ToString()));
        Assert.Equal("qualifiers", Assert.Throws<PurlFormatException>(() => PackageUrl.Build("npm", null, "x", qualifiers: [new("in production", "true")])).Component);
        Assert.Equal("type", Assert.Throws<PurlFormatException>(() => PackageUrl.Build(null, null, "x")).Component);
        Assert.Equal("name", Assert.Throws<PurlFormatException>(() => PackageUrl.Build("npm", null, "/")).Component);
    }

    [Fact]
    public void Type_rules_from_the_definitions_and_their_prose_are_applied()
    {
        Assert.Equal("pkg:github/package-url/purl-spec", PackageUrl.Canonicalize("pkg:github/Package-URL/Purl-Spec"));
        Assert.Equal("pkg:huggingface/EleutherAI/gpt-neo@797174552ae4", PackageUrl.Canonicalize("pkg:huggingface/EleutherAI/gpt-neo@797174552AE4"));
        Assert.Equal("pkg:pub/flutter_web", PackageUrl.Canonicalize("pkg:pub/Flutter-Web"));
        Assert.Equal("pkg:cpan/DROLSKY/DateTime", PackageUrl.Canonicalize("pkg:cpan/drolsky/DateTime"));
        Assert.Equal("pkg:mlflow/creditfraud@3?repository_url=https:%2F%2Fadb-1.azuredatabricks.net",
            PackageUrl.Canonicalize("pkg:mlflow/CreditFraud@3?repository_url=https://adb-1.azuredatabricks.net"));
        Assert.Equal("pkg:mlflow/CreditFraud@3", PackageUrl.Canonicalize("pkg:mlflow/CreditFraud@3"));
        var git = PackageUrl.Parse("pkg:git/gitlab.gnome.org/GNOME/adwaita-fonts");
        Assert.Equal(("gitlab.gnome.org", "GNOME/adwaita-fonts"), (git.Namespace, git.Name));
        Assert.True(git.IsRegisteredType);
        Assert.False(PackageUrl.Parse("pkg:x-custom/a/b").IsRegisteredType);
    }

    [Fact]
    public void WithVersion_keeps_everything_but_the_version()
    {
        var purl = PackageUrl.Parse("pkg:deb/debian/curl@7.50.3-1?arch=i386#src");
        Assert.Equal("pkg:deb/debian/curl@8.0?arch=i386#src", purl.WithVersion("8.0").ToString());
        Assert.Equal("pkg:deb/debian/curl?arch=i386#src", purl.WithVersion(null).ToString());
    }
}
