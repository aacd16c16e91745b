using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Clearwing.Disclosure;

/// <summary>
/// A JSON value that the JSON Canonicalization Scheme cannot represent: a duplicate key, a number outside
/// IEEE 754 double range, a string with a lone surrogate, or text that is not JSON at all.
/// </summary>
internal sealed class CanonicalJsonException(string jsonPath, string reason) : FormatException($"{jsonPath}: {reason}")
{
    /// <summary>Where the offending value is, e.g. <c>$.report.affected[2]</c>.</summary>
    public string JsonPath { get; } = jsonPath;
    public string Reason { get; } = reason;
}

/// <summary>
/// RFC 8785, the JSON Canonicalization Scheme (JCS): the one byte string a JSON value hashes as, whatever
/// whitespace, key order, escapes or number spelling it arrived with. Object members are sorted by their
/// names' UTF-16 code units (§3.2.3), numbers are written as ECMAScript writes an IEEE 754 double
/// (§3.2.2.3), strings escape only what §3.2.2.2 says, and the result is UTF-8 without a byte order mark.
/// </summary>
internal static class CanonicalJson
{
    // Lone surrogates cannot be encoded (RFC 8785 §3.2.2.2 requires I-JSON strings); throw rather than replace.
    static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Parses <paramref name="utf8Json"/> (one JSON text, no comments or trailing commas) and canonicalizes it.</summary>
    public static byte[] Canonicalize(ReadOnlySpan<byte> utf8Json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8Json.ToArray());
        }
        catch (JsonException e)
        {
            throw new CanonicalJsonException("$", $"not JSON: {e.Message}");
        }
        using (document) return Serialize(document.RootElement);
    }

    /// <summary>The canonical UTF-8 bytes of <paramref name="value"/>; errors name paths under <paramref name="path"/>.</summary>
    public static byte[] Serialize(JsonElement value, string path = "$")
    {
        var output = new ArrayBufferWriter<byte>();
        Write(value, path, output);
        return output.WrittenSpan.ToArray();
    }

    static void Write(JsonElement value, string path, ArrayBufferWriter<byte> output)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                var members = new List<(string Name, JsonElement Value)>();
                foreach (var member in value.EnumerateObject())
                    members.Add((ReadName(member, path), member.Value));
                // Ordinal comparison of .NET strings is comparison of UTF-16 code units, as §3.2.3 asks.
                members.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
                Ascii(output, "{");
                for (var i = 0; i < members.Count; i++)
                {
                    if (i > 0)
                    {
                        if (members[i].Name == members[i - 1].Name)
                            throw new CanonicalJsonException(Member(path, members[i].Name),
                                $"duplicate key \"{members[i].Name}\": an object may name a key once (RFC 8785 §3.1, I-JSON)");
                        Ascii(output, ",");
                    }
                    WriteString(members[i].Name, path, output);
                    Ascii(output, ":");
                    Write(members[i].Value, Member(path, members[i].Name), output);
                }
                Ascii(output, "}");
                break;
            case JsonValueKind.Array:
                Ascii(output, "[");
                var index = 0;
                foreach (var item in value.EnumerateArray())
                {
                    if (index > 0) Ascii(output, ",");
                    Write(item, $"{path}[{index}]", output);
                    index++;
                }
                Ascii(output, "]");
                break;
            case JsonValueKind.String:
                WriteString(ReadString(value, path), path, output);
                break;
            case JsonValueKind.Number:
                Ascii(output, FormatNumber(ParseNumber(value.GetRawText(), path)));
                break;
            case JsonValueKind.True:
                Ascii(output, "true");
                break;
            case JsonValueKind.False:
                Ascii(output, "false");
                break;
            case JsonValueKind.Null:
                Ascii(output, "null");
                break;
            default:
                throw new ArgumentException($"{path}: a JsonElement of kind {value.ValueKind} is not a JSON value", nameof(value));
        }
    }

    /// <summary>
    /// ECMAScript's Number.prototype.toString for a finite double (ECMA-262 Number::toString, radix 10), which
    /// RFC 8785 §3.2.2.3 adopts: the shortest digits that round-trip, plain notation for exponents from -7 to
    /// 20, otherwise <c>d.ddde±x</c>. Negative zero is <c>0</c>.
    /// </summary>
    public static string FormatNumber(double value)
    {
        if (!double.IsFinite(value))
            throw new ArgumentOutOfRangeException(nameof(value), value, "NaN and infinities have no JSON form (RFC 8785 §3.2.2.3)");
        if (value == 0) return "0";
        // .NET's round-trip format gives the shortest digits that read back as the same double, like
        // ECMAScript's; only the layout differs, so take the digits and the exponent and lay them out again.
        var shortest = Math.Abs(value).ToString("R", CultureInfo.InvariantCulture);
        var e = shortest.IndexOf('E');
        var mantissa = e < 0 ? shortest : shortest[..e];
        var exponent = e < 0 ? 0 : int.Parse(shortest[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        var point = mantissa.IndexOf('.');
        if (point < 0) point = mantissa.Length;
        var all = mantissa.Replace(".", "", StringComparison.Ordinal);
        var digits = all.TrimStart('0');
        // value = 0.digits × 10^n, so digits × 10^(n - k) in ECMA-262's terms.
        var n = point - (all.Length - digits.Length) + exponent;
        digits = digits.TrimEnd('0');
        var k = digits.Length;

        var text = new StringBuilder(value < 0 ? "-" : "");
        if (k <= n && n <= 21) text.Append(digits).Append('0', n - k);
        else if (0 < n && n <= 21) text.Append(digits, 0, n).Append('.').Append(digits, n, k - n);
        else if (-6 < n && n <= 0) text.Append("0.").Append('0', -n).Append(digits);
        else
        {
            text.Append(digits[0]);
            if (k > 1) text.Append('.').Append(digits, 1, k - 1);
            text.Append('e').Append(n - 1 >= 0 ? '+' : '-').Append(Math.Abs(n - 1).ToString(CultureInfo.InvariantCulture));
        }
        return text.ToString();
    }

    static double ParseNumber(string raw, string path)
    {
        // .NET parses with correct IEEE 754 rounding; a magnitude beyond double range comes back infinite.
        if (!double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) || !double.IsFinite(number))
            throw new CanonicalJsonException(path, $"the number {raw} is outside the range of an IEEE 754 double, which is all JCS can represent");
        return number;
    }

    static string ReadName(JsonProperty member, string path)
    {
        try
        {
            return member.Name;
        }
        catch (InvalidOperationException e)
        {
            throw new CanonicalJsonException(path, $"a key is not valid Unicode ({e.Message})");
        }
    }

    static string ReadString(JsonElement value, string path)
    {
        try
        {
            return value.GetString()!;
        }
        catch (InvalidOperationException e)
        {
            throw new CanonicalJsonException(path, $"the string is not valid Unicode ({e.Message})");
        }
    }

    /// <summary>RFC 8785 §3.2.2.2: escape the quote, the backslash and U+0000–U+001F (short forms where JSON has them); nothing else.</summary>
    static void WriteString(string value, string path, ArrayBufferWriter<byte> output)
    {
        var text = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': text.Append("\\\""); break;
                case '\\': text.Append("\\\\"); break;
                case '\b': text.Append("\\b"); break;
                case '\f': text.Append("\\f"); break;
                case '\n': text.Append("\\n"); break;
                case '\r': text.Append("\\r"); break;
                case '\t': text.Append("\\t"); break;
                case < ' ': text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture)); break;
                default: text.Append(c); break;
            }
        }
        text.Append('"');
        try
        {
            output.Write(StrictUtf8.GetBytes(text.ToString()));
        }
        catch (EncoderFallbackException)
        {
            throw new CanonicalJsonException(path, "a string contains a lone surrogate, which has no UTF-8 form");
        }
    }

    static void Ascii(ArrayBufferWriter<byte> output, string text) => output.Write(Encoding.ASCII.GetBytes(text));

    /// <summary>A member's JSON path: <c>$.name</c> for plain names, <c>$['other name']</c> otherwise.</summary>
    internal static string Member(string path, string name)
    {
        var plain = name.Length > 0 && (char.IsAsciiLetter(name[0]) || name[0] == '_')
            && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
        return plain
            ? $"{path}.{name}"
            : $"{path}['{name.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal)}']";
    }
}
