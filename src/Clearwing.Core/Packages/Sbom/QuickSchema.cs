using System.Text.Json;
using System.Text.RegularExpressions;

namespace Clearwing.Packages;

/// <summary>
/// A compiled draft-07 JSON Schema evaluator for the fast path of SBOM validation: a 300,000-component BOM must be
/// checked in seconds, and the reference evaluator (JsonSchema.Net) spends 50–100 µs on each component. This one
/// answers in a few microseconds with <see cref="Verdict.Valid"/>, <see cref="Verdict.Invalid"/> or
/// <see cref="Verdict.Unknown"/>; only <see cref="Verdict.Valid"/> is trusted. Anything it does not evaluate exactly —
/// <c>format</c>, a keyword outside the list below, a pattern .NET cannot run as ECMAScript, long unique arrays — is
/// Unknown, and the caller asks the reference evaluator, which also words every error. So it can only ever be faster,
/// never more lenient; <c>SbomReaderTests</c> hold the two to the same verdicts over the specification's documents.
/// </summary>
/// <remarks>Keywords evaluated (draft-07, where <c>$ref</c> hides its siblings): $ref, type, enum, const, pattern,
/// minLength, maxLength, minimum, maximum, properties, additionalProperties, required, items, additionalItems, minItems,
/// maxItems, uniqueItems, allOf, anyOf, oneOf, not, if/then/else.</remarks>
internal sealed class QuickSchema
{
    public enum Verdict { Valid, Invalid, Unknown }

    static readonly HashSet<string> Annotations =
        ["title", "description", "examples", "default", "$comment", "$id", "$schema", "definitions", "meta:enum", "readOnly", "writeOnly"];

    readonly Func<string, JsonElement> _document;
    readonly Dictionary<string, Node> _compiled = new(StringComparer.Ordinal);
    readonly Node _root;

    /// <param name="document">The root of a schema document by file name (the <c>$ref</c> targets: <c>spdx.schema.json</c>, …).</param>
    /// <param name="name">The document the schema is in.</param>
    /// <param name="pointer">Where in it (<c>/definitions/component</c>).</param>
    public QuickSchema(Func<string, JsonElement> document, string name, string pointer)
    {
        _document = document;
        _root = Resolve(name, pointer);
    }

    public Verdict Check(JsonElement instance) => _root.Check(instance);

    /// <summary>A compiled schema; filled after it is registered, so recursive schemas (components in components) resolve.</summary>
    sealed class Node
    {
        public Func<JsonElement, Verdict> Check = _ => Verdict.Unknown;
    }

    Node Resolve(string name, string pointer)
    {
        var key = name + "#" + pointer;
        if (_compiled.TryGetValue(key, out var node)) return node;
        node = new Node();
        _compiled[key] = node;
        var schema = _document(name);
        foreach (var raw in pointer.Split('/').Skip(1))
        {
            var step = Uri.UnescapeDataString(raw).Replace("~1", "/").Replace("~0", "~");
            if (schema.ValueKind != JsonValueKind.Object || !schema.TryGetProperty(step, out schema)) return node; // unresolvable: Unknown
        }
        node.Check = Compile(schema, name);
        return node;
    }

    Func<JsonElement, Verdict> Compile(JsonElement schema, string name)
    {
        if (schema.ValueKind == JsonValueKind.True) return _ => Verdict.Valid;
        if (schema.ValueKind == JsonValueKind.False) return _ => Verdict.Invalid;
        if (schema.ValueKind != JsonValueKind.Object) return _ => Verdict.Unknown;
        if (schema.TryGetProperty("$ref", out var reference))
        {
            var text = reference.GetString() ?? "";
            var hash = text.IndexOf('#');
            var target = Resolve(hash == 0 ? name : hash < 0 ? text : text[..hash], hash < 0 ? "" : text[(hash + 1)..]);
            return e => target.Check(e);
        }
        var checks = new List<Func<JsonElement, Verdict>>();
        JsonElement? thenSchema = schema.TryGetProperty("then", out var t) ? t : null, elseSchema = schema.TryGetProperty("else", out var el) ? el : null;
        foreach (var keyword in schema.EnumerateObject())
        {
            var v = keyword.Value;
            switch (keyword.Name)
            {
                case "type": checks.Add(Type(v)); break;
                case "enum": checks.Add(Enum(v)); break;
                case "const":
                    var constant = v.Clone();
                    checks.Add(e => Equal(e, constant) switch { true => Verdict.Valid, false => Verdict.Invalid, null => Verdict.Unknown });
                    break;
                case "pattern": checks.Add(Pattern(v.GetString() ?? "")); break;
                case "minLength":
                    var min = v.GetInt32();
                    checks.Add(e => e.ValueKind != JsonValueKind.String || Length(e) >= min ? Verdict.Valid : Verdict.Invalid);
                    break;
                case "maxLength":
                    var max = v.GetInt32();
                    checks.Add(e => e.ValueKind != JsonValueKind.String || Length(e) <= max ? Verdict.Valid : Verdict.Invalid);
                    break;
                case "minimum":
                    // Compared as decimals, exactly; a number beyond decimal's range or precision is Unknown.
                    var low = v.GetDecimal();
                    checks.Add(e => e.ValueKind != JsonValueKind.Number ? Verdict.Valid : !Exact(e, out var n) ? Verdict.Unknown : n >= low ? Verdict.Valid : Verdict.Invalid);
                    break;
                case "maximum":
                    var high = v.GetDecimal();
                    checks.Add(e => e.ValueKind != JsonValueKind.Number ? Verdict.Valid : !Exact(e, out var n) ? Verdict.Unknown : n <= high ? Verdict.Valid : Verdict.Invalid);
                    break;
                case "required":
                    var required = v.EnumerateArray().Select(r => r.GetString()!).ToArray();
                    checks.Add(e => e.ValueKind != JsonValueKind.Object || required.All(r => e.TryGetProperty(r, out _)) ? Verdict.Valid : Verdict.Invalid);
                    break;
                case "properties":
                case "additionalProperties":
                    if (keyword.Name == "additionalProperties" && schema.TryGetProperty("properties", out _)) break; // compiled with properties
                    checks.Add(Properties(schema, name));
                    break;
                case "items":
                case "additionalItems":
                    if (keyword.Name == "additionalItems" && schema.TryGetProperty("items", out _)) break;
                    checks.Add(Items(schema, name));
                    break;
                case "minItems":
                    var fewest = v.GetInt32();
                    checks.Add(e => e.ValueKind != JsonValueKind.Array || e.GetArrayLength() >= fewest ? Verdict.Valid : Verdict.Invalid);
                    break;
                case "maxItems":
                    var most = v.GetInt32();
                    checks.Add(e => e.ValueKind != JsonValueKind.Array || e.GetArrayLength() <= most ? Verdict.Valid : Verdict.Invalid);
                    break;
                case "uniqueItems":
                    if (v.ValueKind == JsonValueKind.True) checks.Add(Unique);
                    break;
                case "allOf":
                    var all = v.EnumerateArray().Select(s => Compile(s, name)).ToArray();
                    checks.Add(e => All(all, e));
                    break;
                case "anyOf":
                    var any = v.EnumerateArray().Select(s => Compile(s, name)).ToArray();
                    checks.Add(e =>
                    {
                        var unknown = false;
                        foreach (var c in any)
                            switch (c(e))
                            {
                                case Verdict.Valid: return Verdict.Valid;
                                case Verdict.Unknown: unknown = true; break;
                            }
                        return unknown ? Verdict.Unknown : Verdict.Invalid;
                    });
                    break;
                case "oneOf":
                    var one = v.EnumerateArray().Select(s => Compile(s, name)).ToArray();
                    checks.Add(e =>
                    {
                        int valid = 0;
                        foreach (var c in one)
                            switch (c(e))
                            {
                                case Verdict.Valid: valid++; break;
                                case Verdict.Unknown: return Verdict.Unknown;
                            }
                        return valid == 1 ? Verdict.Valid : Verdict.Invalid;
                    });
                    break;
                case "not":
                    var not = Compile(v, name);
                    checks.Add(e => not(e) switch { Verdict.Valid => Verdict.Invalid, Verdict.Invalid => Verdict.Valid, _ => Verdict.Unknown });
                    break;
                case "if":
                    var condition = Compile(v, name);
                    var then = thenSchema is { } ts ? Compile(ts, name) : _ => Verdict.Valid;
                    var otherwise = elseSchema is { } es ? Compile(es, name) : _ => Verdict.Valid;
                    checks.Add(e => condition(e) switch { Verdict.Valid => then(e), Verdict.Invalid => otherwise(e), _ => Verdict.Unknown });
                    break;
                case "then":
                case "else":
                    break; // compiled with "if"; without it they do nothing
                case "format":
                    checks.Add(e => e.ValueKind == JsonValueKind.String ? Verdict.Unknown : Verdict.Valid);
                    break;
                default:
                    if (!Annotations.Contains(keyword.Name)) checks.Add(_ => Verdict.Unknown);
                    break;
            }
        }
        var array = checks.ToArray();
        return array.Length switch
        {
            0 => _ => Verdict.Valid,
            1 => array[0],
            _ => e => All(array, e),
        };
    }

    /// <summary>Every check holds: one Invalid makes it Invalid, else one Unknown makes it Unknown.</summary>
    static Verdict All(Func<JsonElement, Verdict>[] checks, JsonElement e)
    {
        var result = Verdict.Valid;
        foreach (var check in checks)
        {
            var v = check(e);
            if (v == Verdict.Invalid) return Verdict.Invalid;
            if (v == Verdict.Unknown) result = Verdict.Unknown;
        }
        return result;
    }

    /// <summary>Every element of an array passes <paramref name="check"/> (the same rule as <see cref="All(Func{JsonElement, Verdict}[], JsonElement)"/>).</summary>
    static Verdict Each(JsonElement array, Func<JsonElement, int, Verdict> check)
    {
        var result = Verdict.Valid;
        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            var v = check(item, i++);
            if (v == Verdict.Invalid) return Verdict.Invalid;
            if (v == Verdict.Unknown) result = Verdict.Unknown;
        }
        return result;
    }

    static Func<JsonElement, Verdict> Type(JsonElement type)
    {
        var names = type.ValueKind == JsonValueKind.Array ? type.EnumerateArray().Select(t => t.GetString()!).ToArray() : [type.GetString()!];
        return e =>
        {
            foreach (var name in names)
            {
                var matches = name switch
                {
                    "string" => e.ValueKind == JsonValueKind.String,
                    "object" => e.ValueKind == JsonValueKind.Object,
                    "array" => e.ValueKind == JsonValueKind.Array,
                    "boolean" => e.ValueKind is JsonValueKind.True or JsonValueKind.False,
                    "null" => e.ValueKind == JsonValueKind.Null,
                    "number" => e.ValueKind == JsonValueKind.Number,
                    "integer" => e.ValueKind != JsonValueKind.Number ? false : e.TryGetInt64(out _) ? true : Exact(e, out var d) ? d == decimal.Truncate(d) : null,
                    _ => (bool?)null,
                };
                if (matches is null) return Verdict.Unknown;
                if (matches.Value) return Verdict.Valid;
            }
            return Verdict.Invalid;
        };
    }

    static Func<JsonElement, Verdict> Enum(JsonElement values)
    {
        var all = values.EnumerateArray().Select(v => v.Clone()).ToArray();
        var strings = all.Where(v => v.ValueKind == JsonValueKind.String).Select(v => v.GetString()!).ToHashSet(StringComparer.Ordinal);
        return e =>
        {
            if (e.ValueKind == JsonValueKind.String) return strings.Contains(e.GetString()!) ? Verdict.Valid : Verdict.Invalid;
            var unknown = false;
            foreach (var v in all)
                switch (Equal(e, v))
                {
                    case true: return Verdict.Valid;
                    case null: unknown = true; break;
                }
            return unknown ? Verdict.Unknown : Verdict.Invalid;
        };
    }

    static Func<JsonElement, Verdict> Pattern(string pattern)
    {
        Regex regex;
        try
        {
            // ECMAScript semantics (ASCII \d, \w): as strict as the schema's ECMA-262 patterns, never looser. No timeout:
            // the patterns are the embedded schemas' own, and arming a timer for each match costs more than the match.
            regex = new Regex(pattern, RegexOptions.ECMAScript | RegexOptions.CultureInvariant | RegexOptions.Compiled, Regex.InfiniteMatchTimeout);
        }
        catch (ArgumentException)
        {
            return e => e.ValueKind == JsonValueKind.String ? Verdict.Unknown : Verdict.Valid;
        }
        // .NET's $ also matches before a final newline, ECMA-262's does not: such strings go to the reference evaluator.
        return e =>
        {
            if (e.ValueKind != JsonValueKind.String) return Verdict.Valid;
            var text = e.GetString()!;
            return text.Contains('\n') ? Verdict.Unknown : regex.IsMatch(text) ? Verdict.Valid : Verdict.Invalid;
        };
    }

    Func<JsonElement, Verdict> Properties(JsonElement schema, string name)
    {
        var properties = schema.TryGetProperty("properties", out var p)
            ? p.EnumerateObject().ToDictionary(x => x.Name, x => Compile(x.Value, name), StringComparer.Ordinal)
            : new Dictionary<string, Func<JsonElement, Verdict>>(StringComparer.Ordinal);
        Func<JsonElement, Verdict>? additional = schema.TryGetProperty("additionalProperties", out var a) ? Compile(a, name) : null;
        return e =>
        {
            if (e.ValueKind != JsonValueKind.Object) return Verdict.Valid;
            var result = Verdict.Valid;
            foreach (var property in e.EnumerateObject())
            {
                var check = properties.GetValueOrDefault(property.Name) ?? additional;
                if (check is null) continue;
                var v = check(property.Value);
                if (v == Verdict.Invalid) return Verdict.Invalid;
                if (v == Verdict.Unknown) result = Verdict.Unknown;
            }
            return result;
        };
    }

    Func<JsonElement, Verdict> Items(JsonElement schema, string name)
    {
        if (!schema.TryGetProperty("items", out var items)) return _ => Verdict.Valid; // additionalItems alone does nothing
        if (items.ValueKind != JsonValueKind.Array)
        {
            var each = Compile(items, name);
            return e => e.ValueKind != JsonValueKind.Array ? Verdict.Valid : Each(e, (x, _) => each(x));
        }
        var positional = items.EnumerateArray().Select(s => Compile(s, name)).ToArray();
        Func<JsonElement, Verdict> rest = schema.TryGetProperty("additionalItems", out var ai) ? Compile(ai, name) : _ => Verdict.Valid;
        return e => e.ValueKind != JsonValueKind.Array ? Verdict.Valid : Each(e, (x, i) => i < positional.Length ? positional[i](x) : rest(x));
    }

    static Verdict Unique(JsonElement e)
    {
        if (e.ValueKind != JsonValueKind.Array || e.GetArrayLength() < 2) return Verdict.Valid;
        var items = e.EnumerateArray().ToArray();
        if (items.Length > 256) return Verdict.Unknown;
        for (var i = 0; i < items.Length; i++)
            for (var j = i + 1; j < items.Length; j++)
                switch (Equal(items[i], items[j]))
                {
                    case true: return Verdict.Invalid;
                    case null: return Verdict.Unknown;
                }
        return Verdict.Valid;
    }

    /// <summary>JSON equality (numbers by value, objects regardless of order); null when it cannot tell.</summary>
    static bool? Equal(JsonElement a, JsonElement b)
    {
        if (a.ValueKind != b.ValueKind) return false;
        switch (a.ValueKind)
        {
            case JsonValueKind.String: return a.GetString() == b.GetString();
            case JsonValueKind.Number:
                return Exact(a, out var x) && Exact(b, out var y) ? x == y : null;
            case JsonValueKind.Array:
                if (a.GetArrayLength() != b.GetArrayLength()) return false;
                bool? same = true;
                foreach (var (p, q) in a.EnumerateArray().Zip(b.EnumerateArray()))
                {
                    var eq = Equal(p, q);
                    if (eq == false) return false;
                    if (eq is null) same = null;
                }
                return same;
            case JsonValueKind.Object:
                var left = a.EnumerateObject().ToList();
                var right = b.EnumerateObject().ToList();
                if (left.Count != right.Count || left.Select(l => l.Name).Distinct().Count() != left.Count) return left.Count == right.Count ? null : false;
                bool? equal = true;
                foreach (var l in left)
                {
                    if (!b.TryGetProperty(l.Name, out var r)) return false;
                    var eq = Equal(l.Value, r);
                    if (eq == false) return false;
                    if (eq is null) equal = null;
                }
                return equal;
            default: return true;
        }
    }

    /// <summary>The number's exact value: only short numerals, which decimal holds without rounding.</summary>
    static bool Exact(JsonElement e, out decimal value)
    {
        value = 0;
        return e.GetRawText().Length <= 20 && e.TryGetDecimal(out value);
    }

    /// <summary>String length as JSON Schema counts it: in code points.</summary>
    static int Length(JsonElement e)
    {
        var s = e.GetString()!;
        var n = 0;
        foreach (var _ in s.EnumerateRunes()) n++;
        return n;
    }
}
