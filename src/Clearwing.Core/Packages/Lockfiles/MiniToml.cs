using System.Globalization;
using System.Text;

namespace Clearwing.Packages;

internal abstract class TValue(int line)
{
    public int Line { get; } = line;
    public string? String => (this as TString)?.Text;
}

internal sealed class TString(int line, string text) : TValue(line)
{
    public string Text { get; } = text;
}

/// <summary>A number, boolean or date, kept as written.</summary>
internal sealed class TBare(int line, string text) : TValue(line)
{
    public string Text { get; } = text;
}

internal sealed class TArray(int line, List<TValue> items) : TValue(line)
{
    public IReadOnlyList<TValue> Items { get; } = items;
}

internal sealed class TTable(int line, List<(string Key, TValue Value)> entries) : TValue(line)
{
    public IReadOnlyList<(string Key, TValue Value)> Entries { get; } = entries;
    public TValue? this[string key] => Entries.FirstOrDefault(e => e.Key == key).Value;
}

/// <summary>One <c>[table]</c> or <c>[[array.item]]</c> with its key/value pairs (dotted keys kept joined by '.').</summary>
internal sealed record TomlSection(IReadOnlyList<string> Header, bool IsArrayItem, int Line, TTable Table);

/// <summary>
/// The TOML that Cargo.lock and poetry.lock are written in, read as a flat list of sections in file order (a
/// <c>[package.dependencies]</c> belongs to the <c>[[package]]</c> before it). Strings of all four kinds, arrays over
/// several lines, inline tables; numbers, booleans and dates are kept as text.
/// </summary>
internal sealed class MiniToml
{
    const int MaxDepth = 64;
    readonly LockfileInput input;
    readonly string text;
    int at;
    int line = 1;

    MiniToml(LockfileInput input)
    {
        this.input = input;
        text = input.Text;
    }

    public static List<TomlSection> Parse(LockfileInput input) => new MiniToml(input).Sections();

    List<TomlSection> Sections()
    {
        var sections = new List<TomlSection>();
        var entries = new List<(string, TValue)>();
        sections.Add(new TomlSection([], false, 1, new TTable(1, entries)));
        while (true)
        {
            SkipBlank(newlines: true);
            if (at >= text.Length) return sections;
            if (text[at] == '[')
            {
                var start = line;
                var array = at + 1 < text.Length && text[at + 1] == '[';
                at += array ? 2 : 1;
                SkipBlank(newlines: false);
                var header = Key();
                SkipBlank(newlines: false);
                if (!Take(array ? "]]" : "]")) throw Error($"expected '{(array ? "]]" : "]")}' to close the table header");
                EndOfLine();
                entries = [];
                sections.Add(new TomlSection(header, array, start, new TTable(start, entries)));
                continue;
            }
            var key = Key();
            SkipBlank(newlines: false);
            if (!Take("=")) throw Error($"expected '=' after the key '{LockfileInput.Shorten(string.Join('.', key))}'");
            SkipBlank(newlines: false);
            entries.Add((string.Join('.', key), Value(0)));
            EndOfLine();
        }
    }

    List<string> Key()
    {
        var parts = new List<string>();
        while (true)
        {
            SkipBlank(newlines: false);
            if (at >= text.Length) throw Error("expected a key");
            string part;
            if (text[at] == '"') part = BasicString();
            else if (text[at] == '\'') part = LiteralString();
            else
            {
                var start = at;
                while (at < text.Length && (char.IsAsciiLetterOrDigit(text[at]) || text[at] is '_' or '-')) at++;
                if (at == start) throw Error($"expected a key, found '{LockfileInput.Shorten(Rest())}'");
                part = text[start..at];
            }
            parts.Add(part);
            SkipBlank(newlines: false);
            if (at < text.Length && text[at] == '.') at++;
            else return parts;
        }
    }

    TValue Value(int depth)
    {
        if (depth > MaxDepth) throw Error("nested too deeply");
        if (at >= text.Length) throw Error("expected a value");
        var start = line;
        switch (text[at])
        {
            case '"': return new TString(start, BasicString());
            case '\'': return new TString(start, LiteralString());
            case '[':
                at++;
                var items = new List<TValue>();
                while (true)
                {
                    SkipBlank(newlines: true);
                    if (Take("]")) return new TArray(start, items);
                    items.Add(Value(depth + 1));
                    SkipBlank(newlines: true);
                    if (Take("]")) return new TArray(start, items);
                    if (!Take(",")) throw Error("expected ',' or ']' in an array");
                }
            case '{':
                at++;
                var entries = new List<(string, TValue)>();
                SkipBlank(newlines: false);
                if (Take("}")) return new TTable(start, entries);
                while (true)
                {
                    var key = Key();
                    if (!Take("=")) throw Error("expected '=' in an inline table");
                    SkipBlank(newlines: false);
                    entries.Add((string.Join('.', key), Value(depth + 1)));
                    SkipBlank(newlines: false);
                    if (Take("}")) return new TTable(start, entries);
                    if (!Take(",")) throw Error("expected ',' or '}' in an inline table");
                    SkipBlank(newlines: false);
                }
            default:
                var from = at;
                while (at < text.Length && text[at] is not (' ' or '\t' or '\r' or '\n' or ',' or ']' or '}' or '#')) at++;
                if (at == from) throw Error($"expected a value, found '{LockfileInput.Shorten(Rest())}'");
                return new TBare(start, text[from..at]);
        }
    }

    string BasicString()
    {
        var multiline = Take("\"\"\"");
        if (!multiline) at++;
        if (multiline && Take("\n")) line++;
        else if (multiline && Take("\r\n")) line++;
        var value = new StringBuilder();
        while (true)
        {
            if (at >= text.Length) throw Error("a string is not closed");
            var c = text[at];
            if (multiline ? Take("\"\"\"") : c == '"')
            {
                if (!multiline) at++;
                return value.ToString();
            }
            if (c == '\n')
            {
                if (!multiline) throw Error("a string is not closed on its line");
                line++;
            }
            at++;
            if (c != '\\')
            {
                value.Append(c);
                continue;
            }
            if (at >= text.Length) throw Error("a string ends in an escape");
            var e = text[at++];
            switch (e)
            {
                case 'b': value.Append('\b'); break;
                case 't': value.Append('\t'); break;
                case 'n': value.Append('\n'); break;
                case 'f': value.Append('\f'); break;
                case 'r': value.Append('\r'); break;
                case 'e': value.Append('\u001b'); break;
                case '"' or '\\': value.Append(e); break;
                case 'u' or 'U' or 'x':
                    var digits = e switch { 'u' => 4, 'U' => 8, _ => 2 };
                    if (at + digits > text.Length || !int.TryParse(text.AsSpan(at, digits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code)
                        || code > 0x10FFFF || code is >= 0xD800 and <= 0xDFFF)
                        throw Error($"'\\{e}' must be followed by {digits} hex digits of a Unicode scalar value");
                    value.Append(char.ConvertFromUtf32(code));
                    at += digits;
                    break;
                case '\n' or '\r' or ' ' or '\t' when multiline:
                    // A line-ending backslash trims the whitespace and newlines that follow.
                    at--;
                    while (at < text.Length && text[at] is ' ' or '\t' or '\r' or '\n')
                    {
                        if (text[at] == '\n') line++;
                        at++;
                    }
                    break;
                default:
                    throw Error($"unknown escape '\\{e}'");
            }
        }
    }

    string LiteralString()
    {
        var multiline = Take("'''");
        if (!multiline) at++;
        if (multiline && Take("\n")) line++;
        var start = at;
        while (true)
        {
            if (at >= text.Length) throw Error("a string is not closed");
            if (multiline ? text.AsSpan(at).StartsWith("'''") : text[at] == '\'')
            {
                var value = text[start..at];
                at += multiline ? 3 : 1;
                return value;
            }
            if (text[at] == '\n')
            {
                if (!multiline) throw Error("a string is not closed on its line");
                line++;
            }
            at++;
        }
    }

    void SkipBlank(bool newlines)
    {
        while (at < text.Length)
        {
            var c = text[at];
            if (c is ' ' or '\t' or '\r') at++;
            else if (c == '\n' && newlines)
            {
                line++;
                at++;
            }
            else if (c == '#')
            {
                while (at < text.Length && text[at] != '\n') at++;
            }
            else return;
        }
    }

    void EndOfLine()
    {
        SkipBlank(newlines: false);
        if (at < text.Length && text[at] != '\n') throw Error($"unexpected '{LockfileInput.Shorten(Rest())}' at the end of a line");
    }

    bool Take(string token)
    {
        if (!text.AsSpan(at).StartsWith(token, StringComparison.Ordinal)) return false;
        at += token.Length;
        return true;
    }

    string Rest()
    {
        var end = text.IndexOf('\n', at);
        return (end < 0 ? text[at..] : text[at..end]).TrimEnd('\r');
    }

    MalformedInputException Error(string reason) => input.Error(line, "not valid TOML: " + reason);
}
