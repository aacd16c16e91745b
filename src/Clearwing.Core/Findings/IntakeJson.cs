using System.Text.Json;
using System.Text.Json.Serialization;

namespace Clearwing.Findings;

// The slices of SARIF 2.1.0 and of the native format that intake reads. Everything else in a
// result or run is skipped by the serializer. Section numbers are SARIF 2.1.0's.

/// <summary>§3.27 result.</summary>
internal sealed record SarifResult(
    string? RuleId, int? RuleIndex, SarifDescriptorReference? Rule, string? Kind, string? Level,
    SarifMessage? Message, List<SarifLocation?>? Locations,
    Dictionary<string, string>? Fingerprints, Dictionary<string, string>? PartialFingerprints,
    List<SarifSuppression?>? Suppressions, string? BaselineState, SarifPropertyBag? Properties);

/// <summary>§3.52 reportingDescriptorReference (result.rule, relationship targets).</summary>
internal sealed record SarifDescriptorReference(string? Id, int? Index, SarifComponentReference? ToolComponent);

/// <summary>§3.54 toolComponentReference.</summary>
internal sealed record SarifComponentReference(string? Name, int? Index, string? Guid);

/// <summary>§3.11 message.</summary>
internal sealed record SarifMessage(string? Text, string? Markdown, string? Id, List<string?>? Arguments);

/// <summary>§3.28 location.</summary>
internal sealed record SarifLocation(SarifPhysicalLocation? PhysicalLocation, List<SarifLogicalLocation?>? LogicalLocations);

/// <summary>§3.29 physicalLocation.</summary>
internal sealed record SarifPhysicalLocation(SarifArtifactLocation? ArtifactLocation, SarifRegion? Region, SarifRegion? ContextRegion);

/// <summary>§3.4 artifactLocation.</summary>
internal sealed record SarifArtifactLocation(string? Uri, string? UriBaseId, int? Index);

/// <summary>§3.30 region.</summary>
internal sealed record SarifRegion(int? StartLine, int? EndLine, int? StartColumn, SarifSnippet? Snippet);

/// <summary>§3.3 artifactContent (region.snippet).</summary>
internal sealed record SarifSnippet(string? Text);

/// <summary>§3.33 logicalLocation.</summary>
internal sealed record SarifLogicalLocation(string? Name, string? FullyQualifiedName, int? Index);

/// <summary>§3.35 suppression.</summary>
internal sealed record SarifSuppression(string? Status);

/// <summary>§3.8 property bag: only the GitHub <c>security-severity</c> convention and tags.</summary>
internal sealed record SarifPropertyBag(
    [property: JsonPropertyName("security-severity"), JsonConverter(typeof(LooseStringConverter))] string? SecuritySeverity,
    [property: JsonConverter(typeof(LooseStringListConverter))] List<string>? Tags);

/// <summary>§3.18 tool.</summary>
internal sealed record SarifTool(SarifToolComponent? Driver, List<SarifToolComponent?>? Extensions);

/// <summary>§3.19 toolComponent.</summary>
internal sealed record SarifToolComponent(
    string? Name, string? Version, string? SemanticVersion, string? Guid,
    List<SarifRule?>? Rules, Dictionary<string, SarifMultiformatMessage?>? GlobalMessageStrings);

/// <summary>§3.49 reportingDescriptor.</summary>
internal sealed record SarifRule(
    string? Id, SarifRuleConfiguration? DefaultConfiguration,
    Dictionary<string, SarifMultiformatMessage?>? MessageStrings, SarifPropertyBag? Properties,
    List<SarifRelationship?>? Relationships);

/// <summary>§3.50 reportingConfiguration.</summary>
internal sealed record SarifRuleConfiguration(string? Level);

/// <summary>§3.12 multiformatMessageString.</summary>
internal sealed record SarifMultiformatMessage(string? Text, string? Markdown);

/// <summary>§3.53 reportingDescriptorRelationship.</summary>
internal sealed record SarifRelationship(SarifDescriptorReference? Target);

/// <summary>§3.24 artifact.</summary>
internal sealed record SarifArtifact(SarifArtifactLocation? Location);

/// <summary>§3.23 versionControlDetails.</summary>
internal sealed record SarifVersionControl(string? RevisionId);

/// <summary>Native format: the finder.</summary>
internal sealed record NativeTool(string? Name, string? Version, string? Model);

/// <summary>Native format: one finding (docs/native-findings.md).</summary>
internal sealed record NativeFinding(
    string? Rule, string? Cwe, string? Message, NativeLocation? Location, string? Evidence,
    string? Severity, string? Level, string? Cvss, double? Confidence,
    [property: JsonConverter(typeof(RawObjectConverter))] string? Reproducer, string? Fingerprint);

internal sealed record NativeLocation(string? File, int? StartLine, int? EndLine, int? StartColumn, string? Function, string? Snippet);

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
