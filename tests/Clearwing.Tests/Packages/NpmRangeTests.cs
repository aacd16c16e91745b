using System.Text.Json;
using Clearwing.Packages;

namespace Clearwing.Tests.Packages;

/// <summary>
/// npm ranges against node-semver's own fixtures (../shared/testdata/npm-semver/range-satisfies.json: range-include.js and
/// range-exclude.js with their loose and includePrerelease options), and their conversion to vers.
/// </summary>
public sealed class NpmRangeTests
{
    sealed record Case(string Range, string? Version, bool Loose, bool IncludePrerelease, bool Expected);

    static List<Case> Cases()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(TestData.PathTo("npm-semver", "range-satisfies.json")));
        return [.. doc.RootElement.GetProperty("cases").EnumerateArray().Select(c =>
        {
            var options = c.GetProperty("options");
            bool Option(string name) => options.TryGetProperty(name, out var o) && o.GetBoolean();
            var version = c.GetProperty("version");
            return new Case(c.GetProperty("range").GetString()!, version.ValueKind == JsonValueKind.String ? version.GetString() : null,
                Option("loose"), Option("includePrerelease"), c.GetProperty("expected").GetBoolean());
        })];
    }

    /// <summary>
    /// The fixture's range; node-semver reads every one of them (semver 7.8.6's validRange accepts all 189 with their
    /// options), so a range that does not parse here fails the test rather than counting as "not satisfied".
    /// </summary>
    static NpmRange Parse(Case c) =>
        NpmRange.TryParse(c.Range, c.Loose, c.IncludePrerelease, out var range, out var error)
            ? range!
            : throw new Xunit.Sdk.XunitException($"'{c.Range}' ({(c.Loose ? "loose" : "strict")}) does not parse: {error}");

    /// <summary>node-semver's satisfies(): a missing version (the fixture's null) satisfies nothing.</summary>
    static bool Satisfies(Case c) => c.Version is not null && Parse(c).Satisfies(c.Version);

    [Fact]
    public void Every_node_semver_range_fixture_gives_node_semvers_answer()
    {
        var cases = Cases();
        var failures = cases.Where(c => Satisfies(c) != c.Expected)
            .Select(c => $"'{c.Range}' {(c.Loose ? "loose " : "")}{(c.IncludePrerelease ? "includePrerelease " : "")}'{c.Version}': expected {c.Expected}")
            .ToList();
        Assert.Equal(1, cases.Count(c => c.Version is null));
        Assert.Equal(189, cases.Count);
        Assert.True(failures.Count == 0, $"{failures.Count} of {cases.Count} differ:\n{string.Join("\n", failures)}");
    }

    /// <summary>
    /// Where each comparator set is one interval (at most one lower and one upper bound, or one version) and the version is
    /// not a pre-release (the rule vers cannot carry), the vers holds exactly the versions node-semver does.
    /// </summary>
    [Fact]
    public void The_vers_of_a_range_of_intervals_holds_what_node_semver_does_for_releases()
    {
        var checkedCases = 0;
        var failures = new List<string>();
        foreach (var c in Cases())
        {
            if (c.Version is null) continue;
            var vers = Parse(c).ToVers();
            if (!IsUnionOfIntervals(vers) || IsPrerelease(c.Version)) continue;
            checkedCases++;
            var answer = vers.Contains(c.Version);
            if (answer.Symbol != (c.Expected ? "true" : "false")) failures.Add($"'{c.Range}' → {vers}: '{c.Version}' {answer}, node-semver {c.Expected}");
        }
        Assert.True(checkedCases > 100, $"only {checkedCases} cases checked");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    static bool IsPrerelease(string version) => version.Split('+')[0].Contains('-') || !VersionSchemes.SemVer.TryParse(version, out _);

    static bool IsUnionOfIntervals(VersRange vers) => vers.IsAny || vers.Problems().Count == 0;

    [Theory]
    [InlineData("^1.2.3", "vers:npm/>=1.2.3|<2.0.0")]
    [InlineData("~0.2.2 || >=0.3.2", "vers:npm/>=0.2.2|<0.3.0|>=0.3.2")]
    [InlineData("1.0.0 - 2.x", "vers:npm/>=1.0.0|<3.0.0")]
    [InlineData("<= 1.0", "vers:npm/<1.1.0")]
    [InlineData("*", "vers:npm/*")]
    [InlineData("", "vers:npm/*")]
    [InlineData("^0.0.3", "vers:npm/>=0.0.3|<0.0.4")]
    [InlineData("=1.2.3+build.5", "vers:npm/1.2.3")]
    public void Ranges_convert_to_the_vers_of_the_same_versions(string npm, string vers) =>
        Assert.Equal(vers, NativeRanges.ToVers("npm", npm).ToString());

    [Fact]
    public void A_range_node_semver_rejects_is_a_format_error_naming_the_comparator()
    {
        var e = Assert.Throws<VersFormatException>(() => NativeRanges.ToVers("npm", ">=1.2.3 <=banana"));
        Assert.Contains("banana", e.Message);
    }

    [Fact]
    public void A_prerelease_satisfies_only_a_set_with_a_prerelease_on_its_tuple()
    {
        Assert.True(NpmRange.TryParse(">=1.2.3-alpha <2.0.0", false, false, out var range, out _));
        Assert.True(range!.Satisfies("1.2.3-beta"));
        Assert.False(range.Satisfies("1.5.0-beta"));
        Assert.True(NpmRange.TryParse(">=1.2.3-alpha <2.0.0", false, includePrerelease: true, out var all, out _));
        Assert.True(all!.Satisfies("1.5.0-beta"));
    }
}
