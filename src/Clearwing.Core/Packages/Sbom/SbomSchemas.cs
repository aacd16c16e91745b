using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Xml;
using System.Xml.Schema;
using Json.Schema;

namespace Clearwing.Packages;

/// <summary>
/// The CycloneDX schemas embedded in this assembly (Packages/Sbom/Schemas, see its SOURCES.md), built once per
/// version. A document is validated in pieces so memory and time stay bounded on big SBOMs: its skeleton (every
/// top-level property, with the component and dependency arrays emptied) against the whole schema, and each
/// component and dependency entry against its own definition. For a draft-07 schema without cross-item keywords on
/// those arrays this is the same verdict as validating the whole document; the arrays' <c>uniqueItems</c> is
/// replaced by the reader's stricter check that bom-refs are unique.
/// </summary>
internal static class SbomSchemas
{
    public static readonly string[] CycloneDxVersions = ["1.5", "1.6", "1.7"];

    /// <summary>
    /// The whole-document schema and the definitions the reader validates item by item. The reference evaluator's
    /// schemas are built on first use, together (they share one registry): a valid document passes the quick ones
    /// and never needs them.
    /// </summary>
    public sealed record CycloneDx(Lazy<Reference> References, JsonDocument Raw,
        QuickSchema QuickDocument, QuickSchema QuickComponent, QuickSchema QuickDependency);

    /// <summary>The reference evaluator's schemas for the document, a component and a dependency entry.</summary>
    public sealed record Reference(JsonSchema Document, JsonSchema Component, JsonSchema Dependency);

    static readonly ConcurrentDictionary<string, Lazy<CycloneDx>> Built = new();
    static readonly Lazy<BuildOptions> Options = new(CreateOptions);
    static readonly Lazy<XmlSchemaSet> Xsd16 = new(CreateXsd16);

    static readonly EvaluationOptions Evaluation = new() { OutputFormat = OutputFormat.List, RequireFormatValidation = true };
    static readonly EvaluationOptions Quick = new() { OutputFormat = OutputFormat.Flag, RequireFormatValidation = true };

    public static CycloneDx For(string version) =>
        Built.GetOrAdd(version, v => new Lazy<CycloneDx>(() => Create(v))).Value;

    static CycloneDx Create(string version)
    {
        var text = Resource($"bom-{version}.schema.json");
        var references = new Lazy<Reference>(() =>
        {
            var options = Options.Value;
            var document = JsonSchema.FromText(text, options);
            var id = $"http://cyclonedx.org/schema/bom-{version}.schema.json";
            // A definition's $ref resolves through the registry, where the whole document now is.
            JsonSchema Definition(string name) => JsonSchema.FromText(
                $$"""{"$ref": "{{id}}#/definitions/{{name}}"}""", options, new Uri($"urn:clearwing:cyclonedx-{version}-{name}"));
            return new Reference(document, Definition("component"), Definition("dependency"));
        });
        var raw = JsonDocument.Parse(text);
        var name = $"bom-{version}.schema.json";
        JsonElement Document(string file) => file == name ? raw.RootElement : Referenced.Value[file];
        return new CycloneDx(references, raw,
            new QuickSchema(Document, name, ""), new QuickSchema(Document, name, "/definitions/component"),
            new QuickSchema(Document, name, "/definitions/dependency"));
    }

    /// <summary>The documents the BOM schemas reference, by the names their <c>$ref</c>s use.</summary>
    static readonly Lazy<Dictionary<string, JsonElement>> Referenced = new(() =>
        new[] { "spdx.schema.json", "jsf-0.82.schema.json", "cryptography-defs.schema.json" }
            .ToDictionary(n => n, n => JsonDocument.Parse(Resource(n)).RootElement, StringComparer.Ordinal));

    static BuildOptions CreateOptions()
    {
        // A registry of our own: nothing is ever fetched, and the global registry stays untouched.
        var options = new BuildOptions { SchemaRegistry = new SchemaRegistry() };
        foreach (var name in new[] { "spdx.schema.json", "jsf-0.82.schema.json", "cryptography-defs.schema.json" })
            JsonSchema.FromText(Resource(name), options);
        return options;
    }

    /// <summary>The 1.6 XML Schema with the SPDX licence-id schema it imports (only 1.6 ships an XSD here).</summary>
    public static XmlSchemaSet XmlSchema16 => Xsd16.Value;

    static XmlSchemaSet CreateXsd16()
    {
        var set = new XmlSchemaSet { XmlResolver = null };
        using (var spdx = XmlReader.Create(new StringReader(Resource("spdx.xsd")), new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit }))
            set.Add("http://cyclonedx.org/schema/spdx", spdx);
        using (var bom = XmlReader.Create(
                   new StringReader(Resource("bom-1.6.xsd")), new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit }))
            set.Add("http://cyclonedx.org/schema/bom/1.6", bom);
        set.Compile();
        return set;
    }

    /// <summary>
    /// The first reason <paramref name="instance"/> fails the schema (<paramref name="quick"/>'s verdict when it says valid, else
    /// <paramref name="reference"/>'s), with its JSON path under <paramref name="where"/>; null when it is valid. The deepest failing location
    /// explains most.
    /// </summary>
    public static (string Path, string Reason)? Check(Func<JsonSchema> reference, QuickSchema quick, JsonElement instance, Func<string> where)
    {
        if (quick.Check(instance) == QuickSchema.Verdict.Valid) return null;
        var at = where();
        var schema = reference();
        // Flag output stops at the first failure and builds no details: the common, valid case pays the least.
        if (schema.Evaluate(instance, Quick).IsValid) return null;
        var result = schema.Evaluate(instance, Evaluation);
        if (result.IsValid) return null;
        return JsonSchemaFailures.Deepest(result) is { } failure ? (at + failure.Path, failure.Reason) : (at, "does not match the schema");
    }

    /// <summary>The values a definition's property allows (<c>enum</c>), for the structural XML checks; empty when it has none.</summary>
    public static IReadOnlySet<string> Enum(string version, params string[] path)
    {
        var node = For(version).Raw.RootElement;
        foreach (var step in path)
            if (node.ValueKind != JsonValueKind.Object || !node.TryGetProperty(step, out node)) return new HashSet<string>();
        return node.TryGetProperty("enum", out var values)
            ? values.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.String).Select(v => v.GetString()!).ToHashSet(StringComparer.Ordinal)
            : new HashSet<string>();
    }

    /// <summary>A definition's <c>pattern</c>, for the structural XML checks; null when it has none.</summary>
    public static string? Pattern(string version, params string[] path)
    {
        var node = For(version).Raw.RootElement;
        foreach (var step in path)
            if (node.ValueKind != JsonValueKind.Object || !node.TryGetProperty(step, out node)) return null;
        return node.TryGetProperty("pattern", out var pattern) ? pattern.GetString() : null;
    }

    static readonly Lazy<HashSet<string>> SpdxIds = new(() =>
    {
        using var doc = JsonDocument.Parse(Resource("spdx.schema.json"));
        return doc.RootElement.GetProperty("enum").EnumerateArray().Select(v => v.GetString()!).ToHashSet(StringComparer.Ordinal);
    });

    /// <summary>The SPDX licence ids CycloneDX accepts in <c>license.id</c>.</summary>
    public static IReadOnlySet<string> SpdxLicenseIds => SpdxIds.Value;

    static string Resource(string name)
    {
        using var stream = typeof(SbomSchemas).Assembly.GetManifestResourceStream("Clearwing.Packages.Sbom.Schemas." + name)
            ?? throw new InvalidOperationException($"Embedded schema {name} is missing from the build.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
