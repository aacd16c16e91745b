using Clearwing.Findings;
using CsCheck;

namespace Clearwing.Tests;

public sealed class FingerprintTests
{
    [Fact]
    public void The_key_of_a_computed_fingerprint_is_its_first_128_bits()
    {
        var (text, _) = Fingerprinter.Compute("R1", "src/a.c", null, "call(x);", "message");

        var fingerprint = Fingerprint.Of(text);

        Assert.Equal(text, fingerprint.Text);
        Assert.Equal(UInt128.Parse(text[..32], System.Globalization.NumberStyles.AllowHexSpecifier), fingerprint.Key);
    }

    [Fact]
    public void Text_of_another_form_is_keyed_by_its_hash()
    {
        var a = Fingerprint.Of("not-hex");
        var b = Fingerprint.Of("not-hex!");

        Assert.NotEqual(a.Key, b.Key);
        Assert.Equal(a.Key, Fingerprint.Of("not-hex").Key);
    }

    [Fact]
    public void Fingerprints_are_equal_when_their_texts_are()
    {
        Assert.Equal(Fingerprint.Of(new string('a', 64)), Fingerprint.Of(new string('a', 64)));
        Assert.NotEqual(Fingerprint.Of(new string('a', 64)), Fingerprint.Of(new string('a', 63) + "b"));
        Assert.Equal(new string('a', 64), Fingerprint.Of(new string('a', 64)).ToString());
    }

    [Fact]
    public void A_stored_fingerprint_read_as_UTF_8_has_the_key_of_its_text()
    {
        // Imports load a project's fingerprints as bytes: any text must key as it did when it was stored.
        Gen.OneOf(
                Gen.Char["0123456789abcdefABCDEF"].Array[32, 80].Select(c => new string(c)),
                Gen.String[1, 80],
                Gen.Char["0123456789abcdef"].Array[32].Select(Gen.String[0, 20], (c, tail) => new string(c) + tail))
            .Sample(text => Assert.Equal(Fingerprint.Of(text).Key, Fingerprint.KeyOf(System.Text.Encoding.UTF8.GetBytes(text))), iter: 10_000);
    }

    [Fact]
    public void There_is_no_empty_fingerprint()
    {
        Assert.Throws<ArgumentException>(() => Fingerprint.Of(""));
        Assert.Throws<ArgumentNullException>(() => Fingerprint.Of(null!));
    }
}
