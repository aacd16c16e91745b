using System.Globalization;
using System.Numerics;
using System.Text;

namespace Clearwing.Validation;

/// <summary>
/// The few string operations of Python whose exact behaviour ClusterFuzz's analyzer relies on, and the translation of its
/// regular expressions into .NET's dialect. Where Python and .NET differ only outside ASCII (full case mappings such as
/// <c>ß</c> → <c>SS</c>), .NET's simple mappings are used.
/// </summary>
internal static class PythonText
{
    /// <summary>Python's <c>str.isspace</c>: .NET's white space plus the four information separators U+001C–U+001F.</summary>
    public static bool IsSpace(char c) => char.IsWhiteSpace(c) || c is >= '\x1c' and <= '\x1f';

    /// <summary>
    /// Python's <c>str.splitlines()</c>: lines end at \n, \r, \r\n, \v, \f, U+001C–U+001E, U+0085, U+2028 and U+2029; a
    /// break at the very end makes no empty last line.
    /// </summary>
    public static List<string> SplitLines(string text)
    {
        var lines = new List<string>();
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c is not ('\n' or '\r' or '\v' or '\f' or '\x1c' or '\x1d' or '\x1e' or '\x85' or '\u2028' or '\u2029')) continue;
            lines.Add(text[start..i]);
            if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n') i++;
            start = i + 1;
        }
        if (start < text.Length) lines.Add(text[start..]);
        return lines;
    }

    /// <summary>Python's <c>str.strip()</c>.</summary>
    public static string Strip(string text)
    {
        int start = 0, end = text.Length;
        while (start < end && IsSpace(text[start])) start++;
        while (end > start && IsSpace(text[end - 1])) end--;
        return text[start..end];
    }

    /// <summary>Python's <c>str.strip(chars)</c>.</summary>
    public static string Strip(string text, string chars) => text.Trim(chars.ToCharArray());

    /// <summary>Python's <c>str.capitalize()</c>: the first character upper case, the rest lower case.</summary>
    public static string Capitalize(string text) =>
        text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..].ToLowerInvariant();

    /// <summary>Python's <c>len</c>: code points, not UTF-16 units.</summary>
    public static int Length(string text)
    {
        var length = text.Length;
        for (var i = 0; i + 1 < text.Length; i++)
            if (char.IsSurrogatePair(text[i], text[i + 1]))
            {
                length--;
                i++;
            }
        return length;
    }

    /// <summary>The first <paramref name="count"/> code points, as Python's <c>text[:count]</c>.</summary>
    public static string Prefix(string text, int count)
    {
        var i = 0;
        for (var taken = 0; taken < count && i < text.Length; taken++)
            i += i + 1 < text.Length && char.IsSurrogatePair(text[i], text[i + 1]) ? 2 : 1;
        return text[..i];
    }

    /// <summary>Python's <c>posixpath.basename</c>: what follows the last slash.</summary>
    public static string Basename(string path) => path[(path.LastIndexOf('/') + 1)..];

    /// <summary>
    /// Python's <c>int(text, 16)</c>, or null where it raises: surrounding white space (.NET's, which is int's: without
    /// the information separators <c>str.strip</c> removes), a sign, a <c>0x</c> prefix, single underscores between digits
    /// (and after the prefix), and any script's decimal digits are allowed.
    /// </summary>
    public static BigInteger? ParseHex(string text)
    {
        var s = text.Trim();
        var negative = false;
        if (s.Length > 0 && s[0] is '+' or '-')
        {
            negative = s[0] == '-';
            s = s[1..];
        }
        var afterPrefix = s.Length > 1 && s[0] == '0' && s[1] is 'x' or 'X';
        if (afterPrefix) s = s[2..];
        if (s.Length == 0) return null;
        BigInteger value = BigInteger.Zero;
        var lastWasDigit = false;
        foreach (var c in s)
        {
            if (c == '_')
            {
                if (!lastWasDigit && !afterPrefix) return null;
                lastWasDigit = false;
                afterPrefix = false;
                continue;
            }
            var digit = c switch
            {
                >= '0' and <= '9' => c - '0',
                >= 'a' and <= 'f' => c - 'a' + 10,
                >= 'A' and <= 'F' => c - 'A' + 10,
                _ when CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.DecimalDigitNumber => CharUnicodeInfo.GetDecimalDigitValue(c),
                _ => -1,
            };
            if (digit < 0) return null;
            value = value * 16 + digit;
            lastWasDigit = true;
            afterPrefix = false;
        }
        if (!lastWasDigit) return null;
        return negative ? -value : value;
    }

    /// <summary>
    /// A Python pattern in .NET's dialect: <c>\s</c> and <c>\S</c> with Python's white space (U+001C–U+001F too), <c>\w</c>
    /// as Python's word characters (letters, numbers, underscore), <c>\_</c> as an underscore, and <c>(?P&lt;name&gt;</c>
    /// as a plain group, so that groups keep Python's numbers (.NET numbers named groups after the others).
    /// </summary>
    public static string Pattern(string python)
    {
        var dotnet = new StringBuilder(python.Length + 32);
        var inClass = false;
        for (var i = 0; i < python.Length; i++)
        {
            var c = python[i];
            if (c == '\\' && i + 1 < python.Length)
            {
                var next = python[++i];
                dotnet.Append((next, inClass) switch
                {
                    ('s', false) => @"[\s\x1c-\x1f]",
                    ('s', true) => @"\s\x1c-\x1f",
                    ('S', false) => @"[^\s\x1c-\x1f]",
                    ('w', false) => @"[\p{L}\p{N}_]",
                    ('w', true) => @"\p{L}\p{N}_",
                    ('S' or 'W' or 'D', true) or ('W', false) => throw new ArgumentException($"Untranslated class \\{next} in {python}"),
                    ('_', _) => "_",
                    _ => $"\\{next}",
                });
                continue;
            }
            if (!inClass && c == '[')
            {
                inClass = true;
                dotnet.Append(c);
                if (i + 1 < python.Length && python[i + 1] == '^') dotnet.Append(python[++i]);
                // A ']' first in a class is a literal in both dialects; escaped, nobody has to remember that.
                if (i + 1 < python.Length && python[i + 1] == ']')
                {
                    dotnet.Append(@"\]");
                    i++;
                }
                continue;
            }
            if (inClass && c == ']') inClass = false;
            if (!inClass && python.AsSpan(i).StartsWith("(?P<"))
            {
                i = python.IndexOf('>', i);
                dotnet.Append('(');
                continue;
            }
            dotnet.Append(c);
        }
        return dotnet.ToString();
    }
}
