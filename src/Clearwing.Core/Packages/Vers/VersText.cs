using System.Text;

namespace Clearwing.Packages;

/// <summary>Percent-encoding of vers versions (vers-spec 5.3.3.2): decoded exactly once, encoded canonically.</summary>
internal static class VersText
{
    /// <summary>
    /// The characters a canonical version encodes: the vers syntax characters, '%' itself, and space (the only whitespace
    /// a version may hold). Anything outside printable ASCII is encoded too, as its UTF-8 bytes.
    /// </summary>
    static bool MustEncode(char c) => c is '>' or '<' or '=' or '!' or '*' or '|' or '%' or ' ' or < ' ' or > '~';

    public static string Encode(string version)
    {
        var plain = true;
        foreach (var c in version)
            if (MustEncode(c)) { plain = false; break; }
        if (plain) return version;
        var sb = new StringBuilder(version.Length + 8);
        Span<byte> utf8 = stackalloc byte[4];
        for (var i = 0; i < version.Length; i++)
        {
            var c = version[i];
            if (!MustEncode(c)) { sb.Append(c); continue; }
            var len = char.IsHighSurrogate(c) && i + 1 < version.Length
                ? Encoding.UTF8.GetBytes(version.AsSpan(i++, 2), utf8)
                : Encoding.UTF8.GetBytes(version.AsSpan(i, 1), utf8);
            foreach (var b in utf8[..len]) sb.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
        }
        return sb.ToString();
    }

    /// <summary>Decodes every %XX once; null with the reason when a '%' does not start a triplet or the bytes are not UTF-8.</summary>
    public static string? Decode(string raw, out string? error)
    {
        error = null;
        if (!raw.Contains('%')) return raw;
        var bytes = new List<byte>(raw.Length);
        for (var i = 0; i < raw.Length; i++)
        {
            if (raw[i] != '%') { bytes.Add((byte)raw[i]); continue; }
            if (i + 2 >= raw.Length || !char.IsAsciiHexDigit(raw[i + 1]) || !char.IsAsciiHexDigit(raw[i + 2]))
            {
                error = "invalid percent-encoding in version";
                return null;
            }
            bytes.Add(Convert.ToByte(raw.Substring(i + 1, 2), 16));
            i += 2;
        }
        try
        {
            return new UTF8Encoding(false, true).GetString([.. bytes]);
        }
        catch (DecoderFallbackException)
        {
            error = "percent-encoded bytes in version are not UTF-8";
            return null;
        }
    }
}
