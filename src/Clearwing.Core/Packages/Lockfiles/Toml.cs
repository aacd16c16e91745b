using Tomlyn;
using Tomlyn.Parsing;
using Tomlyn.Syntax;

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

/// <summary>A number, boolean or date: no reader needs its value.</summary>
internal sealed class TBare(int line) : TValue(line);

internal sealed class TArray(int line) : TValue(line)
{
    readonly List<TValue> _items = [];
    public IReadOnlyList<TValue> Items => _items;

    public T Add<T>(T item) where T : TValue
    {
        _items.Add(item);
        return item;
    }
}

/// <summary>A table, whether written as a <c>[header]</c>, an inline table or dotted keys; its line is where it begins.</summary>
internal sealed class TTable(int line) : TValue(line)
{
    readonly List<(string Key, TValue Value)> _entries = [];
    public IReadOnlyList<(string Key, TValue Value)> Entries => _entries;
    public TValue? this[string key] => _entries.FirstOrDefault(e => e.Key == key).Value;

    public T Add<T>(string key, T value) where T : TValue
    {
        _entries.Add((key, value));
        return value;
    }

    /// <summary>The tables of an array of tables such as <c>[[package]]</c>; none when the key is absent.</summary>
    public IReadOnlyList<TTable> TablesOf(LockfileInput input, string key) => this[key] switch
    {
        null => [],
        TArray array when array.Items.All(i => i is TTable) => [.. array.Items.Cast<TTable>()],
        var other => throw input.Error(other.Line, $"'{key}' must be an array of tables ([[{key}]])"),
    };
}

/// <summary>
/// Cargo.lock, poetry.lock and pyproject.toml, parsed and validated by Tomlyn (TOML 1.0 and 1.1) and assembled into
/// nested tables that keep their lines: a <c>[[package]]</c> is at its header's line, a value at its own. Headers,
/// dotted keys and inline tables all build the same tree, so <c>[tool.poetry.dependencies]</c>,
/// <c>tool.poetry.dependencies.requests = "^2"</c> and <c>dependencies = { requests = "^2" }</c> read alike.
/// </summary>
internal static class Toml
{
    public static TTable Parse(LockfileInput input)
    {
        DocumentSyntax document;
        try
        {
            document = SyntaxParser.Parse(input.Text, input.File, validate: true);
        }
        catch (TomlException e)
        {
            // Tomlyn throws rather than reports when nesting passes its limit (64).
            throw input.Error(e.Line, "not valid TOML: " + e.Message);
        }
        catch (ArgumentException e)
        {
            // Tomlyn 2.11 fails this way describing a backslash before a lone surrogate (found by LockfilePropertyTests).
            throw input.Error(null, "not valid TOML: " + e.Message);
        }
        if (document.Diagnostics.FirstOrDefault(d => d.Kind == DiagnosticMessageKind.Error) is { } error)
            throw input.Error(error.Span.Start.Line + 1, "not valid TOML: " + Reword(error.Message));

        var root = new TTable(1);
        foreach (var pair in document.KeyValues) Assign(input, root, pair);
        foreach (var header in document.Tables)
        {
            var line = Line(header);
            var path = Parts(header.Name!);
            TTable table;
            if (header is TableArraySyntax)
            {
                var parent = Descend(input, root, path[..^1], line);
                var array = parent[path[^1]] switch
                {
                    null => parent.Add(path[^1], new TArray(line)),
                    TArray existing => existing,
                    _ => throw input.Error(line, $"not valid TOML: '{path[^1]}' is not an array of tables"),
                };
                table = array.Add(new TTable(line));
            }
            else
            {
                table = Descend(input, root, path, line);
            }
            foreach (var pair in header.Items) Assign(input, table, pair);
        }
        return root;
    }

    /// <summary>Tomlyn names the token it missed; a reader of the file wants to know what to write.</summary>
    static string Reword(string message) =>
        message == "Missing a `,` (token: comma) to separate items in an array" ? "expected ',' or ']' in an array" : message;

    static void Assign(LockfileInput input, TTable table, KeyValueSyntax pair)
    {
        var path = Parts(pair.Key!);
        Descend(input, table, path[..^1], Line(pair)).Add(path[^1], Value(input, pair.Value!));
    }

    /// <summary>The table at a path of keys, made where missing; a key naming an array of tables means its last table.</summary>
    static TTable Descend(LockfileInput input, TTable from, string[] path, int line)
    {
        var table = from;
        foreach (var key in path)
        {
            table = table[key] switch
            {
                null => table.Add(key, new TTable(line)),
                TTable existing => existing,
                TArray { Items: [.., TTable last] } => last,
                _ => throw input.Error(line, $"not valid TOML: '{key}' is not a table"),
            };
        }
        return table;
    }

    /// <summary>Recursion is bounded: Tomlyn refuses nesting deeper than 64 before this sees it.</summary>
    static TValue Value(LockfileInput input, ValueSyntax value)
    {
        var line = Line(value);
        switch (value)
        {
            case StringValueSyntax text:
                return new TString(line, text.Value ?? "");
            case ArraySyntax list:
                var array = new TArray(line);
                foreach (var item in list.Items) array.Add(Value(input, item.Value!));
                return array;
            case InlineTableSyntax inline:
                var table = new TTable(line);
                foreach (var item in inline.Items) Assign(input, table, item.KeyValue!);
                return table;
            default:
                return new TBare(line);
        }
    }

    static string[] Parts(KeySyntax key) => [Part(key.Key!), .. key.DotKeys.Select(d => Part(d.Key!))];

    static string Part(BareKeyOrStringValueSyntax key) => key switch
    {
        BareKeySyntax bare => bare.Key!.Text!,
        StringValueSyntax quoted => quoted.Value ?? "",
        _ => throw new InvalidOperationException($"Tomlyn gave a key of type {key.GetType().Name}."),
    };

    static int Line(SyntaxNodeBase node) => node.Span.Start.Line + 1;
}
