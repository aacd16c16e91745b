using System.Text.Json;
using Json.Schema;

namespace Clearwing.Tests.Disclosure.Writers;

/// <summary>
/// The external validators the writers answer to, read from ../shared/testdata: the OSV schema (osv-schema/validation/schema.json)
/// and the CVE Record Format 5.2 schema (cve-json5/schema-current/CVE_Record_Format_bundled.json). Formats are asserted
/// (a reference's url must be a URI), as the CVE program's own validation does. The CVE schema embeds FIRST's CVSS 2.0 schema,
/// which declares draft-04, a dialect JsonSchema.Net does not build; the keywords it uses (type, enum, pattern, properties,
/// required, minimum, maximum, $ref) mean the same in draft-07, so it is read as draft-07.
/// </summary>
internal static class Schemas
{
    static readonly Lazy<JsonSchema> OsvSchema = new(() => Load("osv-schema", "validation", "schema.json"));
    static readonly Lazy<string> CveText = new(() =>
        File.ReadAllText(TestData.PathTo("cve-json5", "schema-current", "CVE_Record_Format_bundled.json"))
        .Replace("http://json-schema.org/draft-04/schema#", "http://json-schema.org/draft-07/schema#", StringComparison.Ordinal));
    static readonly Lazy<JsonSchema> CveSchema = new(() => Build(CveText.Value));

    static JsonSchema Load(params string[] path) => Build(File.ReadAllText(TestData.PathTo(path)));

    static JsonSchema Build(string text) => JsonSchema.FromText(text, new BuildOptions { SchemaRegistry = new SchemaRegistry() });

    /// <summary>Null when the OSV schema accepts the document; else where and why not.</summary>
    public static string? Osv(byte[] document) => Check(OsvSchema.Value, document);

    /// <summary>Null when the CVE schema accepts the document; else where and why not.</summary>
    public static string? Cve(byte[] document) => Check(CveSchema.Value, document);

    /// <summary>Null when the CVE schema's <paramref name="definition"/> (#/definitions/…) accepts the element (a container's examples).</summary>
    public static string? Cve(JsonElement element, string definition)
    {
        var root = JsonDocument.Parse(CveText.Value).RootElement;
        var definitions = root.GetProperty("definitions").GetRawText();
        var wrapper = $$"""{"$schema": "http://json-schema.org/draft-07/schema#", "$ref": "#/definitions/{{definition}}", "definitions": {{definitions}}}""";
        return Check(Build(wrapper), element);
    }

    static string? Check(JsonSchema schema, byte[] document)
    {
        using var doc = JsonDocument.Parse(document);
        return Check(schema, doc.RootElement);
    }

    static string? Check(JsonSchema schema, JsonElement element)
    {
        var result = schema.Evaluate(element, new EvaluationOptions { OutputFormat = OutputFormat.List, RequireFormatValidation = true });
        if (result.IsValid) return null;
        return string.Join("\n", (result.Details ?? []).Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Key}: {e.Value} ({d.EvaluationPath})")).Take(20));
    }
}
