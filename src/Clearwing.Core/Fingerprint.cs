using System.Globalization;
using System.IO.Hashing;
using System.Text;

namespace Clearwing;

/// <summary>
/// A finding's identity across runs (docs/fingerprints.md): its text, which the fingerprinter makes the lowercase hex
/// SHA-256 of what identifies the finding, and its <see cref="Key"/>, the 128 bits an import compares. Two fingerprints
/// are equal when their texts are.
/// </summary>
internal readonly record struct Fingerprint
{
    Fingerprint(string text, UInt128 key) => (Text, Key) = (text, key);

    /// <summary>The fingerprint as stored and shown.</summary>
    public string Text { get; }

    /// <summary>
    /// The first 128 bits of the hash (its first 32 hex digits): as unique as the whole for matching, at a quarter of the
    /// memory, so an import can hold a project's fingerprints by key. Text of another form is hashed to 128 bits.
    /// </summary>
    public UInt128 Key { get; }

    /// <summary>The fingerprint with text <paramref name="text"/>; any non-empty text (stored fingerprints are kept as they are).</summary>
    public static Fingerprint Of(string text)
    {
        ArgumentException.ThrowIfNullOrEmpty(text);
        return new Fingerprint(text, KeyOf(text));
    }

    static UInt128 KeyOf(string text) =>
        text.Length >= 32 && UInt128.TryParse(text.AsSpan(0, 32), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var key)
            ? key : XxHash128.HashToUInt128(Encoding.UTF8.GetBytes(text));

    /// <summary>The key of a fingerprint whose text is <paramref name="utf8"/> (UTF-8), as <see cref="Of"/> gives it.</summary>
    public static UInt128 KeyOf(ReadOnlySpan<byte> utf8) =>
        utf8.Length >= 32 && UInt128.TryParse(utf8[..32], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var key)
            ? key : XxHash128.HashToUInt128(utf8);

    public bool Equals(Fingerprint other) => string.Equals(Text, other.Text, StringComparison.Ordinal);

    public override int GetHashCode() => Key.GetHashCode();

    public override string ToString() => Text ?? "";
}
