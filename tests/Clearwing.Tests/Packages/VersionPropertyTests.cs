using System.Globalization;
using Clearwing.Packages;
using CsCheck;

namespace Clearwing.Tests.Packages;

/// <summary>
/// The laws every ordering keeps, on versions drawn from each ecosystem's grammar: a version equals itself, swapping
/// the arguments flips the answer, and the order is transitive. Random text never throws: it parses or is unknown.
/// </summary>
public sealed class VersionPropertyTests
{
    static readonly Gen<string> Number = Gen.OneOf(
        Gen.Int[0, 12].Select(i => i.ToString(CultureInfo.InvariantCulture)),
        Pick("0", "00", "01", "10", "20240101", "999999999999999999999999999991", "999999999999999999999999999999"));

    static Gen<string> Pick(params string[] items) => Gen.Int[0, items.Length - 1].Select(i => items[i]);

    static Gen<string> Join(Gen<string> part, string separator, int min, int max) =>
        part.Array[min, max].Select(parts => string.Join(separator, parts));

    static Gen<string> Optional(Gen<string> gen) => Gen.OneOf(Gen.Const(""), gen);

    static Gen<string> Concat(params Gen<string>[] parts) =>
        parts.Aggregate(Gen.Const(""), (acc, part) => Gen.Select(acc, part, (a, b) => a + b));

    static readonly Gen<string> Word = Pick("alpha", "beta", "rc", "pre", "dev", "a", "b", "c", "p", "pl", "sp", "ga", "final", "snapshot", "m", "x", "RC", "Beta");

    static readonly Gen<string> SemVerText = Concat(
        Pick("", "v"),
        Join(Number, ".", 1, 4),
        Optional(Join(Gen.OneOf(Number, Word, Pick("x-y", "20191109021931-daa7c04131f5")), ".", 1, 3).Select(p => "-" + p)),
        Optional(Join(Gen.OneOf(Number, Word, Gen.Const("incompatible")), ".", 1, 2).Select(p => "+" + p)));

    static readonly Gen<string> PyPIText = Gen.OneOf(
        Concat(
            Optional(Number.Select(n => n + "!")),
            Join(Number, ".", 1, 4),
            Optional(Concat(Pick("a", "b", "rc", "alpha", ".beta", "-c", "pre"), Optional(Number))),
            Optional(Concat(Pick(".post", "-", "post", "r", ".rev"), Number)),
            Optional(Concat(Pick(".dev", "dev"), Optional(Number))),
            Optional(Join(Gen.OneOf(Number, Pick("local", "ubuntu", "a1")), ".", 1, 3).Select(l => "+" + l))),
        // LegacyVersions: what PEP 440 rejects.
        Join(Gen.OneOf(Number, Word, Pick("trunk", "bulbasaur", "2019-01-01T00:00")), "-", 1, 3));

    // Release numbers, then a qualifier with an optional number, as Maven Central's versions are written. Not every
    // string, because ComparableVersion (kept as maven-artifact 3.8.6 has it, docs/versions.md) is intransitive in two
    // places: null items (0, ga, final) before a sub-list are dropped (0 > 0.alpha, yet 0 < 0-9 < 0.alpha), and a
    // qualifier after '.' is a plain item that loses to any sub-list (10.sp2 < 10beta-1 < 10 < 10.sp2). So the first
    // number is not 0, a non-null qualifier follows '-' or the number directly, and a null qualifier after '.' ends the
    // version: followed by a number it is a plain item too (12.GA.4 < 12alpha-5 < 12 < 12.GA.4, as Maven answers).
    static readonly Gen<string> MavenText = Concat(
        Gen.Int[1, 12].Select(i => i.ToString(CultureInfo.InvariantCulture)),
        Number.Select(n => "." + n).Array[0, 3].Select(p => string.Concat(p)),
        Gen.OneOf(
            Concat(Optional(Gen.OneOf(
                    Concat(Pick("-", ""), Pick("alpha", "beta", "milestone", "rc", "cr", "SNAPSHOT", "sp", "jre", "android")),
                    // RELEASE is not one of Maven's null qualifiers, so after '.' it is a plain item: 2.RELEASE.12 < 2SNAPSHOT1 < 2 < 2.RELEASE.12.
                    Pick("-ga"))),
                Optional(Concat(Pick("-", ".", ""), Gen.Int[1, 12].Select(i => i.ToString(CultureInfo.InvariantCulture))))),
            Pick(".Final", ".GA")));

    static readonly Gen<string> NuGetText = Concat(
        Join(Number, ".", 1, 4),
        Optional(Join(Gen.OneOf(Number, Word), ".", 1, 3).Select(p => "-" + p)),
        Optional(Pick("+build", "+AA.1")));

    static readonly Gen<string> RubyGemsText = Concat(
        Number,
        Gen.OneOf(Number, Word, Gen.Select(Word, Number, (w, n) => w + n)).Select(p => "." + p).Array[0, 4].Select(p => string.Concat(p)),
        Optional(Join(Gen.OneOf(Number, Word), ".", 1, 2).Select(p => "-" + p)));

    static readonly Gen<string> DebianText = Concat(
        Optional(Number.Select(n => n + ":")),
        Number,
        Gen.OneOf(Number, Pick("a", "b", "z", "dfsg", "git", "deb9u")).Select(p => p).Array[0, 4]
            .SelectMany(ps => Pick(".", "+", "~", "").Array[ps.Length].Select(seps => string.Concat(ps.Select((p, i) => seps[i] + p)))),
        Optional(Concat(Gen.Const("-"), Number, Optional(Pick("ubuntu1", "+deb10u1", "~bpo1", ".1")))));

    static readonly Gen<string> AlpineText = Concat(
        Join(Number, ".", 1, 4),
        Optional(Gen.Char['a', 'z'].Select(c => c.ToString())),
        Gen.Select(Pick("_alpha", "_beta", "_pre", "_rc", "_cvs", "_svn", "_git", "_hg", "_p"), Optional(Number), (s, n) => s + n).Array[0, 2].Select(p => string.Concat(p)),
        Optional(Number.Select(n => "-r" + n)));

    static readonly Gen<string> RpmText = Gen.String[Gen.Char["0123456789abz.~^_+-:"], 1, 14];

    static readonly Gen<string> PackagistText = Concat(
        Pick("", "v"),
        Join(Number, ".", 1, 4),
        Gen.Select(Pick(".", "-", "", "_", "+"), Gen.OneOf(Number, Word), (s, p) => s + p).Array[0, 3].Select(p => string.Concat(p)));

    static readonly Gen<string> HackageText = Join(Number, ".", 1, 5);
    static readonly Gen<string> CranText = Concat(Number, Gen.Select(Pick(".", "-"), Number, (s, n) => s + n).Array[1, 4].Select(p => string.Concat(p)));

    // Always with a release: pacman ignores the release when one side has none, so 1.5 = 1.5-1 and 1.5 = 1.5-2 while
    // 1.5-1 < 1.5-2 (equality is not transitive across the two forms; docs/versions.md).
    static readonly Gen<string> AlpmText = Concat(
        Optional(Number.Select(n => n + ":")),
        Join(Gen.OneOf(Number, Pick("a", "b", "alpha", "rc", "1a", "2b")), ".", 1, 4),
        Number.Select(n => "-" + n));

    // Items that start with a letter, not with a digit: Conan compares a number with a non-number as strings, which
    // cycles when the non-number starts with a digit (10 < 1a < 7 < 10, as Conan itself answers; docs/versions.md).
    static readonly Gen<string> ConanText = Concat(
        Join(Gen.OneOf(Number, Pick("a", "b", "cci", "x*")), ".", 1, 4),
        Optional(Join(Gen.OneOf(Number, Word), ".", 1, 2).Select(p => "-" + p)),
        Optional(Join(Gen.OneOf(Number, Pick("b", "build")), ".", 1, 2).Select(p => "+" + p)));

    static readonly Gen<string> DateTimeText = Gen.Select(Gen.Int[0, 100_000_000], Pick("Z", "+02:00", "-05:00", ".5Z", ".123+01:00"),
        (seconds, zone) => new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddSeconds(seconds).ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture) + zone);

    static readonly Gen<string> GentooText = Concat(
        Join(Number, ".", 1, 4),
        Optional(Gen.Char['a', 'z'].Select(c => c.ToString())),
        Gen.Select(Pick("_alpha", "_beta", "_pre", "_rc", "_p"), Optional(Number), (x, n) => x + n).Array[0, 2].Select(p => string.Concat(p)),
        Optional(Number.Select(n => "-r" + n)));

    static readonly Gen<string> LexicographicText = Gen.String[Gen.Char["aAzZ09.-\u00e9\u00df\u20ac"], 1, 8];

    static readonly Gen<string> OpenSslText = Concat(Join(Number, ".", 1, 3), Pick("", "a", "k", "z", "za", "zh"));

    public static TheoryData<string> Schemes => [.. VersionSchemes.All.Select(s => s.Name)];

    static (VersionScheme Scheme, Gen<string> Versions) For(string name) => name switch
    {
        "SemVer" => (VersionSchemes.SemVer, SemVerText),
        "Pub" => (VersionSchemes.Pub, SemVerText),
        "PyPI" => (VersionSchemes.PyPI, PyPIText),
        "Maven" => (VersionSchemes.Maven, MavenText),
        "NuGet" => (VersionSchemes.NuGet, NuGetText),
        "RubyGems" => (VersionSchemes.RubyGems, RubyGemsText),
        "Debian" => (VersionSchemes.Debian, DebianText),
        "Alpine" => (VersionSchemes.Alpine, AlpineText),
        "RPM" => (VersionSchemes.Rpm, RpmText),
        "Packagist" => (VersionSchemes.Packagist, PackagistText),
        "Hackage" => (VersionSchemes.Hackage, HackageText),
        "CRAN" => (VersionSchemes.Cran, CranText),
        "alpm" => (VersionSchemes.Alpm, AlpmText),
        "Conan" => (VersionSchemes.Conan, ConanText),
        "datetime" => (VersionSchemes.DateTime, DateTimeText),
        "Gentoo" => (VersionSchemes.Gentoo, GentooText),
        "lexicographic" => (VersionSchemes.Lexicographic, LexicographicText),
        "OpenSSL" => (VersionSchemes.OpenSsl, OpenSslText),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "no generator for this scheme"),
    };

    static ParsedVersion Parse(VersionScheme scheme, string text) =>
        scheme.TryParse(text, out var v, out var error) ? v : throw new Xunit.Sdk.XunitException($"{scheme.Name} rejects generated '{text}': {error}");

    [Theory, MemberData(nameof(Schemes))]
    public void Every_generated_version_parses_and_equals_itself(string name)
    {
        var (scheme, versions) = For(name);
        versions.Sample(text =>
        {
            var v = Parse(scheme, text);
            Assert.Equal(0, scheme.Compare(v, Parse(scheme, text)));
        }, iter: 10_000);
    }

    [Theory, MemberData(nameof(Schemes))]
    public void Swapping_two_versions_flips_the_answer(string name)
    {
        var (scheme, versions) = For(name);
        Gen.Select(versions, versions).Sample((a, b) =>
        {
            var (x, y) = (Parse(scheme, a), Parse(scheme, b));
            Assert.InRange(scheme.Compare(x, y), -1, 1);
            Assert.True(scheme.Compare(x, y) == -scheme.Compare(y, x), $"{a} vs {b}: {scheme.Compare(x, y)}, reversed {scheme.Compare(y, x)}");
        }, iter: 20_000);
    }

    [Theory, MemberData(nameof(Schemes))]
    public void The_order_is_transitive(string name)
    {
        var (scheme, versions) = For(name);
        Gen.Select(versions, versions, versions).Sample((a, b, c) =>
        {
            // Sorting by the scheme puts any three versions in an order each pair must agree with.
            var sorted = new[] { a, b, c }.Select(t => Parse(scheme, t)).ToList();
            sorted.Sort(scheme.Compare);
            Assert.True(scheme.Compare(sorted[0], sorted[1]) <= 0 && scheme.Compare(sorted[1], sorted[2]) <= 0 && scheme.Compare(sorted[0], sorted[2]) <= 0,
                $"not transitive: {string.Join(" <= ", sorted.Select(v => v.Text))}");
            if (scheme.Compare(sorted[0], sorted[1]) == 0 && scheme.Compare(sorted[1], sorted[2]) == 0)
                Assert.Equal(0, scheme.Compare(sorted[0], sorted[2]));
            if (scheme.Compare(sorted[0], sorted[1]) < 0 || scheme.Compare(sorted[1], sorted[2]) < 0)
                Assert.True(scheme.Compare(sorted[0], sorted[2]) < 0, $"not transitive: {string.Join(" <= ", sorted.Select(v => v.Text))}");
        }, iter: 20_000);
    }

    [Theory, MemberData(nameof(Schemes))]
    public void Random_text_parses_or_is_unknown_and_never_throws(string name)
    {
        var (scheme, versions) = For(name);
        var noise = Gen.String[Gen.Char["0123456789.-_+~^:!vVrRaAbBcpez# \t\u00e9"], 0, 20];
        // Valid versions with one character changed or dropped reach the deeper parts of each parser.
        var mutated = Gen.Select(versions, Gen.Int[0, 100], Gen.Char[".-_+~^:!# a0\u03b1"], (v, at, c) =>
            v.Length == 0 ? c.ToString() : (at % 2 == 0 ? v.Remove(at % v.Length, 1) : v.Insert(at % v.Length, c.ToString())));
        foreach (var gen in new[] { Gen.String, noise, mutated })
            Gen.Select(gen, versions).Sample((text, valid) =>
            {
                var order = scheme.Compare(text, valid);
                if (scheme.TryParse(text, out var v, out var error))
                    Assert.True(order.IsKnown && order.Symbol == VersionOrder.FromSign(scheme.Compare(v, Parse(scheme, valid))).Symbol);
                else
                {
                    Assert.False(string.IsNullOrEmpty(error));
                    Assert.Equal(VersionComparison.Unknown, order.Comparison);
                    Assert.Contains(error, order.Reason);
                }
            }, iter: 10_000);
    }
}
