using Clearwing.Packages;
using CsCheck;

namespace Clearwing.Tests.Packages;

public sealed class PurlPropertyTests
{
    static Gen<T> Pick<T>(params T[] items) => Gen.Int[0, items.Length - 1].Select(i => items[i]);

    // Letters of both cases, digits, every separator, characters that must be encoded, and non-ASCII (2-, 3- and 4-byte UTF-8).
    static readonly Gen<char> Tricky = Gen.Char["aZz09.-_~:/@?#&=%+ ,!'()*;$\\\"<>^`{|}é中"];
    static readonly Gen<string> Text = Gen.OneOf(
        Gen.String[Gen.Char.AlphaNumeric, 1, 12],
        Gen.String[Tricky, 1, 12],
        Gen.String[Tricky, 0, 12].Select(s => s + "😀"));

    static readonly string[] Registered = [.. PurlTypes.All.Keys];
    static readonly Gen<string> Types = Gen.OneOf(Pick(Registered), Pick("Generic", "NPM", "x-custom", "a.b-c", "unregistered9"));

    static readonly Gen<KeyValuePair<string, string?>[]> Qualifiers = Gen.Select(
            Pick("arch", "distro", "repository_url", "checksum", "tag_id", "uuid", "a.b-c_d", "platform", "type", "x1"),
            Gen.OneOf(Text, Gen.Const(""))
                .Select(v => (string?)v))
        .Select((k, v) => new KeyValuePair<string, string?>(k, v))
        .Array[0, 4]
        .Select(pairs => pairs.DistinctBy(p => p.Key).ToArray());

    /// <summary>Components as a caller would hand them to Build: many are rejected by type rules, the rest are valid purls.</summary>
    static readonly Gen<PackageUrl?> Built = Gen.Select(
        Types,
        Gen.OneOf(Gen.Const((string?)null), Text.Select(t => (string?)t), Gen.Select(Text, Text, (a, b) => (string?)$"{a}/{b}")),
        Text,
        Gen.OneOf(Gen.Const((string?)null), Text.Select(t => (string?)t)),
        Qualifiers,
        Gen.OneOf(Gen.Const((string?)null), Gen.Select(Text, Text, (a, b) => (string?)$"/{a}/./{b}/")),
        (type, ns, name, version, qualifiers, subpath) =>
        {
            try
            {
                return PackageUrl.Build(type, ns, name, version, qualifiers, subpath);
            }
            catch (PurlFormatException)
            {
                return null;
            }
        });

    [Fact]
    public void The_canonical_form_parses_back_to_an_equal_purl_with_the_same_components()
    {
        var valid = 0;
        Built.Sample(purl =>
        {
            if (purl is null) return;
            valid++;
            var canonical = purl.ToString();
            var again = PackageUrl.Parse(canonical);
            Assert.Equal(purl, again);
            Assert.Equal(purl.GetHashCode(), again.GetHashCode());
            Assert.Equal((purl.Type, purl.Namespace, purl.Name, purl.Version, purl.Subpath), (again.Type, again.Namespace, again.Name, again.Version, again.Subpath));
            Assert.Equal(purl.Qualifiers, again.Qualifiers);
            Assert.Equal(canonical, again.ToString());
            Assert.StartsWith(purl.Key.Value, canonical, StringComparison.Ordinal);
        }, iter: 20_000);
        // The generator must reach valid purls often enough for the property to mean something.
        Assert.True(valid > 5_000, $"only {valid} of 20000 generated purls were valid");
    }

    [Fact]
    public void The_canonical_form_is_ascii_from_the_permitted_characters_only()
    {
        Built.Sample(purl =>
        {
            if (purl is null) return;
            Assert.All(purl.ToString(), c => Assert.Contains(c, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.-_~%:/@?=&#"));
        }, iter: 10_000);
    }

    [Fact]
    public void Canonicalizing_is_idempotent_for_anything_that_parses_in_either_mode()
    {
        var noise = Gen.String[Tricky, 0, 40];
        var prefixed = Gen.Select(Pick("pkg:", "PKG://", "pkg:/npm/", "pkg:maven/", "pkg:git/", "pkg:pypi/", "pkg:cpan/", "pkg:mlflow/", "pkg:generic/a/"), noise, (p, s) => p + s);
        foreach (var mode in new[] { PurlParseMode.Strict, PurlParseMode.Lenient })
            prefixed.Sample(s =>
            {
                if (!PackageUrl.TryParse(s, mode, out var purl, out _)) return;
                var canonical = purl.ToString();
                var again = PackageUrl.Parse(canonical, PurlParseMode.Strict);
                Assert.Equal(purl, again);
                Assert.Equal(canonical, again.ToString());
            }, iter: 20_000);
    }

    [Fact]
    public void Random_strings_are_either_purls_or_rejected_with_the_parsers_own_exception()
    {
        var noise = Gen.String[Tricky, 0, 60];
        var prefixed = Gen.Select(Pick("", "pkg:", "pkg:npm/", "pkg:maven/g/", "pkg:julia/", "pkg:chrome-extension/", "pkg:git/h/"), noise, (p, s) => p + s);
        // Valid purls with one character changed, dropped or doubled reach the deeper parts of the parser.
        var mutated = Gen.Select(Built.Where(p => p is not null), Gen.Int[0, 500], Gen.Int[0, 2], Tricky, (p, at, op, c) =>
        {
            var v = p!.ToString();
            var i = at % v.Length;
            return op switch { 0 => v.Remove(i, 1).Insert(i, c.ToString()), 1 => v.Remove(i, 1), _ => v.Insert(i, c.ToString()) };
        });
        foreach (var mode in new[] { PurlParseMode.Strict, PurlParseMode.Lenient })
            foreach (var gen in new[] { Gen.String, prefixed, mutated })
                gen.Sample(s =>
                {
                    try
                    {
                        PackageUrl.Parse(s, mode);
                    }
                    catch (PurlFormatException e)
                    {
                        Assert.False(string.IsNullOrEmpty(e.Component));
                    }
                }, iter: 20_000);
    }
}
