using System.Text.Json;
using Clearwing.Packages;

namespace Clearwing.Tests.Packages;

/// <summary>
/// Every comparison of OSV's version-ordering fixtures (../shared/testdata/osv-version-ordering, from osv-scalibr's
/// semantic tests: "A op B" per line, '#' and '//' lines are comments) in both directions, for each ecosystem the file
/// stands for, and node-semver's comparison and equality fixtures for npm.
/// </summary>
public sealed class VersionOrderingTests
{
    /// <summary>Fixture file → the OSV ecosystems it holds for (SOURCES.md, osv-scalibr's compare_test.go).</summary>
    static readonly (string File, string[] Ecosystems)[] Files =
    [
        ("semver-versions.txt", ["npm", "crates.io", "Go", "Hex"]),
        ("pub-versions.txt", ["Pub"]),
        ("nuget-versions.txt", ["NuGet"]),
        ("pypi-versions.txt", ["PyPI"]),
        ("pypi-versions-generated.txt", ["PyPI"]),
        ("maven-versions.txt", ["Maven"]),
        ("maven-versions-generated.txt", ["Maven"]),
        ("rubygems-versions.txt", ["RubyGems"]),
        ("rubygems-versions-generated.txt", ["RubyGems"]),
        ("debian-versions.txt", ["Debian", "Ubuntu"]),
        ("debian-versions-generated.txt", ["Debian", "Ubuntu"]),
        ("alpine-versions.txt", ["Alpine", "Wolfi", "Chainguard"]),
        ("alpine-versions-generated.txt", ["Alpine", "Wolfi", "Chainguard"]),
        ("redhat-versions.txt", ["Red Hat", "AlmaLinux", "Rocky Linux", "openSUSE", "SUSE", "Mageia", "openEuler"]),
        ("packagist-versions.txt", ["Packagist"]),
        ("packagist-versions-generated.txt", ["Packagist"]),
        ("cran-versions.txt", ["CRAN"]),
        ("cran-versions-generated.txt", ["CRAN"]),
        ("hackage-versions.txt", ["Hackage"]),
    ];

    /// <summary>
    /// Lines not held to the fixture, each with the reason. A line here must still give the answer its reason names
    /// (an explicit unknown, or the tool's own order), so the list cannot hide a regression.
    /// </summary>
    internal static readonly Dictionary<(string File, string Line), Exclusion> Excluded = new()
    {
        // apk itself rejects one side (apk version --check: a "-r" without a number, an upper-case letter, an unknown
        // suffix, two letters); the fixture records what some apk release happened to answer. Unreadable is unknown here.
        [("alpine-versions.txt", "1-r-0 < 1-r0")] = new("unknown", ApkRejects),
        [("alpine-versions.txt", "1-r-1 < 1-r0")] = new("unknown", ApkRejects),
        [("alpine-versions.txt", "1.2.0A < 1.2.0d")] = new("unknown", ApkRejects),
        [("alpine-versions.txt", "1.2.0D < 1.2.0d")] = new("unknown", ApkRejects),
        [("alpine-versions.txt", "1-r2 > 1-r-1")] = new("unknown", ApkRejects),
        [("alpine-versions.txt", "1 > 1-ruff")] = new("unknown", ApkRejects),
        [("alpine-versions.txt", "1-r0-1 = 1-r-2")] = new("unknown", ApkRejects),
        [("alpine-versions.txt", "1-r0-1 = 1-r0-2")] = new("unknown", ApkRejects),
        [("alpine-versions.txt", "1-ruff2 = 1-ruff1")] = new("unknown", ApkRejects),
        [("alpine-versions.txt", "1-ruff2 = 1--ruff1")] = new("unknown", ApkRejects),
        [("alpine-versions.txt", "1-r0-ruff2 = 1-r0-ruff1")] = new("unknown", ApkRejects),
        [("alpine-versions.txt", "1.2 > 1.2_blah")] = new("unknown", ApkRejects),
        [("alpine-versions.txt", "1.2_svn1 > 1.2_csv2")] = new("unknown", ApkRejects),
        [("alpine-versions.txt", "1.2_cvs1 > 1.2_blah")] = new("unknown", ApkRejects),
        [("alpine-versions.txt", "23_foo > 4_beta")] = new("unknown", ApkRejects),
        [("alpine-versions.txt", "1.0 < 1.0bc")] = new("unknown", ApkRejects),
        // Both readable; apk 2 (Alpine 3.x, whose answers make up the 13,979 generated comparisons) orders them the other
        // way round: a '.' part ranks below a letter directly after the number. The fixture has a later apk's answer.
        [("alpine-versions.txt", "0.r1 < 0r2")] = new(">", Apk2Order),
        [("alpine-versions.txt", "0.8.21.r2 < 0.8.21r2")] = new(">", Apk2Order),
        // PHP's version_compare (the generator of the Packagist fixture) makes '#' a separator, so "1.2.3.#" is "1.2.3",
        // less than "1.2.3.1"; the line records osv-scalibr's own reading of '#' as a number.
        [("packagist-versions.txt", "1.2.3.# = 1.2.3.1")] = new("<", "PHP version_compare answers <"),
        // ComparableVersion 3.8.6 (the generator of the 14,752 Maven comparisons, all of which hold) drops the null "ga" and
        // keeps "-1" as a nested list, which ranks below the number of "1-1"; later Maven releases changed the nesting.
        [("maven-versions.txt", "1-1 = 1-ga-1")] = new(">", "maven-artifact 3.8.6 answers >"),
    };

    const string ApkRejects = "apk version --check rejects one side";
    const string Apk2Order = "apk 2.x answers >";

    internal sealed record Exclusion(string Expected, string Reason);

    public static TheoryData<string, string> Fixtures()
    {
        var data = new TheoryData<string, string>();
        foreach (var (file, ecosystems) in Files)
            foreach (var ecosystem in ecosystems) data.Add(file, ecosystem);
        return data;
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Every_comparison_in_the_fixture_holds_in_both_directions(string file, string ecosystem)
    {
        var scheme = VersionSchemes.ForEcosystem(ecosystem);
        Assert.NotNull(scheme);
        var comparisons = Comparisons(file).ToList();
        Assert.NotEmpty(comparisons);
        var failures = new List<string>();
        foreach (var (number, line, a, op, b) in comparisons)
        {
            var expected = Excluded.TryGetValue((file, line), out var exclusion) ? exclusion.Expected : op;
            var forward = scheme.Compare(a, b);
            var backward = scheme.Compare(b, a);
            if (forward.Symbol != expected || backward.Symbol != Reverse(expected))
            {
                var reason = forward.Reason ?? backward.Reason;
                failures.Add($"{file}:{number}: {line}  →  {a} {forward.Symbol} {b}, {b} {backward.Symbol} {a}{(reason is null ? "" : $" ({reason})")}");
            }
        }
        Assert.True(failures.Count == 0, $"{ecosystem}: {failures.Count} of {comparisons.Count} comparisons differ:\n{string.Join("\n", failures.Take(40))}");
    }

    [Fact]
    public void Every_exclusion_names_a_line_of_its_fixture()
    {
        foreach (var ((file, line), _) in Excluded)
            Assert.Contains(Comparisons(file), c => c.Line == line);
    }

    [Fact]
    public void The_fixtures_hold_the_published_number_of_comparisons()
    {
        var counts = Files.ToDictionary(f => f.File, f => Comparisons(f.File).Count());
        // SOURCES.md's counts of non-comment lines.
        Assert.Equal((778, 13_979), (counts["alpine-versions.txt"], counts["alpine-versions-generated.txt"]));
        Assert.Equal((21, 57), (counts["cran-versions.txt"], counts["cran-versions-generated.txt"]));
        Assert.Equal((30, 14_442), (counts["debian-versions.txt"], counts["debian-versions-generated.txt"]));
        Assert.Equal((102, 14_752), (counts["maven-versions.txt"], counts["maven-versions-generated.txt"]));
        Assert.Equal((95, 10_630), (counts["packagist-versions.txt"], counts["packagist-versions-generated.txt"]));
        Assert.Equal((37, 12_375), (counts["pypi-versions.txt"], counts["pypi-versions-generated.txt"]));
        Assert.Equal((25, 4_098), (counts["rubygems-versions.txt"], counts["rubygems-versions-generated.txt"]));
        Assert.Equal((11, 35, 100, 165, 86), (counts["hackage-versions.txt"], counts["nuget-versions.txt"], counts["pub-versions.txt"], counts["redhat-versions.txt"], counts["semver-versions.txt"]));
    }

    [Fact]
    public void Node_semver_comparisons_order_the_greater_version_first_under_npm()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(TestData.PathTo("npm-semver", "comparisons.json")));
        var failures = new List<string>();
        var cases = doc.RootElement.GetProperty("cases").EnumerateArray().ToList();
        foreach (var c in cases)
        {
            var (greater, lesser) = (c.GetProperty("greater").GetString()!, c.GetProperty("lesser").GetString()!);
            var (forward, backward) = (VersionSchemes.Compare("npm", greater, lesser), VersionSchemes.Compare("npm", lesser, greater));
            if (forward.Symbol != ">" || backward.Symbol != "<") failures.Add($"{greater} > {lesser}: got {forward}, reversed {backward}");
        }
        Assert.Equal(31, cases.Count);
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public void Node_semver_equalities_are_equal_under_npm()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(TestData.PathTo("npm-semver", "equality.json")));
        var failures = new List<string>();
        var cases = doc.RootElement.GetProperty("cases").EnumerateArray().ToList();
        foreach (var c in cases)
        {
            var (a, b) = (c.GetProperty("a").GetString()!, c.GetProperty("b").GetString()!);
            var (forward, backward) = (VersionSchemes.Compare("npm", a, b), VersionSchemes.Compare("npm", b, a));
            if (forward.Symbol != "=" || backward.Symbol != "=") failures.Add($"'{a}' = '{b}': got {forward}, reversed {backward}");
        }
        Assert.Equal(37, cases.Count);
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    static string Reverse(string op) => op switch { "<" => ">", ">" => "<", _ => op };

    /// <summary>The fixture's comparisons: line number, the line, and its three fields.</summary>
    internal static IEnumerable<(int Number, string Line, string A, string Op, string B)> Comparisons(string file)
    {
        var number = 0;
        foreach (var line in File.ReadLines(TestData.PathTo("osv-version-ordering", file)))
        {
            number++;
            if (line.Length == 0 || line.StartsWith('#') || line.StartsWith("//", StringComparison.Ordinal)) continue;
            var fields = line.Split(' ');
            if (fields.Length != 3 || fields[1] is not ("<" or "=" or ">"))
                throw new FormatException($"{file}:{number}: '{line}' is not 'A op B'");
            yield return (number, line, fields[0], fields[1], fields[2]);
        }
    }
}
