using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Text.Unicode;

namespace Clearwing.Packages;

/// <summary>
/// A compiled draft-07 JSON Schema evaluator for the fast path of SBOM validation: a 300,000-component BOM must be
/// checked in seconds, and the reference evaluator (JsonSchema.Net) spends 50–100 µs on each component. This one
/// answers in a few microseconds, allocating next to nothing, with <see cref="Verdict.Valid"/>, <see cref="Verdict.Invalid"/>
/// or <see cref="Verdict.Unknown"/>; only <see cref="Verdict.Valid"/> is trusted. Anything it does not evaluate exactly —
/// a keyword outside the list below, a format the reference evaluator does not define, a pattern .NET cannot run as
/// ECMAScript, long unique arrays — is Unknown, and the caller asks the reference evaluator, which also words every
/// error. So it can only ever be faster, never more lenient; <c>SbomReaderTests</c> hold the two to the same verdicts
/// over the specification's documents.
/// </summary>
/// <remarks>Keywords evaluated (draft-07, where <c>$ref</c> hides its siblings): $ref, type, enum, const, pattern,
/// minLength, maxLength, minimum, maximum, properties, additionalProperties, required, items, additionalItems, minItems,
/// maxItems, uniqueItems, allOf, anyOf, oneOf, not, if/then/else, and format by the reference evaluator's own checks
/// (<see cref="Json.Schema.Formats"/>), so the two cannot disagree on it.</remarks>
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
        JsonElement? thenSchema = schema.TryGetProperty("then", out var t) ? t : null,
            elseSchema = schema.TryGetProperty("else", out var el) ? el : null;
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
                    checks.Add(e => e.ValueKind != JsonValueKind.Number ? Verdict.Valid
                        : !Exact(e, out var n) ? Verdict.Unknown
                        : n >= low ? Verdict.Valid : Verdict.Invalid);
                    break;
                case "maximum":
                    var high = v.GetDecimal();
                    checks.Add(e => e.ValueKind != JsonValueKind.Number ? Verdict.Valid
                        : !Exact(e, out var n) ? Verdict.Unknown
                        : n <= high ? Verdict.Valid : Verdict.Invalid);
                    break;
                case "required":
                    var required = v.EnumerateArray().Select(r => Encoding.UTF8.GetBytes(r.GetString()!)).ToArray();
                    checks.Add(e =>
                    {
                        if (e.ValueKind != JsonValueKind.Object) return Verdict.Valid;
                        foreach (var r in required)
                            if (!e.TryGetProperty(r, out _)) return Verdict.Invalid;
                        return Verdict.Valid;
                    });
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
                    checks.Add(Format(v.GetString() ?? ""));
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

    /// <summary>Every element of an array passes its <paramref name="positional"/> check, or else <paramref name="rest"/> (the same rule as
    /// <see cref="All(Func{JsonElement, Verdict}[], JsonElement)"/>).</summary>
    static Verdict Each(JsonElement array, Func<JsonElement, Verdict>[] positional, Func<JsonElement, Verdict> rest)
    {
        var result = Verdict.Valid;
        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            var v = (i < positional.Length ? positional[i] : rest)(item);
            i++;
            if (v == Verdict.Invalid) return Verdict.Invalid;
            if (v == Verdict.Unknown) result = Verdict.Unknown;
        }
        return result;
    }

    /// <summary>JSON value kinds as bits, so a <c>type</c> list is one mask test.</summary>
    static int Bit(JsonValueKind kind) => 1 << (int)kind;

    static Func<JsonElement, Verdict> Type(JsonElement type)
    {
        var names = type.ValueKind == JsonValueKind.Array ? type.EnumerateArray().Select(t => t.GetString()!).ToArray() : [type.GetString()!];
        var mask = 0;
        var integer = false;
        foreach (var name in names)
            switch (name)
            {
                case "string": mask |= Bit(JsonValueKind.String); break;
                case "object": mask |= Bit(JsonValueKind.Object); break;
                case "array": mask |= Bit(JsonValueKind.Array); break;
                case "boolean": mask |= Bit(JsonValueKind.True) | Bit(JsonValueKind.False); break;
                case "null": mask |= Bit(JsonValueKind.Null); break;
                case "number": mask |= Bit(JsonValueKind.Number); break;
                case "integer": integer = true; break;
                default: return _ => Verdict.Unknown;
            }
        return e =>
        {
            if ((mask & Bit(e.ValueKind)) != 0) return Verdict.Valid;
            if (!integer || e.ValueKind != JsonValueKind.Number) return Verdict.Invalid;
            return e.TryGetInt64(out _) ? Verdict.Valid
                : !Exact(e, out var d) ? Verdict.Unknown
                : d == decimal.Truncate(d) ? Verdict.Valid : Verdict.Invalid;
        };
    }

    static Func<JsonElement, Verdict> Enum(JsonElement values)
    {
        var all = values.EnumerateArray().Select(v => v.Clone()).ToArray();
        var strings = all.Where(v => v.ValueKind == JsonValueKind.String)
            .Select(v => v.GetString()!)
            .ToHashSet(StringComparer.Ordinal)
            .GetAlternateLookup<ReadOnlySpan<char>>();
        return e =>
        {
            if (e.ValueKind == JsonValueKind.String)
            {
                Span<char> buffer = stackalloc char[ShortText];
                return strings.Contains(Text(e, buffer)) ? Verdict.Valid : Verdict.Invalid;
            }
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
            Span<char> buffer = stackalloc char[ShortText];
            var text = Text(e, buffer);
            return text.Contains('\n') ? Verdict.Unknown : regex.IsMatch(text) ? Verdict.Valid : Verdict.Invalid;
        };
    }

    /// <summary>
    /// The formats the embedded schemas use, checked by the reference evaluator's own code; any other is Unknown. Real
    /// SBOMs carry a URL or a timestamp on most components, so leaving these to the slow path would undo the fast one.
    /// </summary>
    static readonly HashSet<string> Formats = ["date-time", "date", "idn-email", "iri-reference", "uri", "uri-reference", "email"];

    static Func<JsonElement, Verdict> Format(string name)
    {
        if (!Formats.Contains(name)) return e => e.ValueKind == JsonValueKind.String ? Verdict.Unknown : Verdict.Valid;
        var format = Json.Schema.FormatRegistry.Global.Get(name);
        return e => e.ValueKind != JsonValueKind.String || format.Validate(e, out _) ? Verdict.Valid : Verdict.Invalid;
    }

    Func<JsonElement, Verdict> Properties(JsonElement schema, string name)
    {
        var properties = (schema.TryGetProperty("properties", out var p)
            ? p.EnumerateObject().ToDictionary(x => x.Name, x => Compile(x.Value, name), StringComparer.Ordinal)
            : new Dictionary<string, Func<JsonElement, Verdict>>(StringComparer.Ordinal)).GetAlternateLookup<ReadOnlySpan<char>>();
        Func<JsonElement, Verdict>? additional = schema.TryGetProperty("additionalProperties", out var a) ? Compile(a, name) : null;
        return e =>
        {
            if (e.ValueKind != JsonValueKind.Object) return Verdict.Valid;
            var result = Verdict.Valid;
            Span<char> buffer = stackalloc char[ShortText];
            foreach (var property in e.EnumerateObject())
            {
                var check = (properties.TryGetValue(Name(property, buffer), out var known) ? known : null) ?? additional;
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
            return e => e.ValueKind != JsonValueKind.Array ? Verdict.Valid : Each(e, [], each);
        }
        var positional = items.EnumerateArray().Select(s => Compile(s, name)).ToArray();
        Func<JsonElement, Verdict> rest = schema.TryGetProperty("additionalItems", out var ai) ? Compile(ai, name) : _ => Verdict.Valid;
        return e => e.ValueKind != JsonValueKind.Array ? Verdict.Valid : Each(e, positional, rest);
    }

    static Verdict Unique(JsonElement e)
    {
        if (e.ValueKind != JsonValueKind.Array || e.GetArrayLength() < 2) return Verdict.Valid;
        if (e.GetArrayLength() > 256) return Verdict.Unknown;
        if (UniqueStrings(e) is { } verdict) return verdict;
        var items = e.EnumerateArray().ToArray();
        for (var i = 0; i < items.Length; i++)
            for (var j = i + 1; j < items.Length; j++)
                switch (Equal(items[i], items[j]))
                {
                    case true: return Verdict.Invalid;
                    case null: return Verdict.Unknown;
                }
        return Verdict.Valid;
    }

    /// <summary>
    /// Uniqueness of an array of unescaped strings (a dependency's <c>dependsOn</c>, say) by their UTF-8 bytes, which are
    /// equal exactly when the strings are; null for any other array.
    /// </summary>
    static Verdict? UniqueStrings(JsonElement e)
    {
        foreach (var item in e.EnumerateArray())
            if (item.ValueKind != JsonValueKind.String || JsonMarshal.GetRawUtf8Value(item).IndexOf((byte)'\\') >= 0) return null;
        var i = 0;
        foreach (var a in e.EnumerateArray())
        {
            var j = 0;
            foreach (var b in e.EnumerateArray())
                if (j++ > i && JsonMarshal.GetRawUtf8Value(a).SequenceEqual(JsonMarshal.GetRawUtf8Value(b))) return Verdict.Invalid;
            i++;
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
                if (left.Count != right.Count || left.Select(l => l.Name).Distinct().Count() != left.Count)
                    return left.Count == right.Count ? null : false;
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

    /// <summary>String length as JSON Schema counts it: in code points, counted in the UTF-8 bytes when nothing is escaped.</summary>
    static int Length(JsonElement e)
    {
        var raw = Unquoted(JsonMarshal.GetRawUtf8Value(e));
        var n = 0;
        if (raw.IndexOf((byte)'\\') < 0)
        {
            // Every code point has exactly one byte that is not a continuation byte (10xxxxxx).
            foreach (var b in raw)
                if ((b & 0xC0) != 0x80) n++;
            return n;
        }
        foreach (var _ in e.GetString()!.EnumerateRunes()) n++;
        return n;
    }

    /// <summary>Strings up to this many characters are checked in a stack buffer; longer ones are allocated.</summary>
    const int ShortText = 256;

    /// <summary>A string's text: decoded into <paramref name="buffer"/> when it is short and unescaped, else allocated.</summary>
    static ReadOnlySpan<char> Text(JsonElement e, Span<char> buffer) =>
        Decode(Unquoted(JsonMarshal.GetRawUtf8Value(e)), buffer, out var text) ? text : e.GetString();

    /// <summary>A property's name, as <see cref="Text"/> gives a string's.</summary>
    static ReadOnlySpan<char> Name(JsonProperty property, Span<char> buffer) =>
        Decode(Unquoted(JsonMarshal.GetRawUtf8PropertyName(property)), buffer, out var text) ? text : property.Name;

    static bool Decode(ReadOnlySpan<byte> raw, Span<char> buffer, out ReadOnlySpan<char> text)
    {
        text = default;
        if (raw.Length > buffer.Length || raw.IndexOf((byte)'\\') >= 0 || Utf8.ToUtf16(raw, buffer, out _, out var written) != OperationStatus.Done)
            return false;
        text = buffer[..written];
        return true;
    }

    static ReadOnlySpan<byte> Unquoted(ReadOnlySpan<byte> raw) => raw.Length >= 2 && raw[0] == (byte)'"' ? raw[1..^1] : raw;
}
