using System.Text.Json;
using System.Text.RegularExpressions;
using Clearwing.Findings;

namespace Clearwing.Packages;

/// <summary>
/// Reads an SBOM file — CycloneDX 1.5/1.6/1.7 (JSON or XML) or SPDX 2.3 (JSON), detected from its content — checks
/// it, and returns its components and dependency graph. Memory holds the components, never the document: JSON is
/// read in two streaming passes (<see cref="SbomJson"/>), XML in one.
/// </summary>
public static partial class SbomReader
{
    /// <summary>Reads and checks <paramref name="path"/>.</summary>
    /// <param name="displayName">What errors name as the file.</param>
    /// <param name="limits">The most components and dependencies accepted (<see cref="SbomLimits.None"/> when null).</param>
    /// <exception cref="MalformedInputException">Not an SBOM of a supported format and version, or invalid against its
    /// schema (CycloneDX) or the SPDX 2.3 rules checked here; the error names the file, the location (JSON path, or XML
    /// line and column) and the reason.</exception>
    /// <exception cref="TooLargeException">More components or dependencies than <paramref name="limits"/> allow.</exception>
    public static Sbom Read(string path, string displayName, SbomLimits? limits = null)
    {
        limits ??= SbomLimits.None;
        int first;
        using (var probe = File.OpenRead(path))
        {
            do first = probe.ReadByte();
            while (first is ' ' or '\t' or '\r' or '\n' or 0xEF or 0xBB or 0xBF);
        }
        if (first == '<') return SbomXml.Read(path, displayName, limits);
        if (first != '{')
            throw new MalformedInputException(displayName, "$", first < 0
                ? "the file is empty"
                : "not an SBOM: expected a JSON object (CycloneDX, SPDX) or an XML document (CycloneDX)");
        try
        {
            return ReadJson(path, displayName, limits);
        }
        catch (InvalidOperationException) when (JsonStrings.FindInvalidText(File.ReadAllBytes(path)) is { } at)
        {
            throw new MalformedInputException(displayName, at, JsonStrings.InvalidText);
        }
    }

    static Sbom ReadJson(string path, string displayName, SbomLimits limits)
    {
        var header = SbomJson.Header(path, displayName, ["bomFormat", "specVersion", "spdxVersion"],
            found => found.ContainsKey("spdxVersion") || found.ContainsKey("bomFormat") && found.ContainsKey("specVersion"));
        if (header.TryGetValue("spdxVersion", out var spdx)) return ReadSpdx(path, displayName, spdx, limits);
        if (!header.TryGetValue("bomFormat", out var format))
            throw new MalformedInputException(displayName, "$", "not an SBOM: no \"bomFormat\" (CycloneDX) or \"spdxVersion\" (SPDX)");
        if (format != "CycloneDX")
            throw new MalformedInputException(displayName, "$.bomFormat", $"\"{format}\" is not a known SBOM format; expected \"CycloneDX\"");
        return ReadCycloneDx(path, displayName, header.GetValueOrDefault("specVersion"), limits);
    }

    static Sbom ReadCycloneDx(string path, string file, string? version, SbomLimits limits)
    {
        if (version is null) throw new MalformedInputException(file, "$.specVersion", "required: the CycloneDX version (1.5, 1.6 or 1.7)");
        if (!SbomSchemas.CycloneDxVersions.Contains(version))
            throw new MalformedInputException(file, "$.specVersion", $"CycloneDX {version} is not supported; expected 1.5, 1.6 or 1.7");
        var schemas = SbomSchemas.For(version);
        var graph = new SbomGraph(file, limits);
        void Fail((string Path, string Reason)? error)
        {
            if (error is { } e) throw new MalformedInputException(file, e.Path, e.Reason);
        }
        // Components nested in a component follow it, each with the index of its parent in the same list and its
        // path below the top-level component (empty for that one; paths are only spelled out for an error).
        static void Flatten(JsonElement e, string at, int parent, List<(SbomComponent Component, string At, int Parent)> into)
        {
            var purl = SbomJson.Text(e, "purl"u8);
            var self = into.Count;
            into.Add((new SbomComponent(SbomJson.Text(e, "bom-ref"u8) ?? "", SbomJson.Text(e, "name"u8) ?? "", SbomJson.Text(e, "version"u8), purl,
                SbomPurlKey.Of(purl)), at, parent));
            if (e.TryGetProperty("components"u8, out var nested) && nested.ValueKind == JsonValueKind.Array)
            {
                var j = 0;
                foreach (var child in nested.EnumerateArray()) Flatten(child, $"{at}.components[{j++}]", self, into);
            }
        }
        var streamed = new Dictionary<string, SbomJson.IItems>
        {
            ["components"] = new SbomJson.Items<List<(SbomComponent Component, string At, int Parent)>>((i, e) =>
            {
                Fail(SbomSchemas.Check(() => schemas.References.Value.Component, schemas.QuickComponent, e, () => $"$.components[{i}]"));
                var flat = new List<(SbomComponent, string, int)>(1);
                Flatten(e, "", -1, flat);
                return flat;
            }, (i, flat) =>
            {
                var indexes = new int[flat.Count];
                for (var k = 0; k < flat.Count; k++)
                {
                    var (c, at, parent) = flat[k];
                    indexes[k] = graph.Add(
                        c.Ref.Length == 0 ? null : c.Ref, c.Name, c.Version, c.Purl, () => $"$.components[{i}]{at}.bom-ref", c.PurlKey);
                    if (parent >= 0) graph.Contains(indexes[parent], indexes[k]);
                }
            }),
            ["dependencies"] = new SbomJson.Items<(string From, string[] To)>((i, e) =>
            {
                Fail(SbomSchemas.Check(() => schemas.References.Value.Dependency, schemas.QuickDependency, e, () => $"$.dependencies[{i}]"));
                string[] to = [];
                if (e.TryGetProperty("dependsOn"u8, out var targets) && targets.ValueKind == JsonValueKind.Array)
                {
                    to = new string[targets.GetArrayLength()];
                    var k = 0;
                    foreach (var t in targets.EnumerateArray()) to[k++] = t.GetString()!;
                }
                return (SbomJson.Text(e, "ref"u8)!, to);
            }, (_, d) =>
            {
                foreach (var to in d.To) graph.DependsOn(d.From, to);
            }),
        };
        using var skeleton = SbomJson.Walk(path, file, streamed, limits.MaxOtherBytes);
        Fail(SbomSchemas.Check(() => schemas.References.Value.Document, schemas.QuickDocument, skeleton.RootElement, () => "$"));
        var root = skeleton.RootElement;
        JsonElement product = default;
        var hasRoot = root.TryGetProperty("metadata", out var metadata) && metadata.TryGetProperty("component", out product);
        return graph.Build(SbomFormat.CycloneDxJson, version, SbomJson.Text(root, "serialNumber"),
            hasRoot ? SbomJson.Text(product, "bom-ref") : null, hasRoot ? SbomJson.Text(product, "name") : null);
    }

    [GeneratedRegex(@"^SPDXRef-[A-Za-z0-9.\-]+$")]
    private static partial Regex SpdxId();

    /// <summary>SPDX 2.3 §11.1 relationship types.</summary>
    static readonly HashSet<string> RelationshipTypes =
    [
        "DESCRIBES", "DESCRIBED_BY", "CONTAINS", "CONTAINED_BY", "DEPENDS_ON", "DEPENDENCY_OF", "DEPENDENCY_MANIFEST_OF",
        "BUILD_DEPENDENCY_OF", "DEV_DEPENDENCY_OF", "OPTIONAL_DEPENDENCY_OF", "PROVIDED_DEPENDENCY_OF", "TEST_DEPENDENCY_OF",
        "RUNTIME_DEPENDENCY_OF", "EXAMPLE_OF", "GENERATES", "GENERATED_FROM", "ANCESTOR_OF", "DESCENDANT_OF", "VARIANT_OF",
        "DISTRIBUTION_ARTIFACT", "PATCH_FOR", "PATCH_APPLIED", "COPY_OF", "FILE_ADDED", "FILE_DELETED", "FILE_MODIFIED",
        "EXPANDED_FROM_ARCHIVE", "DYNAMIC_LINK", "STATIC_LINK", "DATA_FILE_OF", "TEST_CASE_OF", "BUILD_TOOL_OF", "DEV_TOOL_OF",
        "TEST_OF", "TEST_TOOL_OF", "DOCUMENTATION_OF", "OPTIONAL_COMPONENT_OF", "METAFILE_OF", "PACKAGE_OF", "AMENDS",
        "PREREQUISITE_FOR", "HAS_PREREQUISITE", "REQUIREMENT_DESCRIPTION_FOR", "SPECIFICATION_FOR", "OTHER",
    ];

    /// <summary>Relationships that put the related element inside the product, as "A uses B" (first) or "B uses A" (second).</summary>
    static readonly HashSet<string> Uses = ["DEPENDS_ON", "CONTAINS", "DYNAMIC_LINK", "STATIC_LINK", "HAS_PREREQUISITE"];
    static readonly HashSet<string> UsedBy =
    [
        "DEPENDENCY_OF", "CONTAINED_BY", "RUNTIME_DEPENDENCY_OF", "BUILD_DEPENDENCY_OF", "OPTIONAL_DEPENDENCY_OF",
        "PROVIDED_DEPENDENCY_OF", "PACKAGE_OF", "PREREQUISITE_FOR",
    ];

    const string DocumentId = "SPDXRef-DOCUMENT";

    static Sbom ReadSpdx(string path, string file, string? version, SbomLimits limits)
    {
        if (version != "SPDX-2.3")
            throw new MalformedInputException(file, "$.spdxVersion",
                $"{(version is null ? "not a string" : $"\"{version}\"")}: only SPDX 2.3 documents are supported (\"spdxVersion\": \"SPDX-2.3\")");
        var graph = new SbomGraph(file, limits);
        var described = new List<string>();
        string Required(JsonElement e, string name, string at) =>
            SbomJson.Text(e, name) is { Length: > 0 } v ? v : throw new MalformedInputException(file, $"{at}.{name}", "required: a non-empty string");
        var streamed = new Dictionary<string, SbomJson.IItems>
        {
            ["packages"] = new SbomJson.Items<SbomComponent>((i, e) =>
            {
                var at = $"$.packages[{i}]";
                if (e.ValueKind != JsonValueKind.Object) throw new MalformedInputException(file, at, "a package must be an object");
                var id = Required(e, "SPDXID", at);
                if (!SpdxId().IsMatch(id))
                    throw new MalformedInputException(file, at + ".SPDXID", $"'{id}' is not an SPDX identifier (SPDXRef-[A-Za-z0-9.-]+)");
                var name = Required(e, "name", at);
                Required(e, "downloadLocation", at);
                string? purl = null;
                if (e.TryGetProperty("externalRefs", out var refs))
                {
                    if (refs.ValueKind != JsonValueKind.Array) throw new MalformedInputException(file, at + ".externalRefs", "must be an array");
                    var j = 0;
                    foreach (var r in refs.EnumerateArray())
                    {
                        var rat = $"{at}.externalRefs[{j++}]";
                        var category = Required(r, "referenceCategory", rat);
                        var type = Required(r, "referenceType", rat);
                        var locator = Required(r, "referenceLocator", rat);
                        if (category.Replace('_', '-') == "PACKAGE-MANAGER" && type == "purl")
                        {
                            if (!locator.StartsWith("pkg:", StringComparison.Ordinal))
                                throw new MalformedInputException(file, rat + ".referenceLocator",
                                    $"'{locator}' is not a package URL (pkg:TYPE/NAME…)");
                            purl ??= locator;
                        }
                    }
                }
                return new SbomComponent(id, name, SbomJson.Text(e, "versionInfo"), purl, SbomPurlKey.Of(purl));
            }, (i, c) => graph.Add(c.Ref, c.Name, c.Version, c.Purl, () => $"$.packages[{i}].SPDXID", c.PurlKey)),
            ["relationships"] = new SbomJson.Items<(string From, string Type, string To)>((i, e) =>
            {
                var at = $"$.relationships[{i}]";
                if (e.ValueKind != JsonValueKind.Object) throw new MalformedInputException(file, at, "a relationship must be an object");
                var from = Required(e, "spdxElementId", at);
                var type = Required(e, "relationshipType", at);
                var to = Required(e, "relatedSpdxElement", at);
                if (!RelationshipTypes.Contains(type))
                    throw new MalformedInputException(file, at + ".relationshipType", $"'{type}' is not an SPDX 2.3 relationship type");
                return (from, type, to);
            }, (_, r) =>
            {
                if (r.Type == "DESCRIBES" && r.From == DocumentId) described.Add(r.To);
                else if (r.Type == "DESCRIBED_BY" && r.To == DocumentId) described.Add(r.From);
                else if (Uses.Contains(r.Type)) graph.DependsOn(r.From, r.To);
                else if (UsedBy.Contains(r.Type)) graph.DependsOn(r.To, r.From);
            }),
        };
        using var skeleton = SbomJson.Walk(path, file, streamed, limits.MaxOtherBytes);
        var root = skeleton.RootElement;
        if (SbomJson.Text(root, "SPDXID") != DocumentId) throw new MalformedInputException(file, "$.SPDXID", $"required: \"{DocumentId}\"");
        var documentName = Required(root, "name", "$");
        var ns = Required(root, "documentNamespace", "$");
        Required(root, "dataLicense", "$");
        if (!root.TryGetProperty("creationInfo", out var creation) || creation.ValueKind != JsonValueKind.Object)
            throw new MalformedInputException(file, "$.creationInfo", "required: an object with created and creators");
        Required(creation, "created", "$.creationInfo");
        if (!creation.TryGetProperty("creators", out var creators) || creators.ValueKind != JsonValueKind.Array || creators.GetArrayLength() == 0)
            throw new MalformedInputException(file, "$.creationInfo.creators", "required: a non-empty array");
        if (root.TryGetProperty("documentDescribes", out var describes))
        {
            if (describes.ValueKind != JsonValueKind.Array)
                throw new MalformedInputException(file, "$.documentDescribes", "must be an array of SPDX identifiers");
            described.AddRange(describes.EnumerateArray().Where(d => d.ValueKind == JsonValueKind.String).Select(d => d.GetString()!));
        }
        var products = described.Distinct().ToList();
        // One described package is the product itself; several are the product's parts.
        return products.Count == 1
            ? graph.Build(SbomFormat.SpdxJson, "2.3", ns, products[0], documentName)
            : graph.Build(SbomFormat.SpdxJson, "2.3", ns, null, documentName, products);
    }
}
