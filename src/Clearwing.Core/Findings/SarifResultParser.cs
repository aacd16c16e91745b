using System.Text;
using System.Text.Json;

namespace Clearwing.Findings;

/// <summary>
/// Reads one SARIF result (§3.27) from its complete bytes into a <see cref="SarifResult"/>: the hot path of
/// intake, hand-written over <see cref="Utf8JsonReader"/> instead of the serializer. It reads exactly the
/// properties the serializer-based DTO has, with the same rules — names case-sensitive, the last of duplicate
/// properties wins, <c>null</c> for absent, a value of the wrong type a <see cref="JsonException"/> whose
/// <see cref="JsonException.Path"/> names it (<c>$.locations[0].physicalLocation.region.startLine</c>),
/// everything else skipped — but keeps only what <see cref="SarifRun.Map"/> uses: of <c>locations</c> the first
/// and the first with a physical location, of a location's <c>logicalLocations</c> the first. The rest is still
/// read and type-checked, so a log this parser accepts is one the serializer accepts.
/// </summary>
internal static class SarifResultParser
{
    static readonly JsonReaderOptions Options = new() { MaxDepth = JsonFileCursor.MaxDepth };

    /// <summary>Parses the bytes of one result object (the whole object, nothing after it).</summary>
    /// <exception cref="JsonException">Invalid JSON, or a value of the wrong type (with its path).</exception>
    public static SarifResult Parse(ReadOnlySpan<byte> json)
    {
        var r = new Utf8JsonReader(json, Options);
        if (!r.Read()) throw new JsonException("Unexpected end of data.");
        var result = ReadResult(ref r);
        if (r.Read()) throw new JsonException("unexpected data after the result");
        return result;
    }

    static SarifResult ReadResult(ref Utf8JsonReader r)
    {
        if (r.TokenType != JsonTokenType.StartObject) throw Mismatch<SarifResult>(r.TokenType);
        string? ruleId = null, kind = null, level = null, baselineState = null;
        int? ruleIndex = null;
        SarifDescriptorReference? rule = null;
        SarifMessage? message = null;
        List<SarifLocation?>? locations = null;
        Dictionary<string, string>? fingerprints = null, partialFingerprints = null;
        List<SarifSuppression?>? suppressions = null;
        SarifPropertyBag? properties = null;
        string at = "";
        try
        {
            while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
            {
                var name = Name(ref r);
                if (name.SequenceEqual("ruleId"u8)) { at = "ruleId"; r.Read(); ruleId = String(ref r); }
                else if (name.SequenceEqual("ruleIndex"u8)) { at = "ruleIndex"; r.Read(); ruleIndex = Int(ref r); }
                else if (name.SequenceEqual("message"u8)) { at = "message"; r.Read(); message = ReadMessage(ref r); }
                else if (name.SequenceEqual("locations"u8)) { at = "locations"; r.Read(); locations = ReadLocations(ref r); }
                else if (name.SequenceEqual("level"u8)) { at = "level"; r.Read(); level = String(ref r); }
                else if (name.SequenceEqual("kind"u8)) { at = "kind"; r.Read(); kind = String(ref r); }
                else if (name.SequenceEqual("rule"u8)) { at = "rule"; r.Read(); rule = ReadDescriptorReference(ref r); }
                else if (name.SequenceEqual("partialFingerprints"u8))
                    { at = "partialFingerprints"; r.Read(); partialFingerprints = ReadStringMap(ref r); }
                else if (name.SequenceEqual("fingerprints"u8)) { at = "fingerprints"; r.Read(); fingerprints = ReadStringMap(ref r); }
                else if (name.SequenceEqual("suppressions"u8)) { at = "suppressions"; r.Read(); suppressions = ReadSuppressions(ref r); }
                else if (name.SequenceEqual("baselineState"u8)) { at = "baselineState"; r.Read(); baselineState = String(ref r); }
                else if (name.SequenceEqual("properties"u8)) { at = "properties"; r.Read(); properties = ReadPropertyBag(ref r); }
                else r.Skip();
            }
        }
        catch (JsonException e) { throw Nest(e, at); }
        return new SarifResult
        {
            RuleId = ruleId, RuleIndex = ruleIndex, Rule = rule, Kind = kind, Level = level, Message = message,
            Locations = locations, Fingerprints = fingerprints, PartialFingerprints = partialFingerprints,
            Suppressions = suppressions, BaselineState = baselineState, Properties = properties,
        };
    }

    static SarifDescriptorReference? ReadDescriptorReference(ref Utf8JsonReader r)
    {
        if (r.TokenType == JsonTokenType.Null) return null;
        if (r.TokenType != JsonTokenType.StartObject) throw Mismatch<SarifDescriptorReference>(r.TokenType);
        string? id = null;
        int? index = null;
        SarifComponentReference? component = null;
        string at = "";
        try
        {
            while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
            {
                var name = Name(ref r);
                if (name.SequenceEqual("id"u8)) { at = "id"; r.Read(); id = String(ref r); }
                else if (name.SequenceEqual("index"u8)) { at = "index"; r.Read(); index = Int(ref r); }
                else if (name.SequenceEqual("toolComponent"u8)) { at = "toolComponent"; r.Read(); component = ReadComponentReference(ref r); }
                else r.Skip();
            }
        }
        catch (JsonException e) { throw Nest(e, at); }
        return new SarifDescriptorReference { Id = id, Index = index, ToolComponent = component };
    }

    static SarifComponentReference? ReadComponentReference(ref Utf8JsonReader r)
    {
        if (r.TokenType == JsonTokenType.Null) return null;
        if (r.TokenType != JsonTokenType.StartObject) throw Mismatch<SarifComponentReference>(r.TokenType);
        string? name = null, guid = null;
        int? index = null;
        string at = "";
        try
        {
            while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
            {
                var p = Name(ref r);
                if (p.SequenceEqual("name"u8)) { at = "name"; r.Read(); name = String(ref r); }
                else if (p.SequenceEqual("index"u8)) { at = "index"; r.Read(); index = Int(ref r); }
                else if (p.SequenceEqual("guid"u8)) { at = "guid"; r.Read(); guid = String(ref r); }
                else r.Skip();
            }
        }
        catch (JsonException e) { throw Nest(e, at); }
        return new SarifComponentReference { Name = name, Index = index, Guid = guid };
    }

    static SarifMessage? ReadMessage(ref Utf8JsonReader r)
    {
        if (r.TokenType == JsonTokenType.Null) return null;
        if (r.TokenType != JsonTokenType.StartObject) throw Mismatch<SarifMessage>(r.TokenType);
        string? text = null, markdown = null, id = null;
        List<string?>? arguments = null;
        string at = "";
        try
        {
            while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
            {
                var name = Name(ref r);
                if (name.SequenceEqual("text"u8)) { at = "text"; r.Read(); text = String(ref r); }
                else if (name.SequenceEqual("id"u8)) { at = "id"; r.Read(); id = String(ref r); }
                else if (name.SequenceEqual("arguments"u8)) { at = "arguments"; r.Read(); arguments = ReadStrings(ref r); }
                else if (name.SequenceEqual("markdown"u8)) { at = "markdown"; r.Read(); markdown = String(ref r); }
                else r.Skip();
            }
        }
        catch (JsonException e) { throw Nest(e, at); }
        return new SarifMessage { Text = text, Markdown = markdown, Id = id, Arguments = arguments };
    }

    static List<string?>? ReadStrings(ref Utf8JsonReader r)
    {
        if (r.TokenType == JsonTokenType.Null) return null;
        if (r.TokenType != JsonTokenType.StartArray) throw Mismatch<List<string?>>(r.TokenType);
        var list = new List<string?>();
        try
        {
            while (r.Read() && r.TokenType != JsonTokenType.EndArray) list.Add(String(ref r));
        }
        catch (JsonException e) { throw Nest(e, list.Count); }
        return list;
    }

    /// <summary>Keeps the first location (its logical location names the function) and the first with a physical location.</summary>
    static List<SarifLocation?>? ReadLocations(ref Utf8JsonReader r)
    {
        if (r.TokenType == JsonTokenType.Null) return null;
        if (r.TokenType != JsonTokenType.StartArray) throw Mismatch<List<SarifLocation?>>(r.TokenType);
        SarifLocation? first = null, physical = null;
        int i = 0;
        try
        {
            for (; r.Read() && r.TokenType != JsonTokenType.EndArray; i++)
            {
                var location = ReadLocation(ref r, keepLogical: i == 0);
                if (i == 0) first = location;
                if (physical is null && location?.PhysicalLocation is not null) physical = location;
            }
        }
        catch (JsonException e) { throw Nest(e, i); }
        if (i == 0) return [];
        return physical is null || ReferenceEquals(physical, first) ? [first] : [first, physical];
    }

    static SarifLocation? ReadLocation(ref Utf8JsonReader r, bool keepLogical)
    {
        if (r.TokenType == JsonTokenType.Null) return null;
        if (r.TokenType != JsonTokenType.StartObject) throw Mismatch<SarifLocation>(r.TokenType);
        SarifPhysicalLocation? physical = null;
        List<SarifLogicalLocation?>? logical = null;
        string at = "";
        try
        {
            while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
            {
                var name = Name(ref r);
                if (name.SequenceEqual("physicalLocation"u8)) { at = "physicalLocation"; r.Read(); physical = ReadPhysicalLocation(ref r); }
                else if (name.SequenceEqual("logicalLocations"u8))
                    { at = "logicalLocations"; r.Read(); logical = ReadLogicalLocations(ref r, keepLogical); }
                else r.Skip();
            }
        }
        catch (JsonException e) { throw Nest(e, at); }
        return new SarifLocation { PhysicalLocation = physical, LogicalLocations = logical };
    }

    /// <summary>Only the first logical location is used (and only that of the first location): the rest is checked, not kept.</summary>
    static List<SarifLogicalLocation?>? ReadLogicalLocations(ref Utf8JsonReader r, bool keep)
    {
        if (r.TokenType == JsonTokenType.Null) return null;
        if (r.TokenType != JsonTokenType.StartArray) throw Mismatch<List<SarifLogicalLocation?>>(r.TokenType);
        SarifLogicalLocation? first = null;
        int i = 0;
        try
        {
            for (; r.Read() && r.TokenType != JsonTokenType.EndArray; i++)
            {
                var logical = ReadLogicalLocation(ref r);
                if (i == 0) first = logical;
            }
        }
        catch (JsonException e) { throw Nest(e, i); }
        return !keep || i == 0 ? [] : [first];
    }

    static SarifLogicalLocation? ReadLogicalLocation(ref Utf8JsonReader r)
    {
        if (r.TokenType == JsonTokenType.Null) return null;
        if (r.TokenType != JsonTokenType.StartObject) throw Mismatch<SarifLogicalLocation>(r.TokenType);
        string? name = null, fullyQualifiedName = null;
        int? index = null;
        string at = "";
        try
        {
            while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
            {
                var p = Name(ref r);
                if (p.SequenceEqual("fullyQualifiedName"u8)) { at = "fullyQualifiedName"; r.Read(); fullyQualifiedName = String(ref r); }
                else if (p.SequenceEqual("name"u8)) { at = "name"; r.Read(); name = String(ref r); }
                else if (p.SequenceEqual("index"u8)) { at = "index"; r.Read(); index = Int(ref r); }
                else r.Skip();
            }
        }
        catch (JsonException e) { throw Nest(e, at); }
        return new SarifLogicalLocation { Name = name, FullyQualifiedName = fullyQualifiedName, Index = index };
    }

    static SarifPhysicalLocation? ReadPhysicalLocation(ref Utf8JsonReader r)
    {
        if (r.TokenType == JsonTokenType.Null) return null;
        if (r.TokenType != JsonTokenType.StartObject) throw Mismatch<SarifPhysicalLocation>(r.TokenType);
        SarifArtifactLocation? artifact = null;
        SarifRegion? region = null, context = null;
        string at = "";
        try
        {
            while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
            {
                var name = Name(ref r);
                if (name.SequenceEqual("artifactLocation"u8)) { at = "artifactLocation"; r.Read(); artifact = ReadArtifactLocation(ref r); }
                else if (name.SequenceEqual("region"u8)) { at = "region"; r.Read(); region = ReadRegion(ref r); }
                else if (name.SequenceEqual("contextRegion"u8)) { at = "contextRegion"; r.Read(); context = ReadRegion(ref r); }
                else r.Skip();
            }
        }
        catch (JsonException e) { throw Nest(e, at); }
        return new SarifPhysicalLocation { ArtifactLocation = artifact, Region = region, ContextRegion = context };
    }

    static SarifArtifactLocation? ReadArtifactLocation(ref Utf8JsonReader r)
    {
        if (r.TokenType == JsonTokenType.Null) return null;
        if (r.TokenType != JsonTokenType.StartObject) throw Mismatch<SarifArtifactLocation>(r.TokenType);
        string? uri = null, uriBaseId = null;
        int? index = null;
        string at = "";
        try
        {
            while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
            {
                var name = Name(ref r);
                if (name.SequenceEqual("uri"u8)) { at = "uri"; r.Read(); uri = String(ref r); }
                else if (name.SequenceEqual("uriBaseId"u8)) { at = "uriBaseId"; r.Read(); uriBaseId = String(ref r); }
                else if (name.SequenceEqual("index"u8)) { at = "index"; r.Read(); index = Int(ref r); }
                else r.Skip();
            }
        }
        catch (JsonException e) { throw Nest(e, at); }
        return new SarifArtifactLocation { Uri = uri, UriBaseId = uriBaseId, Index = index };
    }

    static SarifRegion? ReadRegion(ref Utf8JsonReader r)
    {
        if (r.TokenType == JsonTokenType.Null) return null;
        if (r.TokenType != JsonTokenType.StartObject) throw Mismatch<SarifRegion>(r.TokenType);
        int? startLine = null, endLine = null, startColumn = null;
        SarifSnippet? snippet = null;
        string at = "";
        try
        {
            while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
            {
                var name = Name(ref r);
                if (name.SequenceEqual("startLine"u8)) { at = "startLine"; r.Read(); startLine = Int(ref r); }
                else if (name.SequenceEqual("startColumn"u8)) { at = "startColumn"; r.Read(); startColumn = Int(ref r); }
                else if (name.SequenceEqual("endLine"u8)) { at = "endLine"; r.Read(); endLine = Int(ref r); }
                else if (name.SequenceEqual("snippet"u8)) { at = "snippet"; r.Read(); snippet = ReadSnippet(ref r); }
                else r.Skip();
            }
        }
        catch (JsonException e) { throw Nest(e, at); }
        return new SarifRegion { StartLine = startLine, EndLine = endLine, StartColumn = startColumn, Snippet = snippet };
    }

    static SarifSnippet? ReadSnippet(ref Utf8JsonReader r)
    {
        if (r.TokenType == JsonTokenType.Null) return null;
        if (r.TokenType != JsonTokenType.StartObject) throw Mismatch<SarifSnippet>(r.TokenType);
        string? text = null;
        try
        {
            while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
            {
                if (Name(ref r).SequenceEqual("text"u8)) { r.Read(); text = String(ref r); }
                else r.Skip();
            }
        }
        catch (JsonException e) { throw Nest(e, "text"); }
        return new SarifSnippet { Text = text };
    }

    static List<SarifSuppression?>? ReadSuppressions(ref Utf8JsonReader r)
    {
        if (r.TokenType == JsonTokenType.Null) return null;
        if (r.TokenType != JsonTokenType.StartArray) throw Mismatch<List<SarifSuppression?>>(r.TokenType);
        var list = new List<SarifSuppression?>();
        try
        {
            while (r.Read() && r.TokenType != JsonTokenType.EndArray)
            {
                if (r.TokenType == JsonTokenType.Null)
                {
                    list.Add(null);
                    continue;
                }
                if (r.TokenType != JsonTokenType.StartObject) throw Mismatch<SarifSuppression>(r.TokenType);
                string? status = null;
                try
                {
                    while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
                    {
                        if (Name(ref r).SequenceEqual("status"u8)) { r.Read(); status = String(ref r); }
                        else r.Skip();
                    }
                }
                catch (JsonException e) { throw Nest(e, "status"); }
                list.Add(new SarifSuppression { Status = status });
            }
        }
        catch (JsonException e) { throw Nest(e, list.Count); }
        return list;
    }

    /// <summary>A string-to-string object (fingerprints): the last of duplicate keys wins, null values stay null.</summary>
    static Dictionary<string, string>? ReadStringMap(ref Utf8JsonReader r)
    {
        if (r.TokenType == JsonTokenType.Null) return null;
        if (r.TokenType != JsonTokenType.StartObject) throw Mismatch<Dictionary<string, string>>(r.TokenType);
        var map = new Dictionary<string, string>();
        string? key = null;
        try
        {
            while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
            {
                key = null;
                key = String(ref r)!;
                r.Read();
                map[key] = String(ref r)!;
            }
        }
        catch (JsonException e) { throw key is null ? e : Nest(e, key); }
        return map;
    }

    /// <summary>§3.8 property bag, as leniently as <see cref="LooseStringConverter"/> and <see cref="LooseStringListConverter"/>.</summary>
    static SarifPropertyBag? ReadPropertyBag(ref Utf8JsonReader r)
    {
        if (r.TokenType == JsonTokenType.Null) return null;
        if (r.TokenType != JsonTokenType.StartObject) throw Mismatch<SarifPropertyBag>(r.TokenType);
        string? severity = null;
        List<string>? tags = null;
        string at = "";
        try
        {
            while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
            {
                var name = Name(ref r);
                if (name.SequenceEqual("security-severity"u8))
                {
                    at = "security-severity";
                    r.Read();
                    severity = r.TokenType switch
                    {
                        JsonTokenType.String => String(ref r),
                        JsonTokenType.Number => Encoding.UTF8.GetString(r.ValueSpan),
                        _ => SkipToNull(ref r),
                    };
                }
                else if (name.SequenceEqual("tags"u8))
                {
                    at = "tags";
                    r.Read();
                    if (r.TokenType != JsonTokenType.StartArray)
                    {
                        r.Skip();
                        tags = null;
                        continue;
                    }
                    tags = [];
                    while (r.Read() && r.TokenType != JsonTokenType.EndArray)
                    {
                        if (r.TokenType == JsonTokenType.String) tags.Add(String(ref r)!);
                        else r.Skip();
                    }
                }
                else r.Skip();
            }
        }
        catch (JsonException e) { throw Nest(e, at); }
        return new SarifPropertyBag { SecuritySeverity = severity, Tags = tags };
    }

    static string? SkipToNull(ref Utf8JsonReader r)
    {
        r.Skip();
        return null;
    }

    /// <summary>A property name, unescaped; a name no known property could have comes back empty.</summary>
    static ReadOnlySpan<byte> Name(ref Utf8JsonReader r)
    {
        if (!r.ValueIsEscaped) return r.ValueSpan;
        if (r.ValueSpan.Length > 128) return default; // every name we know is short ASCII: at most 6 bytes a character escaped
        var buffer = new byte[r.ValueSpan.Length];
        try
        {
            return buffer.AsSpan(0, r.CopyString(buffer));
        }
        catch (InvalidOperationException)
        {
            return default;
        }
    }

    static string? String(ref Utf8JsonReader r)
    {
        if (r.TokenType == JsonTokenType.String || r.TokenType == JsonTokenType.PropertyName)
        {
            try
            {
                return r.GetString();
            }
            catch (InvalidOperationException)
            {
                throw new JsonException("invalid UTF-8 in a string", "$", null, null);
            }
        }
        if (r.TokenType == JsonTokenType.Null) return null;
        throw Mismatch<string>(r.TokenType);
    }

    static int? Int(ref Utf8JsonReader r)
    {
        if (r.TokenType == JsonTokenType.Number && r.TryGetInt32(out int value)) return value;
        if (r.TokenType == JsonTokenType.Number)
            throw new JsonException($"must be a whole number from {int.MinValue} to {int.MaxValue}", "$", null, null);
        if (r.TokenType == JsonTokenType.Null) return null;
        throw Mismatch<int?>(r.TokenType);
    }

    /// <summary>What the value should have been, in JSON's words (the serializer's message names .NET types).</summary>
    static JsonException Mismatch<T>(JsonTokenType found) =>
        new($"{MalformedInputException.MustBe(typeof(T))}, found {ElementWalker.Describe(found)}", "$", null, null);

    static JsonException Nest(JsonException e, string property)
    {
        string inner = e.Path is { Length: > 0 } p ? p[1..] : "";
        return new JsonException(e.Message, "$." + property + inner, e.LineNumber, e.BytePositionInLine, e.InnerException);
    }

    static JsonException Nest(JsonException e, int index)
    {
        string inner = e.Path is { Length: > 0 } p ? p[1..] : "";
        return new JsonException(e.Message, $"$[{index}]{inner}", e.LineNumber, e.BytePositionInLine, e.InnerException);
    }
}
