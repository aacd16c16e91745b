using System.Text.Json;
using System.Text.Json.Serialization;

namespace Clearwing.Findings;

// The slices of SARIF 2.1.0 and of the native format that intake reads. Everything else in a
// result or run is skipped by the serializer. Section numbers are SARIF 2.1.0's.

/// <summary>§3.27 result.</summary>
internal sealed class SarifResult
{
    public string? RuleId { get; init; }
    public int? RuleIndex { get; init; }
    public SarifDescriptorReference? Rule { get; init; }
    public string? Kind { get; init; }
    public string? Level { get; init; }
    public SarifMessage? Message { get; init; }
    public List<SarifLocation?>? Locations { get; init; }
    public Dictionary<string, string>? Fingerprints { get; init; }
    public Dictionary<string, string>? PartialFingerprints { get; init; }
    public List<SarifSuppression?>? Suppressions { get; init; }
    public string? BaselineState { get; init; }
    public SarifPropertyBag? Properties { get; init; }
}

/// <summary>§3.52 reportingDescriptorReference (result.rule, relationship targets).</summary>
internal sealed class SarifDescriptorReference
{
    public string? Id { get; init; }
    public int? Index { get; init; }
    public SarifComponentReference? ToolComponent { get; init; }
}

/// <summary>§3.54 toolComponentReference.</summary>
internal sealed class SarifComponentReference
{
    public string? Name { get; init; }
    public int? Index { get; init; }
    public string? Guid { get; init; }
}

/// <summary>§3.11 message.</summary>
internal sealed class SarifMessage
{
    public string? Text { get; init; }
    public string? Markdown { get; init; }
    public string? Id { get; init; }
    public List<string?>? Arguments { get; init; }
}

/// <summary>§3.28 location.</summary>
internal sealed class SarifLocation
{
    public SarifPhysicalLocation? PhysicalLocation { get; init; }
    public List<SarifLogicalLocation?>? LogicalLocations { get; init; }
}

/// <summary>§3.29 physicalLocation.</summary>
internal sealed class SarifPhysicalLocation
{
    public SarifArtifactLocation? ArtifactLocation { get; init; }
    public SarifRegion? Region { get; init; }
    public SarifRegion? ContextRegion { get; init; }
}

/// <summary>§3.4 artifactLocation.</summary>
internal sealed class SarifArtifactLocation
{
    public string? Uri { get; init; }
    public string? UriBaseId { get; init; }
    public int? Index { get; init; }
}

/// <summary>§3.30 region.</summary>
internal sealed class SarifRegion
{
    public int? StartLine { get; init; }
    public int? EndLine { get; init; }
    public int? StartColumn { get; init; }
    public SarifSnippet? Snippet { get; init; }
}

/// <summary>§3.3 artifactContent (region.snippet).</summary>
internal sealed class SarifSnippet
{
    public string? Text { get; init; }
}

/// <summary>§3.33 logicalLocation.</summary>
internal sealed class SarifLogicalLocation
{
    public string? Name { get; init; }
    public string? FullyQualifiedName { get; init; }
    public int? Index { get; init; }
}

/// <summary>§3.35 suppression.</summary>
internal sealed class SarifSuppression
{
    public string? Status { get; init; }
}

/// <summary>§3.8 property bag: only the GitHub <c>security-severity</c> convention and tags.</summary>
internal sealed class SarifPropertyBag
{
    [JsonPropertyName("security-severity"), JsonConverter(typeof(LooseStringConverter))] public string? SecuritySeverity { get; init; }
    [JsonConverter(typeof(LooseStringListConverter))] public List<string>? Tags { get; init; }
    /// <summary>The rule's category, where the tool files it (the .NET analyzers: Security, Performance, Style…).</summary>
    [JsonConverter(typeof(LooseStringConverter))] public string? Category { get; init; }
}

/// <summary>§3.18 tool.</summary>
internal sealed class SarifTool
{
    public SarifToolComponent? Driver { get; init; }
    public List<SarifToolComponent?>? Extensions { get; init; }
}

/// <summary>§3.19 toolComponent.</summary>
internal sealed class SarifToolComponent
{
    public string? Name { get; init; }
    public string? Version { get; init; }
    public string? SemanticVersion { get; init; }
    public string? Guid { get; init; }
    public List<SarifRule?>? Rules { get; init; }
    public Dictionary<string, SarifMultiformatMessage?>? GlobalMessageStrings { get; init; }
}

/// <summary>§3.49 reportingDescriptor.</summary>
internal sealed class SarifRule
{
    public string? Id { get; init; }
    /// <summary>§3.49.4: the ids the rule had in earlier versions of its tool.</summary>
    public List<string?>? DeprecatedIds { get; init; }
    public SarifRuleConfiguration? DefaultConfiguration { get; init; }
    public Dictionary<string, SarifMultiformatMessage?>? MessageStrings { get; init; }
    public SarifPropertyBag? Properties { get; init; }
    public List<SarifRelationship?>? Relationships { get; init; }
}

/// <summary>§3.50 reportingConfiguration.</summary>
internal sealed class SarifRuleConfiguration
{
    public string? Level { get; init; }
}

/// <summary>§3.12 multiformatMessageString.</summary>
internal sealed class SarifMultiformatMessage
{
    public string? Text { get; init; }
    public string? Markdown { get; init; }
}

/// <summary>§3.53 reportingDescriptorRelationship.</summary>
internal sealed class SarifRelationship
{
    public SarifDescriptorReference? Target { get; init; }
}

/// <summary>§3.24 artifact.</summary>
internal sealed class SarifArtifact
{
    public SarifArtifactLocation? Location { get; init; }
}

/// <summary>§3.23 versionControlDetails.</summary>
internal sealed class SarifVersionControl
{
    public string? RevisionId { get; init; }
    /// <summary>§3.23.3: the repository analysed, as its clone URL.</summary>
    public string? RepositoryUri { get; init; }
    /// <summary>§3.23.8: where the repository's root was on the analysing machine.</summary>
    public SarifArtifactLocation? MappedTo { get; init; }
}

/// <summary>Native format: the finder.</summary>
internal sealed class NativeTool
{
    public string? Name { get; init; }
    public string? Version { get; init; }
    public string? Model { get; init; }
}

/// <summary>Native format: one finding (docs/native-findings.md).</summary>
internal sealed class NativeFinding
{
    public string? Rule { get; init; }
    public string? Cwe { get; init; }
    public string? Message { get; init; }
    public NativeLocation? Location { get; init; }
    public string? Evidence { get; init; }
    public string? Severity { get; init; }
    public string? Level { get; init; }
    public string? Cvss { get; init; }
    public double? Confidence { get; init; }
    [JsonConverter(typeof(RawObjectConverter))] public string? Reproducer { get; init; }
    public string? Fingerprint { get; init; }
    public List<string?>? Aliases { get; init; }
    public List<NativeAffects?>? Affects { get; init; }
    [JsonConverter(typeof(RawObjectConverter))] public string? Provenance { get; init; }
}

internal sealed class NativeAffects
{
    public string? Purl { get; init; }
    public string? Vers { get; init; }
}

internal sealed class NativeLocation
{
    public string? File { get; init; }
    public int? StartLine { get; init; }
    public int? EndLine { get; init; }
    public int? StartColumn { get; init; }
    public string? Function { get; init; }
    public string? Snippet { get; init; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, MaxDepth = JsonFileCursor.MaxDepth)]
[JsonSerializable(typeof(SarifResult))]
[JsonSerializable(typeof(SarifTool))]
[JsonSerializable(typeof(List<SarifArtifact?>))]
[JsonSerializable(typeof(Dictionary<string, SarifArtifactLocation?>))]
[JsonSerializable(typeof(List<SarifLogicalLocation?>))]
[JsonSerializable(typeof(List<SarifVersionControl?>))]
[JsonSerializable(typeof(NativeTool))]
[JsonSerializable(typeof(NativeFinding))]
internal sealed partial class IntakeJson : JsonSerializerContext;

/// <summary>Property bags are free-form (§3.8): take a string or a number as text, ignore anything else.</summary>
internal sealed class LooseStringConverter : JsonConverter<string?>
{
    public override bool HandleNull => true;

    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String: return reader.GetString();
            case JsonTokenType.Number: return System.Text.Encoding.UTF8.GetString(reader.ValueSpan);
            default:
                reader.Skip();
                return null;
        }
    }

    public override void Write(Utf8JsonWriter writer, string? value, JsonSerializerOptions options) => writer.WriteStringValue(value);
}

/// <summary>Tags (§3.8.4) as strings; a value of another shape is ignored rather than failing the import.</summary>
internal sealed class LooseStringListConverter : JsonConverter<List<string>?>
{
    public override bool HandleNull => true;

    public override List<string>? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            return null;
        }
        var list = new List<string>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType == JsonTokenType.String) list.Add(reader.GetString()!);
            else reader.Skip();
        }
        return list;
    }

    public override void Write(Utf8JsonWriter writer, List<string>? value, JsonSerializerOptions options) => throw new NotSupportedException();
}

/// <summary>Keeps an object's JSON text verbatim (the native reproducer is interpreted later, by validation).</summary>
internal sealed class RawObjectConverter : JsonConverter<string?>
{
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
            throw new JsonException($"must be an object, found {ElementWalker.Describe(reader.TokenType)}");
        using var doc = JsonDocument.ParseValue(ref reader);
        return doc.RootElement.GetRawText();
    }

    public override void Write(Utf8JsonWriter writer, string? value, JsonSerializerOptions options) => writer.WriteRawValue(value!);
}
