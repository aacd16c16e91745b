using System.Globalization;
using System.Text;

namespace Clearwing.Packages;

internal abstract class YNode(int line)
{
    public int Line { get; } = line;

    /// <summary>The text of a scalar; null for a mapping or sequence.</summary>
    public string? Scalar => (this as YScalar)?.Value;
}

internal sealed record YEntry(string Key, YNode Value, int Line);

internal sealed class YMap(int line, List<YEntry> entries) : YNode(line)
{
    public IReadOnlyList<YEntry> Entries { get; } = entries;
    public YNode? this[string key] => Entries.FirstOrDefault(e => e.Key == key)?.Value;
    public IEnumerable<YEntry> MapEntries(string key) => this[key] is YMap m ? m.Entries : [];
}

internal sealed class YSeq(int line, List<YNode> items) : YNode(line)
{
    public IReadOnlyList<YNode> Items { get; } = items;
}

internal sealed class YScalar(int line, string value) : YNode(line)
{
    public string Value { get; } = value;
}

/// <summary>
/// The subset of YAML that pnpm-lock.yaml and Yarn Berry's yarn.lock are written in: block mappings and sequences by
/// indentation, plain, single- and double-quoted scalars, and flow mappings and sequences on one line
/// (<c>resolution: {integrity: sha512-…}</c>, <c>cpu: [x64]</c>). Anchors, tags, block scalars and multi-line flow
/// collections are not used by either tool and are rejected with the line, rather than misread.
/// </summary>
internal static class MiniYaml
{
    sealed record Line(int Number, int Indent, string Text);

    const int MaxDepth = 64;

    public static YMap Parse(LockfileInput input)
    {
        var lines = new List<Line>();
        var raw = input.Text.Split('\n');
        for (var i = 0; i < raw.Length; i++)
        {
            var text = raw[i].TrimEnd('\r');
            var indent = 0;
            while (indent < text.Length && text[indent] == ' ') indent++;
            var content = text[indent..].TrimEnd();
            if (content.Length == 0 || content[0] == '#' || content is "---" or "...") continue;
            if (content[0] == '\t') throw input.Error(i + 1, "a tab in the indentation (YAML indents with spaces)");
            if (content[0] == '%') throw input.Error(i + 1, "YAML directives are not used in lockfiles");
            lines.Add(new Line(i + 1, indent, content));
        }
        var at = 0;
        if (lines.Count == 0) return new YMap(1, []);
        if (lines[0].Indent != 0) throw input.Error(lines[0].Number, "the document must start at the left margin");
        var root = Block(input, lines, ref at, 0, 0);
        if (at < lines.Count) throw input.Error(lines[at].Number, "unexpected indentation");
        return root as YMap ?? throw input.Error(lines[0].Number, "expected a mapping at the top of the file");
    }

    static YNode Block(LockfileInput input, List<Line> lines, ref int at, int indent, int depth)
    {
        if (depth > MaxDepth) throw input.Error(lines[at].Number, "nested too deeply");
        var first = lines[at];
        if (IsItem(first.Text))
        {
            var items = new List<YNode>();
            while (at < lines.Count && lines[at].Indent == indent && IsItem(lines[at].Text))
            {
                var line = lines[at++];
                var rest = line.Text.Length > 1 ? line.Text[2..].TrimStart() : "";
                if (rest.Length == 0)
                {
                    if (at < lines.Count && lines[at].Indent > indent) items.Add(Block(input, lines, ref at, lines[at].Indent, depth + 1));
                    else items.Add(new YScalar(line.Number, ""));
                }
                else if (KeyEnd(rest) >= 0)
                {
                    throw input.Error(line.Number, "mappings inside sequence items are not used in lockfiles");
                }
                else
                {
                    items.Add(Inline(input, line.Number, rest, depth));
                }
            }
            return new YSeq(first.Number, items);
        }

        var entries = new List<YEntry>();
        while (at < lines.Count && lines[at].Indent == indent)
        {
            var line = lines[at++];
            if (IsItem(line.Text)) throw input.Error(line.Number, "a sequence item where a key was expected");
            var (key, rest) = Key(input, line);
            YNode value;
            if (rest.Length > 0)
            {
                value = Inline(input, line.Number, rest, depth);
            }
            else if (at < lines.Count && (lines[at].Indent > indent || (lines[at].Indent == indent && IsItem(lines[at].Text))))
            {
                value = Block(input, lines, ref at, lines[at].Indent, depth + 1);
            }
            else
            {
                value = new YScalar(line.Number, "");
            }
            entries.Add(new YEntry(key, value, line.Number));
        }
        if (at < lines.Count && lines[at].Indent > indent) throw input.Error(lines[at].Number, "unexpected indentation");
        return new YMap(first.Number, entries);
    }

    static bool IsItem(string text) => text == "-" || text.StartsWith("- ", StringComparison.Ordinal);

    /// <summary>The index of the ':' that ends a plain key (followed by a space or the end of the line), or -1.</summary>
    static int KeyEnd(string text)
    {
        if (text.Length > 0 && text[0] is '"' or '\'') return 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == ':' && (i + 1 == text.Length || text[i + 1] == ' ')) return i;
            if (text[i] == '#' && i > 0 && text[i - 1] == ' ') return -1;
        }
        return -1;
    }

    static (string Key, string Value) Key(LockfileInput input, Line line)
    {
        var text = line.Text;
        string key;
        int after;
        if (text[0] is '"' or '\'')
        {
            var end = 0;
            key = Quoted(input, line.Number, text, ref end);
            after = end;
            while (after < text.Length && text[after] == ' ') after++;
            if (after >= text.Length || text[after] != ':') throw input.Error(line.Number, "a quoted key must be followed by ':'");
        }
        else
        {
            after = KeyEnd(text);
            if (after <= 0) throw input.Error(line.Number, $"expected 'key: value', found '{LockfileInput.Shorten(text)}'");
            key = text[..after].TrimEnd();
            if (key.Length == 0) throw input.Error(line.Number, "a key that is only white space");
            if (key[0] is '&' or '*' or '!' or '?' or '|' or '>' or '{' or '[') throw input.Error(line.Number, $"'{key[0]}' starts a YAML feature lockfiles do not use");
        }
        return (key, StripComment(text[(after + 1)..]).Trim());
    }

    static string StripComment(string text)
    {
        // Only outside quotes; a '#' inside a plain scalar needs a space before it to start a comment.
        char quote = '\0';
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quote != '\0')
            {
                if (c == '\\' && quote == '"') i++;
                else if (c == quote) quote = '\0';
            }
            else if (c is '"' or '\'' && (i == 0 || text[i - 1] is ' ' or '{' or '[' or ',' or ':')) quote = c;
            else if (c == '#' && (i == 0 || text[i - 1] == ' ')) return text[..i];
        }
        return text;
    }

    static YNode Inline(LockfileInput input, int line, string text, int depth)
    {
        text = StripComment(text).Trim();
        if (text.Length == 0) return new YScalar(line, "");
        switch (text[0])
        {
            case '|' or '>':
                throw input.Error(line, "block scalars ('|', '>') are not used in lockfiles");
            case '&' or '*' or '!':
                throw input.Error(line, "anchors, aliases and tags are not used in lockfiles");
            case '{' or '[':
                var at = 0;
                var node = Flow(input, line, text, ref at, depth + 1);
                SkipSpaces(text, ref at);
                if (at != text.Length) throw input.Error(line, $"unexpected '{LockfileInput.Shorten(text[at..])}' after a flow collection");
                return node;
            case '"' or '\'':
                var end = 0;
                var value = Quoted(input, line, text, ref end);
                if (end != text.Length) throw input.Error(line, $"unexpected '{LockfileInput.Shorten(text[end..])}' after a quoted string");
                return new YScalar(line, value);
            default:
                return new YScalar(line, text);
        }
    }

    static YNode Flow(LockfileInput input, int line, string text, ref int at, int depth)
    {
        if (depth > MaxDepth) throw input.Error(line, "nested too deeply");
        var open = text[at++];
        var close = open == '{' ? '}' : ']';
        var entries = new List<YEntry>();
        var items = new List<YNode>();
        while (true)
        {
            SkipSpaces(text, ref at);
            if (at >= text.Length) throw input.Error(line, $"'{open}' is not closed on its line");
            if (text[at] == close)
            {
                at++;
                break;
            }
            if (open == '{')
            {
                string key;
                if (text[at] is '"' or '\'') key = Quoted(input, line, text, ref at);
                else
                {
                    var start = at;
                    while (at < text.Length && !(text[at] == ':' && (at + 1 == text.Length || text[at + 1] is ' ' or ',' or '}')) && text[at] is not (',' or '}')) at++;
                    key = text[start..at].Trim();
                }
                SkipSpaces(text, ref at);
                if (at >= text.Length || text[at] != ':') throw input.Error(line, $"expected ':' after '{LockfileInput.Shorten(key)}' in a flow mapping");
                at++;
                SkipSpaces(text, ref at);
                entries.Add(new YEntry(key, FlowValue(input, line, text, ref at, close, depth), line));
            }
            else
            {
                items.Add(FlowValue(input, line, text, ref at, close, depth));
            }
            SkipSpaces(text, ref at);
            if (at < text.Length && text[at] == ',') at++;
            else if (at >= text.Length || text[at] != close) throw input.Error(line, $"expected ',' or '{close}' in a flow collection");
        }
        return open == '{' ? new YMap(line, entries) : new YSeq(line, items);
    }

    static YNode FlowValue(LockfileInput input, int line, string text, ref int at, char close, int depth)
    {
        if (at >= text.Length) throw input.Error(line, "a flow collection ends in the middle of an entry");
        if (text[at] is '{' or '[') return Flow(input, line, text, ref at, depth + 1);
        if (text[at] is '"' or '\'') return new YScalar(line, Quoted(input, line, text, ref at));
        var start = at;
        while (at < text.Length && text[at] != ',' && text[at] != close) at++;
        return new YScalar(line, text[start..at].Trim());
    }

    static string Quoted(LockfileInput input, int line, string text, ref int at)
    {
        var quote = text[at++];
        var value = new StringBuilder();
        while (true)
        {
            if (at >= text.Length) throw input.Error(line, $"a {(quote == '"' ? "double" : "single")}-quoted string is not closed on its line");
            var c = text[at++];
            if (c == quote)
            {
                if (quote == '\'' && at < text.Length && text[at] == '\'')
                {
                    value.Append('\'');
                    at++;
                    continue;
                }
                return value.ToString();
            }
            if (c == '\\' && quote == '"')
            {
                if (at >= text.Length) throw input.Error(line, "a double-quoted string ends in an escape");
                var e = text[at++];
                switch (e)
                {
                    case 'n': value.Append('\n'); break;
                    case 't': value.Append('\t'); break;
                    case 'r': value.Append('\r'); break;
                    case '0': value.Append('\0'); break;
                    case '"' or '\\' or '/' or ' ': value.Append(e); break;
                    case 'u' or 'x':
                        var digits = e == 'u' ? 4 : 2;
                        if (at + digits > text.Length || !int.TryParse(text.AsSpan(at, digits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code))
                            throw input.Error(line, $"'\\{e}' must be followed by {digits} hex digits");
                        value.Append((char)code);
                        at += digits;
                        break;
                    default:
                        throw input.Error(line, $"unknown escape '\\{e}' in a double-quoted string");
                }
                continue;
            }
            value.Append(c);
        }
    }

    static void SkipSpaces(string text, ref int at)
    {
        while (at < text.Length && text[at] == ' ') at++;
    }
}
