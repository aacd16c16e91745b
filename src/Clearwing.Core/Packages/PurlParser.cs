using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace Clearwing.Packages;

/// <summary>
/// ECMA-427 §5 parsing and building. Parsing follows the purl-spec's "how to parse" with URL order for the
/// separators (the first '#' starts the subpath, the first '?' before it the qualifiers); failures are returned, not
/// thrown, so that <see cref="PackageUrl.TryParse(string?, out PackageUrl?)"/> over a large SBOM stays cheap.
/// </summary>
internal static class PurlParser
{
    internal readonly record struct Failure(string Component, string? Value, string Message)
    {
        public PurlFormatException ToException() => new(Message, Component, Value);
    }

    // §5.4: the characters a canonical component never encodes; '/' also stays as the segment separator.
    static readonly SearchValues<char> Unencoded = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.-_~:");
    static readonly SearchValues<char> UnencodedOrSlash = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.-_~:/");

    [ThreadStatic] static StringBuilder? CachedBuilder;

    public static PackageUrl? Parse(string text, PurlParseMode mode, out Failure failure)
    {
        var lenient = mode == PurlParseMode.Lenient;
        var span = text.AsSpan();
        var bad = lenient ? IndexOfControl(span) : span.IndexOfAnyExceptInRange('!', '~');
        if (bad >= 0)
            return Fail(out failure, "purl", text, span[bad] < ' ' || span[bad] == '\x7f'
                ? $"purl '{Printable(text)}' contains a control character (U+{(int)span[bad]:X4}) at position {bad}"
                : $"purl '{text}' contains '{span[bad]}' at position {bad}: a purl is ASCII without spaces, other characters are percent-encoded");

        // §5.6.1: the scheme is "pkg" (URL schemes are case-insensitive), and slashes after its colon are ignored.
        var colon = span.IndexOf(':');
        if (colon < 0) return Fail(out failure, "scheme", text, $"'{text}' is not a purl: it does not start with 'pkg:'");
        if (!span[..colon].Equals("pkg", StringComparison.OrdinalIgnoreCase))
            return Fail(out failure, "scheme", text[..colon], $"scheme '{text[..colon]}' is not 'pkg' in '{text}'");
        var start = colon + 1;
        while (start < span.Length && span[start] == '/') start++;

        var hash = span[start..].IndexOf('#');
        var end = hash < 0 ? span.Length : start + hash;
        var question = span[start..end].IndexOf('?');
        var pathEnd = question < 0 ? end : start + question;
        var path = span[start..pathEnd];

        var slash = path.IndexOf('/');
        if (!TryType(slash < 0 ? path : path[..slash], text, out var type, out failure)) return null;
        if (slash < 0) return Fail(out failure, "name", null, $"purl '{text}' has no name: it needs at least pkg:TYPE/NAME");
        var rest = path[(slash + 1)..];

        // The version follows the last '@' of the last segment: a version cannot hold an unencoded '/', so an '@' before
        // the last slash belongs to the namespace (npm scopes written "@scope/name").
        string? version = null;
        var lastSlash = rest.LastIndexOf('/');
        var at = rest.LastIndexOf('@');
        if (at > lastSlash)
        {
            if (!TryDecode(rest[(at + 1)..], "version", out version, out failure)) return null;
            if (version.Length == 0) version = null;
            rest = rest[..at];
        }

        var nameSpan = lastSlash < 0 ? rest : rest[(lastSlash + 1)..];
        if (nameSpan.IsEmpty)
            return Fail(out failure, "name", null, $"purl '{text}' has no name: nothing between the last '/' and the version, qualifiers or subpath");
        if (!TryDecode(nameSpan, "name", out var name, out failure)) return null;

        string? ns = null;
        if (lastSlash > 0 && !TryJoinSegments(rest[..lastSlash], "namespace", dropDots: false, out ns, out failure)) return null;

        List<KeyValuePair<string, string>>? qualifiers = null;
        if (question >= 0)
        {
            foreach (var range in span[(pathEnd + 1)..end].Split('&'))
            {
                var pair = span[(pathEnd + 1)..end][range];
                if (pair.IsEmpty) continue;
                var eq = pair.IndexOf('=');
                if (eq < 0)
                    return Fail(out failure, "qualifiers", pair.ToString(),
                        $"qualifier '{pair}' has no '=': qualifiers are key=value pairs separated by '&'");
                var rawKey = pair[..eq];
                var keyText = lenient ? rawKey.ToString().ToLowerInvariant() : rawKey.ToString();
                if (!TryKey(keyText, out failure)) return null;
                if (!TryDecode(pair[(eq + 1)..], "qualifiers", out var value, out failure)) return null;
                // §5.6.6: an empty value is the same as no pair for that key.
                if (value.Length == 0) continue;
                qualifiers ??= new List<KeyValuePair<string, string>>(4);
                qualifiers.Add(new(keyText, value));
            }
        }

        string? subpath = null;
        if (hash >= 0 && !TryJoinSegments(span[(end + 1)..], "subpath", dropDots: true, out subpath, out failure)) return null;

        return Finish(type, ns, name, version, qualifiers, subpath, text, out failure);
    }

    public static PackageUrl? Build(string? type, string? ns, string? name, string? version, IEnumerable<KeyValuePair<string, string?>>? qualifiers,
        string? subpath, out Failure failure)
    {
        if (string.IsNullOrEmpty(type)) return Fail(out failure, "type", type, "a purl needs a type");
        if (!TryType(type, type, out var lowerType, out failure)) return null;
        foreach (var (component, value) in new[] { ("namespace", ns), ("name", name), ("version", version), ("subpath", subpath) })
            if (value is not null && !IsWellFormedUtf16(value))
                return Fail(out failure, component, value, $"{component} '{value}' is not well-formed Unicode");

        var trimmedName = name?.Trim('/');
        if (string.IsNullOrEmpty(trimmedName)) return Fail(out failure, "name", name, $"{lowerType} purls need a name");
        string? joinedNs = null;
        if (ns is not null)
        {
            var segments = ns.Split('/', StringSplitOptions.RemoveEmptyEntries);
            joinedNs = segments.Length == 0 ? null : string.Join('/', segments);
        }
        string? joinedSubpath = null;
        if (subpath is not null)
        {
            var segments = subpath.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(s => s is not "." and not "..").ToArray();
            joinedSubpath = segments.Length == 0 ? null : string.Join('/', segments);
        }
        List<KeyValuePair<string, string>>? pairs = null;
        if (qualifiers is not null)
            foreach (var (key, value) in qualifiers)
            {
                if (!TryKey(key ?? "", out failure)) return null;
                if (string.IsNullOrEmpty(value)) continue;
                if (!IsWellFormedUtf16(value))
                    return Fail(out failure, "qualifiers", value, $"qualifier {key} value '{value}' is not well-formed Unicode");
                (pairs ??= []).Add(new(key!, value));
            }
        return Finish(lowerType, joinedNs, trimmedName, string.IsNullOrEmpty(version) ? null : version, pairs, joinedSubpath, null, out failure);
    }

    /// <summary>Applies the type's rules, validates, and writes the canonical form (reusing <paramref name="input"/> when it already is
    /// canonical).</summary>
    static PackageUrl? Finish(string type, string? ns, string name, string? version, List<KeyValuePair<string, string>>? qualifierList,
        string? subpath, string? input, out Failure failure)
    {
        KeyValuePair<string, string>[]? qualifiers = null;
        if (qualifierList is { Count: > 0 })
        {
            qualifiers = [.. qualifierList];
            Array.Sort(qualifiers, static (a, b) => string.CompareOrdinal(a.Key, b.Key));
            for (var i = 1; i < qualifiers.Length; i++)
                if (qualifiers[i].Key == qualifiers[i - 1].Key)
                    return Fail(out failure, "qualifiers", qualifiers[i].Key, $"qualifier '{qualifiers[i].Key}' appears more than once");
        }

        var definition = PurlTypes.Find(type);
        if (definition is not null)
        {
            if (!definition.NamespaceCaseSensitive) ns = ns?.ToLowerInvariant();
            if (!definition.NameCaseSensitive) name = name.ToLowerInvariant();
            if (!definition.VersionCaseSensitive) version = version?.ToLowerInvariant();
            if (!definition.SubpathCaseSensitive) subpath = subpath?.ToLowerInvariant();
            if (!PurlTypeRules.Apply(type, ref ns, ref name, qualifiers, out failure)) return null;

            if (definition.Namespace == PurlRequirement.Required && ns is null)
                return Fail(out failure, "namespace", null, $"{type} purls need a namespace (pkg:{type}/NAMESPACE/{name})");
            if (definition.Namespace == PurlRequirement.Prohibited && ns is not null)
                return Fail(out failure, "namespace", ns, $"{type} purls have no namespace, but '{ns}' was given");
            if (!Permitted(definition.NamespacePermitted, "namespace", ns, type, out failure)
                || !Permitted(definition.NamePermitted, "name", name, type, out failure)
                || !Permitted(definition.VersionPermitted, "version", version, type, out failure)
                || !Permitted(definition.SubpathPermitted, "subpath", subpath, type, out failure))
                return null;
            foreach (var required in definition.RequiredQualifiers)
                if (qualifiers is null || Array.FindIndex(qualifiers, q => q.Key == required) < 0)
                    return Fail(out failure, "qualifiers", required, $"{type} purls need the qualifier '{required}'");
        }
        if (name.Length == 0) return Fail(out failure, "name", name, $"{type} purls need a name");

        var sb = CachedBuilder ??= new StringBuilder(256);
        sb.Clear();
        sb.Append("pkg:").Append(type).Append('/');
        if (ns is not null) Encode(sb, ns, keepSlash: true).Append('/');
        Encode(sb, name, keepSlash: PurlTypeRules.NameHasSegments(type));
        var keyLength = sb.Length;
        if (version is not null) Encode(sb.Append('@'), version, keepSlash: false);
        if (qualifiers is not null)
            for (var i = 0; i < qualifiers.Length; i++)
                Encode(sb.Append(i == 0 ? '?' : '&').Append(qualifiers[i].Key).Append('='), qualifiers[i].Value, keepSlash: false);
        if (subpath is not null) Encode(sb.Append('#'), subpath, keepSlash: true);
        var canonical = input is not null && sb.Equals(input.AsSpan()) ? input : sb.ToString();
        if (sb.Capacity > 4096) CachedBuilder = null;

        failure = default;
        return new PackageUrl(type, ns, name, version, qualifiers, subpath, definition is not null, canonical, keyLength);
    }

    static bool Permitted(System.Text.RegularExpressions.Regex? permitted, string component, string? value, string type, out Failure failure)
    {
        failure = default;
        if (permitted is null || value is null || permitted.IsMatch(value)) return true;
        failure = new(component, value, $"{component} '{value}' is not permitted in {type} purls (the {type} definition allows /{permitted}/)");
        return false;
    }

    /// <summary>§5.6.2: letters, digits, '.' and '-', starting with a letter; case-insensitive, canonically lowercase; never encoded.</summary>
    static bool TryType(ReadOnlySpan<char> span, string text, out string type, out Failure failure)
    {
        type = "";
        if (span.IsEmpty) return Reject(out failure, "type", "", $"purl '{text}' has no type: it needs at least pkg:TYPE/NAME");
        if (!char.IsAsciiLetter(span[0]))
            return Reject(out failure, "type", span.ToString(), $"type '{span}' must start with an ASCII letter");
        foreach (var c in span)
            if (!char.IsAsciiLetterOrDigit(c) && c is not '.' and not '-')
                return Reject(out failure, "type", span.ToString(), $"type '{span}' may hold only ASCII letters, digits, '.' and '-', not '{c}'");
        type = PurlTypeRules.InternType(span);
        failure = default;
        return true;
    }

    /// <summary>§5.6.6: lowercase ASCII letters, digits, '.', '-' and '_', starting with a letter; never encoded.</summary>
    static bool TryKey(string key, out Failure failure)
    {
        failure = default;
        if (IsKey(key)) return true;
        if (key.Length == 0) return Reject(out failure, "qualifiers", key, "a qualifier has an empty key");
        var lower = key.ToLowerInvariant();
        var hint = lower != key && IsKey(lower) ? $" (write it '{lower}')" : "";
        return Reject(out failure, "qualifiers", key,
            $"qualifier key '{key}' must be lowercase ASCII letters, digits, '.', '-' and '_', starting with a letter{hint}");
    }

    static bool IsKey(string key)
    {
        if (key.Length == 0 || !char.IsAsciiLetterLower(key[0])) return false;
        foreach (var c in key)
            if (!char.IsAsciiLetterLower(c) && !char.IsAsciiDigit(c) && c is not '.' and not '-' and not '_') return false;
        return true;
    }

    /// <summary>Splits on '/', drops empty segments (and '.'/'..' for a subpath), decodes each; a decoded segment may not hold a '/'.</summary>
    static bool TryJoinSegments(ReadOnlySpan<char> raw, string component, bool dropDots, out string? joined, out Failure failure)
    {
        joined = null;
        failure = default;
        if (raw.IndexOf('%') < 0 && !HasSurrogates(raw) && !raw.Contains("//", StringComparison.Ordinal)
            && (raw.IsEmpty || (raw[0] != '/' && raw[^1] != '/'))
            && (!dropDots || !HasDotSegment(raw)))
        {
            joined = raw.IsEmpty ? null : raw.ToString();
            return true;
        }
        StringBuilder? sb = null;
        foreach (var range in raw.Split('/'))
        {
            var part = raw[range];
            if (part.IsEmpty) continue;
            if (!TryDecode(part, component, out var segment, out failure)) return false;
            if (dropDots && segment is "." or "..") continue;
            if (segment.Length == 0) continue;
            if (segment.Contains('/'))
                return Reject(out failure, component, part.ToString(), $"{component} segment '{part}' decodes to a '/', which separates segments");
            (sb ??= new StringBuilder(raw.Length)).Append(sb.Length == 0 ? "" : "/").Append(segment);
        }
        joined = sb?.ToString();
        return true;
    }

    static bool HasDotSegment(ReadOnlySpan<char> raw)
    {
        foreach (var range in raw.Split('/'))
            if (raw[range] is "." or "..") return true;
        return false;
    }

    /// <summary>Percent-decodes (RFC 3986 §2.1) into UTF-8 and then text; malformed escapes and invalid UTF-8 are failures.</summary>
    static bool TryDecode(ReadOnlySpan<char> raw, string component, out string value, out Failure failure)
    {
        failure = default;
        var percent = raw.IndexOf('%');
        if (percent < 0 && !HasSurrogates(raw))
        {
            value = raw.ToString();
            return true;
        }
        value = "";
        var max = Encoding.UTF8.GetMaxByteCount(raw.Length);
        byte[]? rented = null;
        var bytes = max <= 512 ? stackalloc byte[max] : (rented = ArrayPool<byte>.Shared.Rent(max));
        try
        {
            var written = 0;
            var i = 0;
            while (i < raw.Length)
            {
                var next = raw[i..].IndexOf('%');
                var run = next < 0 ? raw[i..] : raw.Slice(i, next);
                if (Utf8.FromUtf16(run, bytes[written..], out _, out var runBytes, replaceInvalidSequences: false) != OperationStatus.Done)
                    return Reject(out failure, component, raw.ToString(), $"{component} '{raw}' is not well-formed Unicode");
                written += runBytes;
                i += run.Length;
                if (next < 0) break;
                if (i + 2 >= raw.Length || !char.IsAsciiHexDigit(raw[i + 1]) || !char.IsAsciiHexDigit(raw[i + 2]))
                {
                    var bad = raw.Slice(i, Math.Min(3, raw.Length - i)).ToString();
                    return Reject(out failure, component, raw.ToString(),
                        $"{component} '{raw}' has a malformed percent-escape '{bad}' (expected % and two hex digits)");
                }
                bytes[written++] = (byte)(HexValue(raw[i + 1]) << 4 | HexValue(raw[i + 2]));
                i += 3;
            }
            var chars = written <= 256 ? stackalloc char[written] : new char[written];
            if (Utf8.ToUtf16(bytes[..written], chars, out _, out var charCount, replaceInvalidSequences: false) != OperationStatus.Done)
                return Reject(out failure, component, raw.ToString(), $"{component} '{raw}' percent-decodes to bytes that are not UTF-8");
            value = new string(chars[..charCount]);
            return true;
        }
        finally
        {
            if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        }
    }

    static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;

    /// <summary>§5.4: UTF-8, then every byte outside the unencoded set as %XX (uppercase hex).</summary>
    static StringBuilder Encode(StringBuilder sb, string value, bool keepSlash)
    {
        var span = value.AsSpan();
        var keep = keepSlash ? UnencodedOrSlash : Unencoded;
        Span<byte> utf8 = stackalloc byte[4];
        while (!span.IsEmpty)
        {
            var stop = span.IndexOfAnyExcept(keep);
            if (stop < 0)
            {
                sb.Append(span);
                break;
            }
            sb.Append(span[..stop]);
            span = span[stop..];
            Rune.DecodeFromUtf16(span, out var rune, out var consumed);
            var n = rune.EncodeToUtf8(utf8);
            for (var b = 0; b < n; b++) sb.Append('%').Append("0123456789ABCDEF"[utf8[b] >> 4]).Append("0123456789ABCDEF"[utf8[b] & 0xF]);
            span = span[consumed..];
        }
        return sb;
    }

    static int IndexOfControl(ReadOnlySpan<char> span)
    {
        var control = span.IndexOfAnyInRange('\0', '\x1f');
        var del = span.IndexOf('\x7f');
        return control < 0 ? del : del < 0 ? control : Math.Min(control, del);
    }

    static bool HasSurrogates(ReadOnlySpan<char> span) => span.IndexOfAnyInRange('\ud800', '\udfff') >= 0;

    static bool IsWellFormedUtf16(string value)
    {
        var span = value.AsSpan();
        if (!HasSurrogates(span)) return true;
        while (!span.IsEmpty)
        {
            if (Rune.DecodeFromUtf16(span, out _, out var consumed) != OperationStatus.Done) return false;
            span = span[consumed..];
        }
        return true;
    }

    static string Printable(string text) => string.Concat(text.Select(c => c < ' ' || c == '\x7f' ? $"\\u{(int)c:X4}" : c.ToString()));

    static PackageUrl? Fail(out Failure failure, string component, string? value, string message)
    {
        failure = new(component, value, message);
        return null;
    }

    static bool Reject(out Failure failure, string component, string? value, string message)
    {
        failure = new(component, value, message);
        return false;
    }
}
