using Clearwing.Packages;

namespace Clearwing.Tests.Packages;

public sealed class VersRangeTests
{
    [Theory]
    [InlineData("vers:npm/>=1.0.0|<2.0.0", "1.5.0", "true")]
    [InlineData("vers:npm/>=1.0.0|<2.0.0", "2.0.0", "false")]
    [InlineData("vers:npm/1.2.3|>=2.0.0|<5.0.0", "1.2.3", "true")]
    [InlineData("vers:npm/1.2.3|>=2.0.0|<5.0.0", "1.2.4", "false")]
    [InlineData("vers:gem/>=2.2.0|!=2.2.1|<2.3.0", "2.2.1", "false")]
    [InlineData("vers:gem/>=2.2.0|!=2.2.1|<2.3.0", "2.2.2", "true")]
    [InlineData("vers:pypi/!=1.0", "1.1", "true")]
    [InlineData("vers:pypi/<1.0|>=2.0", "1.5", "false")]
    [InlineData("vers:pypi/<1.0|>=2.0", "2.0.0", "true")]
    [InlineData("vers:deb/>=1:2.0-1|<1:2.0-3", "1:2.0-2~deb12u1", "true")]
    [InlineData("vers:deb/*", "anything at all", "true")]
    public void Contains_answers_per_the_types_ordering(string vers, string version, string expected) =>
        Assert.Equal(expected, VersRange.Parse(vers).Contains(version).Symbol);

    [Fact]
    public void An_unreadable_version_is_unknown_with_the_reason()
    {
        var answer = VersRange.Parse("vers:npm/>=1.0.0").Contains("1.2.x");
        Assert.Equal(Membership.Unknown, answer.Membership);
        Assert.Contains("'1.2.x' is not a SemVer version", answer.Reason);
    }

    [Fact]
    public void A_type_without_an_ordering_is_unknown_except_for_star()
    {
        var answer = VersRange.Parse("vers:test/1.0").Contains("1.0");
        Assert.Equal(Membership.Unknown, answer.Membership);
        Assert.Contains("no version ordering is known for the vers type 'test'", answer.Reason);
        Assert.Equal(Membership.Inside, VersRange.Parse("vers:test/*").Contains("1.0").Membership);
    }

    [Theory]
    [InlineData("npm/1.0.0", "scheme")]
    [InlineData("vers:npm", "type")]
    [InlineData("vers:1npm/1.0", "type")]
    [InlineData("vers:invalid/1.0", "type")]
    [InlineData("vers:npm/", "constraints")]
    [InlineData("vers:npm/*|1.0.0", "constraint")]
    [InlineData("vers:npm/=1.0.0", "constraint")]
    [InlineData("vers:npm/>=", "constraint")]
    [InlineData("vers:npm/>>1.0", "version")]
    [InlineData("vers:npm/1.0%2", "version")]
    [InlineData("vers:npm/2.0.0|1.0.0", "constraints")]
    [InlineData("vers:npm/>=2.0.0|<2.0.0", "constraints")]
    [InlineData("vers:npm/1.0.0|2.x", "version")]
    public void Invalid_vers_names_the_offending_part(string vers, string part) =>
        Assert.Equal(part, Assert.Throws<VersFormatException>(() => VersRange.Parse(vers)).Part);

    [Theory]
    [InlineData("vers:npm/2.0.0|1.0.0|<0.5.0", "vers:npm/<0.5.0|1.0.0|2.0.0")]
    [InlineData("VERS:NPM/>=1.0.0", "vers:npm/>=1.0.0")]
    [InlineData("vers:npm/1.0%7c0", "vers:npm/1.0%7C0")]
    [InlineData("vers:npm/>=2.0.0|<2.0.0", "vers:npm/<2.0.0|>=2.0.0")]
    [InlineData("vers:pypi/1.0|1.0.0", "vers:pypi/1.0|1.0.0")]
    public void Normalize_sorts_and_canonicalizes(string vers, string canonical)
    {
        Assert.Equal(canonical, VersRange.Normalize(vers).ToString());
        Assert.Equal(canonical, VersRange.Parse(canonical).ToString());
    }

    [Fact]
    public void Problems_name_the_validity_rules_a_range_breaks()
    {
        Assert.Empty(VersRange.Parse("vers:npm/<1.0.0|1.5.0|>=2.0.0|!=2.5.0|<3.0.0").Problems());
        Assert.Contains("version '1.0.0' occurs more than once", VersRange.Parse("vers:pypi/1.0|>=1.0.0").Problems());
        Assert.Contains(VersRange.Parse("vers:npm/>=1.0.0|>=2.0.0").Problems(), p => p.Contains("must alternate", StringComparison.Ordinal));
    }

    [Fact]
    public void The_matcher_tests_parsed_versions_of_its_scheme()
    {
        var matcher = VersRange.Parse("vers:maven/>=1.0|<2.0-beta|>=2.0|<2.5").Matcher!;
        Assert.Same(VersionSchemes.Maven, matcher.Scheme);
        Assert.True(matcher.Scheme.TryParse("1.9.9", out var inside));
        Assert.True(matcher.Scheme.TryParse("2.0-beta", out var excluded));
        Assert.True(matcher.Contains(inside));
        Assert.False(matcher.Contains(excluded));
        Assert.True(VersionSchemes.SemVer.TryParse("1.9.9", out var other));
        Assert.Throws<ArgumentException>(() => matcher.Contains(other));
    }

    [Fact]
    public void A_range_with_a_version_its_type_cannot_read_has_no_matcher_and_answers_unknown()
    {
        var range = VersRange.Parse("vers:npm/1.0%252F0");
        Assert.Equal("1.0%2F0", range.Constraints[0].Version);
        Assert.Null(range.Matcher);
        Assert.Contains("'1.0%2F0' is not a SemVer version", range.MatcherError);
        Assert.Equal(Membership.Unknown, range.Contains("1.0.0").Membership);
    }

    [Theory]
    [InlineData("pypi", ">=1.0,<2.0,!=1.5", "vers:pypi/>=1.0|!=1.5|<2.0")]
    [InlineData("pypi", "~=1.4.5", "vers:pypi/>=1.4.5|<1.5.dev0")]
    [InlineData("pypi", "==1.4.*", "vers:pypi/>=1.4.dev0|<1.5.dev0")]
    [InlineData("gem", "~> 2.0, >= 2.0.3", "vers:gem/>=2.0|>=2.0.3|<3")]
    [InlineData("nuget", "1.0", "vers:nuget/>=1.0")]
    [InlineData("nuget", "(,1.0]", "vers:nuget/<=1.0")]
    [InlineData("nuget", "[1.2]", "vers:nuget/1.2")]
    [InlineData("maven", "[1.0,2.0),[3.0,)", "vers:maven/>=1.0|<2.0|>=3.0")]
    [InlineData("conan", "[>=1.0 <2.0]", "vers:conan/>=1.0|<2.0")]
    [InlineData("conan", "=>1.0", null)]
    [InlineData("nginx", "0.7.52-0.8.39, 0.8.40+", "vers:nginx/>=0.7.52|<=0.8.39|>=0.8.40|<0.9.0")]
    [InlineData("openssl", "1.1.1w, 1.0.2zh", "vers:openssl/1.0.2zh|1.1.1w")]
    public void Native_ranges_convert_to_vers(string scheme, string native, string? vers)
    {
        if (vers is null) Assert.Throws<VersFormatException>(() => NativeRanges.ToVers(scheme, native));
        else Assert.Equal(vers, NativeRanges.ToVers(scheme, native).ToString());
    }

    [Theory]
    [InlineData("gem", "~> 1a")]
    [InlineData("gem", "~> 1.0, banana")]
    [InlineData("conan", "~")]
    [InlineData("conan", "^a.b")]
    [InlineData("conan", ">=1.0 <2.0 !x")]
    [InlineData("nuget", "[1.0")]
    [InlineData("nuget", "[1.0,2.0,3.0]")]
    [InlineData("maven", "(1.0)")]
    [InlineData("nginx", "1.x+")]
    [InlineData("pypi", "~=1")]
    [InlineData("pypi", ">=1.0,!=1.*")]
    [InlineData("openssl", ", ,")]
    [InlineData("npm", ">=1.0.0 <=banana")]
    public void A_native_range_outside_its_notation_is_a_format_error(string scheme, string native) =>
        Assert.Throws<VersFormatException>(() => NativeRanges.ToVers(scheme, native));

    [Fact]
    public void A_scheme_without_a_native_notation_is_a_format_error() =>
        Assert.Equal("type", Assert.Throws<VersFormatException>(() => NativeRanges.ToVers("deb", ">= 1.0")).Part);
}
