using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace Clearwing.Packages;

/// <summary>
/// The OSV schema 1.7.5 (JSON Schema draft 2020-12, embedded from <c>Packages/Osv/osv-schema-1.7.5.json</c>, see its
/// SOURCES.md), evaluated by JsonSchema.Net. <c>format</c> is an annotation, as the draft and OSV's own validator
/// treat it; the timestamps' shape is held by the schema's pattern and by <see cref="OsvAdvisory.Read"/>.
/// </summary>
internal static class OsvSchema
{
    public const string Version = "1.7.5";
    const string Resource = "Clearwing.Packages.Osv.osv-schema-1.7.5.json";

    static readonly Lazy<(JsonSchema Schema, JsonNode Text)> Loaded = new(Load);
    static readonly EvaluationOptions Flag = new() { OutputFormat = OutputFormat.Flag };
    static readonly EvaluationOptions Hierarchical = new() { OutputFormat = OutputFormat.Hierarchical };

    /// <summary>The schema's text, as embedded.</summary>
    public static string Text
    {
        get
        {
            using var stream = typeof(OsvSchema).Assembly.GetManifestResourceStream(Resource)!;
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        }
    }

    static (JsonSchema, JsonNode) Load()
    {
        var text = Text;
        return (JsonSchema.FromText(text), JsonNode.Parse(text)!);
    }

    /// <summary>Null when the record conforms; otherwise the most specific violation: its JSON path and the reason.</summary>
    public static OsvRecordException? Validate(JsonElement record)
    {
        var (schema, text) = Loaded.Value;
        if (schema.Evaluate(record, Flag).IsValid) return null;
        // Only a failing record pays for the detailed output. The hierarchy is walked through failing nodes only: a
        // oneOf branch or an "if" that fails inside a passing node is not a violation.
        var results = schema.Evaluate(record, Hierarchical);
        var best = (Depth: -1, Rank: int.MaxValue, Path: "$", Reason: "does not conform to the OSV schema");
        // Some failures ("not") carry no message: the deepest failing node then says where, and its rule's title why.
        var fallback = (Depth: -1, Length: -1, Node: results);
        var pending = new Stack<EvaluationResults>();
        pending.Push(results);
        while (pending.TryPop(out var node))
        {
            if (node.IsValid) continue;
            var errors = node.Errors ?? new Dictionary<string, string>();
            var pointer = node.InstanceLocation.ToString();
            var depth = pointer.Count(c => c == '/');
            var length = node.EvaluationPath.ToString().Length;
            if (depth > fallback.Depth || depth == fallback.Depth && length > fallback.Length) fallback = (depth, length, node);
            if (errors.ContainsKey("oneOf") && (node.Details?.Count(d => d.IsValid) ?? 0) > 1)
            {
                // More than one alternative fits (an event with two fields): that is the violation, not the alternatives' own failures.
                var title = Title(text, node.EvaluationPath.ToString());
                var reason = $"matches {node.Details!.Count(d => d.IsValid)} of the alternatives where exactly one must match";
                if (depth > best.Depth) best = (depth, 0, JsonPath(pointer), title is null ? reason : $"{reason} ({title})");
                continue;
            }
            foreach (var (keyword, message) in errors)
            {
                var rank = Rank(keyword);
                if (depth < best.Depth || depth == best.Depth && rank >= best.Rank) continue;
                var title = Title(text, node.EvaluationPath.ToString());
                var reason = Explain(keyword, message, record, pointer);
                best = (depth, rank, JsonPath(pointer), title is null ? reason : $"{reason} ({title})");
            }
            // A failed "contains" says it at the array; its items' failures say nothing more.
            if (errors.ContainsKey("contains")) continue;
            foreach (var child in node.Details ?? []) pending.Push(child);
        }
        if (best.Depth < 0)
        {
            var pointer = fallback.Node.InstanceLocation.ToString();
            var title = Title(text, fallback.Node.EvaluationPath.ToString());
            best = (0, 0, JsonPath(pointer), title is null
                ? $"does not conform to the OSV schema ({fallback.Node.EvaluationPath})"
                : $"breaks the schema's rule: {title}");
        }
        return new OsvRecordException(best.Path, best.Reason);
    }

    // The keyword that says what is wrong with the value itself beats the combinators that only say a branch failed.
    static int Rank(string keyword) => keyword switch
    {
        "pattern" or "enum" or "const" or "type" or "minItems" or "additionalProperties" or "format" => 0,
        "required" => 1,
        "contains" or "not" => 2,
        _ => 3,
    };

    static string Explain(string keyword, string message, JsonElement record, string pointer)
    {
        var value = Find(record, pointer);
        var shown = value is { ValueKind: JsonValueKind.String } s ? $"'{Clip(s.GetString()!)}' " : "";
        return keyword switch
        {
            "pattern" => $"{shown}does not match the pattern the schema requires",
            "enum" => $"{shown}is not one of the values the schema allows",
            "additionalProperties" => $"a property the schema does not define: {message}",
            _ => message,
        };
    }

    static string Clip(string s) => s.Length <= 80 ? s : s[..77] + "...";

    static JsonElement? Find(JsonElement root, string pointer)
    {
        var current = root;
        foreach (var raw in pointer.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var part = raw.Replace("~1", "/").Replace("~0", "~");
            if (current.ValueKind == JsonValueKind.Object && current.TryGetProperty(part, out var next)) current = next;
            else if (current.ValueKind == JsonValueKind.Array && int.TryParse(part, out var i) && i < current.GetArrayLength()) current = current[i];
            else return null;
        }
        return current;
    }

    /// <summary>The nearest <c>title</c> along the evaluation path (the schema names some rules, e.g. "GIT ranges require a repo").</summary>
    static string? Title(JsonNode schema, string evaluationPath)
    {
        string? title = null;
        JsonNode? node = schema;
        foreach (var raw in evaluationPath.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var part = raw.Replace("~1", "/").Replace("~0", "~");
            if (part == "$ref")
            {
                // Follow a local reference (#/$defs/...) so titles under $defs are found too.
                var target = node?["$ref"]?.GetValue<string>();
                node = target is not null && target.StartsWith("#/", StringComparison.Ordinal) ? Resolve(schema, target[2..]) : null;
            }
            else node = node switch
            {
                // The evaluation path repeats "items" (keyword, then the applied subschema); the schema has one.
                JsonObject o when part == "items" && o["items"] is null => o,
                JsonObject o => o[part],
                JsonArray a when int.TryParse(part, out var i) && i < a.Count => a[i],
                _ => null,
            };
            if (node is null) break;
            if (node is JsonObject obj && obj["title"] is JsonValue t && t.TryGetValue<string>(out var text)
                && !text.StartsWith("Currently", StringComparison.Ordinal))
                title = text;
        }
        return title;
    }

    static JsonNode? Resolve(JsonNode schema, string path)
    {
        JsonNode? node = schema;
        foreach (var part in path.Split('/')) node = node?[part];
        return node;
    }

    /// <summary>A JSON pointer (<c>/affected/0/package</c>) as the JSON path Clearwing's errors use (<c>$.affected[0].package</c>).</summary>
    public static string JsonPath(string jsonPointer)
    {
        var path = new StringBuilder("$");
        foreach (var raw in jsonPointer.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var part = raw.Replace("~1", "/").Replace("~0", "~");
            if (part.All(char.IsAsciiDigit)) path.Append('[').Append(part).Append(']');
            else path.Append('.').Append(part);
        }
        return path.ToString();
    }
}
