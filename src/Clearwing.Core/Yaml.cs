using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Clearwing;

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

/// <param name="plain">Written without quotes: only such a scalar may be read as a number or a boolean.</param>
internal sealed class YScalar(int line, string value, bool plain = false) : YNode(line)
{
    public string Value { get; } = value;
    public bool Plain { get; } = plain;
}

/// <summary>
/// YAML the way Clearwing reads it — lockfiles (pnpm-lock.yaml, Yarn Berry's yarn.lock) and intake policies — parsed by
/// YamlDotNet into mappings, sequences and scalars that keep their line (a key's line is its entry's). Scalars stay text,
/// marked when written without quotes, for a reader that types them. Anchors, aliases and tags are refused with their line:
/// none of these files needs them, and an alias would let a small file expand into a huge tree. Keys repeated in a mapping
/// are kept; lookups take the first. Errors are the caller's (<see cref="Error"/>): a file name and a line, or a path.
/// </summary>
internal static class Yaml
{
    const int MaxDepth = 64;

    /// <summary>A mapping or sequence whose end the parser has not reached; a mapping's key waits here for its value.</summary>
    /// <summary>Makes the caller's exception for a problem at a line (null: the whole file).</summary>
    public delegate Exception Error(int? line, string reason);

    sealed class Open(int line, bool isMapping)
    {
        readonly List<YEntry> _entries = [];
        readonly List<YNode> _items = [];
        YScalar? _key;

        public void Add(Error error, YNode node)
        {
            if (!isMapping) _items.Add(node);
            else if (_key is null) _key = node as YScalar ?? throw error(node.Line, "a mapping or sequence as a key");
            else
            {
                _entries.Add(new YEntry(_key.Value, node, _key.Line));
                _key = null;
            }
        }

        public YNode Close() => isMapping ? new YMap(line, _entries) : new YSeq(line, _items);
    }

    /// <param name="kind">What the files are, for the refusal of anchors, aliases and tags ("lockfiles").</param>
    public static YMap Parse(string text, Error error, string kind)
    {
        var parser = new Parser(new StringReader(text));
        var open = new Stack<Open>();
        YNode? document = null;
        while (Next(text, error, parser))
        {
            var e = parser.Current!;
            var line = Line(e.Start);
            if (e is AnchorAlias || e is NodeEvent { Anchor.IsEmpty: false } or NodeEvent { Tag.IsEmpty: false })
                throw error(line, $"anchors, aliases and tags are not used in {kind}");
            YNode node;
            switch (e)
            {
                case Scalar scalar:
                    node = new YScalar(line, scalar.Value, scalar.Style == YamlDotNet.Core.ScalarStyle.Plain);
                    break;
                case MappingStart or SequenceStart:
                    if (open.Count == MaxDepth) throw error(line, "nested too deeply");
                    open.Push(new Open(line, e is MappingStart));
                    continue;
                case MappingEnd or SequenceEnd:
                    node = open.Pop().Close();
                    break;
                default:
                    continue;
            }
            // pnpm 10 may put its own environment lockfile first and the project's after it: the last document counts.
            if (open.Count == 0) document = node;
            else open.Peek().Add(error, node);
        }
        return document switch
        {
            null => new YMap(1, []),
            YMap map => map,
            _ => throw error(document.Line, "expected a mapping at the top of the file"),
        };
    }

    static bool Next(string text, Error error, Parser parser)
    {
        try
        {
            return parser.MoveNext();
        }
        catch (YamlException e)
        {
            var (line, reason) = Explain(text, e);
            throw error(line, "not valid YAML: " + reason);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            // YamlDotNet 18.1 fails these ways on some damaged files, such as "a: {b: c\n\\" (InvalidOperationException) or a
            // %TAG directive whose prefix is no URI ("Global tags must be valid URIs"); both found by LockfilePropertyTests.
            throw error(parser.Current is { } last ? Line(last.End) : null, "not valid YAML after this line");
        }
    }

    /// <summary>
    /// The line and reason for YamlDotNet's error, in the words of the mistakes hand edits make: YamlDotNet blames a tab
    /// on the enclosing mapping's first line, and calls an unclosed string a scalar that runs into the end of the file.
    /// </summary>
    static (int Line, string Reason) Explain(string text, YamlException e)
    {
        var line = Line(e.Start);
        if (e.Message.Contains(" tab ", StringComparison.Ordinal) && FirstTabIndented(text, line) is { } tabbed)
            return (tabbed, "a tab in the indentation (YAML indents with spaces)");
        if (e.Message.Contains("quoted scalar", StringComparison.Ordinal)
            && (e.Message.Contains("end of stream", StringComparison.Ordinal) || e.Message.Contains("wrong indentation", StringComparison.Ordinal)))
        {
            var quote = e.Start.Index < text.Length && text[(int)e.Start.Index] == '\'' ? "single" : "double";
            return (line, $"a {quote}-quoted string is not closed");
        }
        var reason = e.Message.Length > 1 ? char.ToLowerInvariant(e.Message[0]) + e.Message[1..] : e.Message;
        return (line, reason.TrimEnd('.'));
    }

    static int? FirstTabIndented(string text, int fromLine)
    {
        var number = 0;
        foreach (var line in text.AsSpan().EnumerateLines())
        {
            if (++number < fromLine) continue;
            var indent = line.Length - line.TrimStart(" \t").Length;
            if (line[..indent].Contains('\t')) return number;
        }
        return null;
    }

    /// <summary>The YAML tree as JSON, for a reader that checks it against a JSON schema (a key given twice is refused with its
    /// path): scalars written without quotes are read as YAML 1.2's core schema types them.</summary>
    public static JsonNode? ToJson(YNode node, string path, string file)
    {
        switch (node)
        {
            case YMap map:
                var obj = new JsonObject();
                var seen = new HashSet<string>(StringComparer.Ordinal);
                foreach (var entry in map.Entries)
                {
                    if (!seen.Add(entry.Key)) throw new MalformedInputException(file, Child(path, entry.Key), "given twice");
                    // A key without a value ("packages:" and nothing under it) is as if left out.
                    if (ToJson(entry.Value, Child(path, entry.Key), file) is { } value) obj[entry.Key] = value;
                }
                return obj;
            case YSeq seq:
                var array = new JsonArray();
                for (var i = 0; i < seq.Items.Count; i++) array.Add(ToJson(seq.Items[i], $"{path}[{i}]", file));
                return array;
            default:
                var scalar = (YScalar)node;
                if (!scalar.Plain) return JsonValue.Create(scalar.Value);
                return scalar.Value switch
                {
                    "" or "~" or "null" or "Null" or "NULL" => null,
                    "true" or "True" or "TRUE" => JsonValue.Create(true),
                    "false" or "False" or "FALSE" => JsonValue.Create(false),
                    var v when long.TryParse(v, System.Globalization.NumberStyles.AllowLeadingSign,
                        System.Globalization.CultureInfo.InvariantCulture, out var n) => JsonValue.Create(n),
                    var v => JsonValue.Create(v),
                };
        }
    }

    public static string Child(string path, string key) =>
        key.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '$') && key.Length > 0 ? $"{path}.{key}" : $"{path}['{key.Replace("'", "\\'")}']";

    static int Line(Mark mark) => (int)Math.Clamp(mark.Line, 1, int.MaxValue);
}
