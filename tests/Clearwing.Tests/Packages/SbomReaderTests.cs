using Clearwing.Findings;
using Clearwing.Packages;

namespace Clearwing.Tests.Packages;

/// <summary>The CycloneDX specification's own valid/invalid documents, SPDX 2.3 documents, and the graph read from both.</summary>
public sealed class SbomReaderTests
{
    static bool Named(string path, string prefix) => Path.GetFileName(path).StartsWith(prefix, StringComparison.Ordinal);

    public static TheoryData<string> Valid => TestData.Files("cyclonedx/test-resources", "valid-*.*",
        f => (f.EndsWith(".json") || f.EndsWith(".xml")) && (f.Contains("/1.6/") || f.Contains("/1.7/")) && Named(f, "valid-"));
    /// <summary>With the two "informal" invalid documents of 1.7, whose rule the XML Schema does not formalise.</summary>
    public static TheoryData<string> Invalid => TestData.Files("cyclonedx/test-resources", "*invalid-*.*",
        f => (f.EndsWith(".json") || f.EndsWith(".xml")) && (f.Contains("/1.6/") || f.Contains("/1.7/")) && (Named(f, "invalid-") || Named(f, "informal-invalid-")));

    [Fact]
    public void The_specification_holds_216_valid_111_invalid_and_160_json_documents_of_1_6_and_1_7()
    {
        Assert.Equal((216, 111, 160), (Valid.Count, Invalid.Count, JsonDocuments.Count));
        Assert.Equal(92, Valid.Count(f => f.Data.Contains("/1.6/")));
        Assert.Equal(52, Invalid.Count(f => f.Data.Contains("/1.6/")));
    }

    [Theory, MemberData(nameof(Valid))]
    public void Every_valid_CycloneDX_document_of_the_specification_is_accepted(string file)
    {
        var sbom = SbomReader.Read(TestData.PathTo(file), file);
        Assert.Equal(file.EndsWith(".xml") ? SbomFormat.CycloneDxXml : SbomFormat.CycloneDxJson, sbom.Format);
        Assert.Contains(sbom.SpecVersion, new[] { "1.6", "1.7" });
    }

    [Theory, MemberData(nameof(Invalid))]
    public void Every_invalid_CycloneDX_document_of_the_specification_is_rejected_naming_the_file_and_the_location(string file)
    {
        var e = Assert.Throws<MalformedInputException>(() => SbomReader.Read(TestData.PathTo(file), file));
        Assert.Equal(file, e.File);
        Assert.Matches(file.EndsWith(".xml") ? "^line [0-9]+, column [0-9]+$" : @"^\$", e.JsonPath);
        Assert.False(string.IsNullOrWhiteSpace(e.Reason));
    }

    public static TheoryData<string> JsonDocuments => TestData.Files("cyclonedx/test-resources", "*.json",
        f => f.Contains("/1.6/") || f.Contains("/1.7/"));

    /// <summary>The fast evaluator may answer Unknown, but never Valid where the reference evaluator says Invalid.</summary>
    [Theory, MemberData(nameof(JsonDocuments))]
    public void The_quick_schema_is_never_more_lenient_than_the_reference_evaluator(string file)
    {
        using var document = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(TestData.PathTo(file)));
        var root = document.RootElement;
        if (SbomJson.Text(root, "specVersion") is not ("1.5" or "1.6" or "1.7") || SbomJson.Text(root, "bomFormat") != "CycloneDX") return;
        var schemas = SbomSchemas.For(SbomJson.Text(root, "specVersion")!);
        var pairs = new List<(Json.Schema.JsonSchema Reference, QuickSchema Quick, System.Text.Json.JsonElement Instance)> { (schemas.References.Value.Document, schemas.QuickDocument, root) };
        foreach (var (name, reference, quick) in new[] { ("components", schemas.References.Value.Component, schemas.QuickComponent), ("dependencies", schemas.References.Value.Dependency, schemas.QuickDependency) })
            if (root.TryGetProperty(name, out var items) && items.ValueKind == System.Text.Json.JsonValueKind.Array)
                pairs.AddRange(items.EnumerateArray().Select(i => (reference, quick, i)));
        foreach (var (reference, quick, instance) in pairs)
            if (quick.Check(instance) == QuickSchema.Verdict.Valid)
                Assert.Null(SbomSchemas.Check(() => reference, new QuickSchema(_ => default, "none", ""), instance, () => "$"));
    }

    [Fact]
    public void A_CycloneDX_dependency_graph_gives_the_direct_and_the_transitive_components()
    {
        var sbom = Read("bom.cdx.json", """
            {
              "bomFormat": "CycloneDX", "specVersion": "1.6", "serialNumber": "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79", "version": 1,
              "metadata": { "component": { "type": "application", "bom-ref": "app", "name": "portal" } },
              "components": [
                { "type": "library", "bom-ref": "a", "name": "express", "version": "4.18.2", "purl": "pkg:npm/express@4.18.2" },
                { "type": "library", "bom-ref": "b", "name": "body-parser", "version": "1.20.1", "purl": "pkg:npm/body-parser@1.20.1" },
                { "type": "library", "bom-ref": "c", "name": "core", "group": "@angular", "version": "17.0.0", "purl": "pkg:npm/%40angular/core@17.0.0?x=1#sub" },
                { "type": "library", "bom-ref": "d", "name": "Jackson-Databind", "version": "2.15.0", "purl": "pkg:maven/com.fasterxml.jackson.core/Jackson-Databind@2.15.0" }
              ],
              "dependencies": [
                { "ref": "app", "dependsOn": ["a", "c"] },
                { "ref": "a", "dependsOn": ["b"] },
                { "ref": "b", "dependsOn": ["d"] }
              ]
            }
            """);
        Assert.Equal(SbomFormat.CycloneDxJson, sbom.Format);
        Assert.Equal("urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79", sbom.SerialNumber);
        Assert.Equal(("app", "portal"), (sbom.RootRef, sbom.RootName));
        Assert.Equal(["a", "b", "c", "d"], sbom.Components.Select(c => c.Ref));
        Assert.Equal([true, false, true, false], sbom.Direct);
        Assert.Equal([(0, 1), (1, 3)], sbom.Dependencies);
        Assert.Equal(["pkg:npm/express", "pkg:npm/body-parser", "pkg:npm/%40angular/core", "pkg:maven/com.fasterxml.jackson.core/Jackson-Databind"], sbom.Components.Select(c => c.PurlKey));
        Assert.Equal("pkg:npm/%40angular/core@17.0.0?x=1#sub", sbom.Components[2].Purl);
    }

    [Fact]
    public void Without_a_root_entry_the_components_nothing_depends_on_are_the_direct_ones()
    {
        var sbom = Read("bom.cdx.json", """
            {
              "bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
              "components": [
                { "type": "library", "bom-ref": "a", "name": "a", "components": [ { "type": "library", "bom-ref": "a1", "name": "a1" } ] },
                { "type": "library", "bom-ref": "b", "name": "b" }
              ],
              "dependencies": [ { "ref": "b", "dependsOn": ["a"] } ]
            }
            """);
        Assert.Equal(["a", "a1", "b"], sbom.Components.Select(c => c.Ref));
        Assert.Equal([false, false, true], sbom.Direct);
        Assert.Equal([(0, 1), (2, 0)], sbom.Dependencies);
    }

    [Fact]
    public void A_component_schema_error_names_its_JSON_path()
    {
        var e = Assert.Throws<MalformedInputException>(() => Read("bad.cdx.json", """
            { "bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
              "components": [ { "type": "library", "name": "ok" }, { "type": "library", "name": "x", "hashes": [ { "alg": "MD5", "content": "nothex" } ] } ] }
            """));
        Assert.Equal("bad.cdx.json", e.File);
        Assert.Equal("$.components[1].hashes[0].content", e.JsonPath);
    }

    [Theory]
    [InlineData(3_000, "{ \"type\": \"gadget\", \"name\": \"x\" }", 9_000, "{ \"type\": \"library\", \"name\": }", "$.components[3000].type")]
    [InlineData(3_000, "{ \"type\": \"library\", \"name\": }", 9_000, "{ \"type\": \"gadget\", \"name\": \"x\" }", "$.components[3000]")]
    [InlineData(2_047, "{ \"type\": \"library\", \"name\": \"x\", \"bom-ref\": \"c0\" }", 2_048, "{ \"type\": \"gadget\" }", "$.components[2047].bom-ref")]
    public void Among_thousands_of_components_the_first_error_in_document_order_is_the_one_reported(int first, string firstItem, int second, string secondItem, string expected)
    {
        // Items are checked in batches on several threads while the next batch is scanned: whichever thread meets an
        // error first, the report must name the earliest one.
        var items = Enumerable.Range(0, 10_000).Select(i => i == first ? firstItem : i == second ? secondItem
            : $$"""{ "type": "library", "bom-ref": "c{{i}}", "name": "n{{i}}", "version": "1.0.{{i}}", "purl": "pkg:npm/n{{i}}@1.0.{{i}}" }""");
        var e = Assert.Throws<MalformedInputException>(() => Read("big.cdx.json",
            $$"""{ "bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1, "components": [ {{string.Join(",\n", items)}} ] }"""));
        Assert.Equal(expected, e.JsonPath);
    }

    [Fact]
    public void An_error_in_an_early_component_is_reported_before_the_file_being_cut_short()
    {
        var items = Enumerable.Range(0, 10_000).Select(i => i == 3_000 ? """{ "type": "gadget", "name": "x" }"""
            : $$"""{ "type": "library", "bom-ref": "c{{i}}", "name": "n{{i}}" }""");
        var e = Assert.Throws<MalformedInputException>(() => Read("cut.cdx.json",
            $$"""{ "bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1, "components": [ {{string.Join(",\n", items)}}, { "type": "libr"""));
        Assert.Equal("$.components[3000].type", e.JsonPath);
    }

    [Theory]
    [InlineData("https://github.com/expressjs/express")]
    [InlineData("git+ssh://git@github.com/org/repo.git#v1.2.3")]
    [InlineData("../relative/path?x=1")]
    [InlineData("https://例え.jp/パス")]
    [InlineData("http://exa mple.com/")]
    [InlineData("http://[::1")]
    [InlineData("\\\\server\\share")]
    [InlineData("")]
    public void The_quick_schema_checks_formats_exactly_as_the_reference_evaluator(string url)
    {
        // Real SBOMs put a URL on most components and a timestamp on the document: the quick path must decide these
        // itself (or every component would take the slow path) and decide them as the reference evaluator does.
        var schemas = SbomSchemas.For("1.6");
        foreach (var (json, quick, reference) in new[]
        {
            ($$"""{ "type": "library", "name": "x", "externalReferences": [ { "type": "vcs", "url": {{System.Text.Json.JsonSerializer.Serialize(url)}} } ] }""", schemas.QuickComponent, schemas.References.Value.Component),
            ($$"""{ "bomFormat": "CycloneDX", "specVersion": "1.6", "metadata": { "timestamp": {{System.Text.Json.JsonSerializer.Serialize(url.Length == 0 ? "2026-11-27T08:00:00Z" : url)}} } }""", schemas.QuickDocument, schemas.References.Value.Document),
        })
        {
            using var document = System.Text.Json.JsonDocument.Parse(json);
            var verdict = quick.Check(document.RootElement);
            Assert.NotEqual(QuickSchema.Verdict.Unknown, verdict);
            Assert.Equal(reference.Evaluate(document.RootElement, new Json.Schema.EvaluationOptions { RequireFormatValidation = true }).IsValid, verdict == QuickSchema.Verdict.Valid);
        }
    }

    [Fact]
    public void An_unsupported_CycloneDX_version_is_rejected_by_name()
    {
        var e = Assert.Throws<MalformedInputException>(() => Read("old.cdx.json", """{ "bomFormat": "CycloneDX", "specVersion": "1.4", "version": 1 }"""));
        Assert.Equal("$.specVersion", e.JsonPath);
        Assert.Contains("1.4", e.Reason);
    }

    [Fact]
    public void A_CycloneDX_1_5_XML_document_is_read_with_its_graph_and_checked_structurally()
    {
        const string Xml = """
            <?xml version="1.0"?>
            <bom xmlns="http://cyclonedx.org/schema/bom/1.5" serialNumber="urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79" version="1">
              <metadata><component type="application" bom-ref="app"><name>portal</name></component></metadata>
              <components>
                <component type="library" bom-ref="a"><name>requests</name><version>2.31.0</version><purl>pkg:pypi/requests@2.31.0</purl>
                  <components><component type="library" bom-ref="a1"><name>vendored</name></component></components>
                </component>
                <component type="library" bom-ref="b"><name>urllib3</name><version>2.0.7</version><purl>pkg:pypi/urllib3@2.0.7</purl></component>
              </components>
              <dependencies>
                <dependency ref="app"><dependency ref="a"/></dependency>
                <dependency ref="a"><dependency ref="b"/></dependency>
              </dependencies>
            </bom>
            """;
        var sbom = Read("bom.cdx.xml", Xml);
        Assert.Equal((SbomFormat.CycloneDxXml, "1.5", "app", "portal"), (sbom.Format, sbom.SpecVersion, sbom.RootRef, sbom.RootName));
        Assert.Equal(["a", "a1", "b"], sbom.Components.Select(c => c.Ref));
        Assert.Equal([true, false, false], sbom.Direct);
        Assert.Equal([(0, 1), (0, 2)], sbom.Dependencies);
        Assert.Equal("pkg:pypi/urllib3", sbom.Components[2].PurlKey);

        var e = Assert.Throws<MalformedInputException>(() => Read("bad.cdx.xml", Xml.Replace("<hash", "").Replace("type=\"library\" bom-ref=\"b\"", "type=\"gadget\" bom-ref=\"b\"")));
        Assert.Equal("line 8, column 6", e.JsonPath);
        Assert.Contains("gadget", e.Reason);
        e = Assert.Throws<MalformedInputException>(() => Read("dup.cdx.xml", Xml.Replace("bom-ref=\"a1\"", "bom-ref=\"a\"")));
        Assert.Contains("'a'", e.Reason);
    }

    const string Spdx = """
        {
          "spdxVersion": "SPDX-2.3", "dataLicense": "CC0-1.0", "SPDXID": "SPDXRef-DOCUMENT", "name": "portal-1.0",
          "documentNamespace": "https://example.org/spdx/portal-1.0-7d3c",
          "creationInfo": { "created": "2026-11-01T00:00:00Z", "creators": ["Tool: example-1.0"] },
          "packages": [
            { "SPDXID": "SPDXRef-portal", "name": "portal", "versionInfo": "1.0", "downloadLocation": "NOASSERTION" },
            { "SPDXID": "SPDXRef-requests", "name": "requests", "versionInfo": "2.31.0", "downloadLocation": "NOASSERTION",
              "externalRefs": [ { "referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": "pkg:pypi/requests@2.31.0" } ] },
            { "SPDXID": "SPDXRef-urllib3", "name": "urllib3", "versionInfo": "2.0.7", "downloadLocation": "NOASSERTION",
              "externalRefs": [ { "referenceCategory": "PACKAGE_MANAGER", "referenceType": "purl", "referenceLocator": "pkg:pypi/urllib3@2.0.7" } ] },
            { "SPDXID": "SPDXRef-certifi", "name": "certifi", "versionInfo": "2023.7.22", "downloadLocation": "NOASSERTION" }
          ],
          "relationships": [
            { "spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "DESCRIBES", "relatedSpdxElement": "SPDXRef-portal" },
            { "spdxElementId": "SPDXRef-portal", "relationshipType": "DEPENDS_ON", "relatedSpdxElement": "SPDXRef-requests" },
            { "spdxElementId": "SPDXRef-urllib3", "relationshipType": "DEPENDENCY_OF", "relatedSpdxElement": "SPDXRef-requests" },
            { "spdxElementId": "SPDXRef-urllib3", "relationshipType": "CONTAINS", "relatedSpdxElement": "SPDXRef-certifi" }
          ]
        }
        """;

    [Fact]
    public void An_SPDX_2_3_document_gives_its_packages_purls_and_graph_with_the_described_package_as_the_product()
    {
        var sbom = Read("portal.spdx.json", Spdx);
        Assert.Equal((SbomFormat.SpdxJson, "2.3"), (sbom.Format, sbom.SpecVersion));
        Assert.Equal("https://example.org/spdx/portal-1.0-7d3c", sbom.SerialNumber);
        Assert.Equal("SPDXRef-portal", sbom.RootRef);
        Assert.Equal(["SPDXRef-requests", "SPDXRef-urllib3", "SPDXRef-certifi"], sbom.Components.Select(c => c.Ref));
        Assert.Equal(["pkg:pypi/requests@2.31.0", "pkg:pypi/urllib3@2.0.7", null], sbom.Components.Select(c => c.Purl));
        Assert.Equal(["pkg:pypi/requests", "pkg:pypi/urllib3", null], sbom.Components.Select(c => c.PurlKey));
        Assert.Equal([true, false, false], sbom.Direct);
        Assert.Equal([(0, 1), (1, 2)], sbom.Dependencies);
    }

    [Fact]
    public void An_SPDX_document_of_another_version_is_rejected_naming_the_version()
    {
        var e = Assert.Throws<MalformedInputException>(() => Read("old.spdx.json", Spdx.Replace("SPDX-2.3", "SPDX-2.2")));
        Assert.Equal(("old.spdx.json", "$.spdxVersion"), (e.File, e.JsonPath));
        Assert.Contains("SPDX-2.2", e.Reason);
    }

    [Fact]
    public void A_broken_SPDX_document_names_the_package_at_fault()
    {
        var e = Assert.Throws<MalformedInputException>(() => Read("broken.spdx.json", Spdx.Replace("\"SPDXID\": \"SPDXRef-urllib3\", ", "")));
        Assert.Equal("$.packages[2].SPDXID", e.JsonPath);
        e = Assert.Throws<MalformedInputException>(() => Read("broken.spdx.json", Spdx.Replace("\"DEPENDENCY_OF\"", "\"USES\"")));
        Assert.Equal("$.relationships[2].relationshipType", e.JsonPath);
        e = Assert.Throws<MalformedInputException>(() => Read("broken.spdx.json", Spdx.Replace("\"SPDXRef-certifi\", \"name\"", "\"SPDXRef-requests\", \"name\"")));
        Assert.Contains("unique", e.Reason);
    }

    [Fact]
    public void A_file_that_is_no_SBOM_says_so()
    {
        var e = Assert.Throws<MalformedInputException>(() => Read("findings.json", """{ "version": "2.1.0", "runs": [] }"""));
        Assert.Contains("not an SBOM", e.Reason);
        e = Assert.Throws<MalformedInputException>(() => Read("other.xml", """<?xml version="1.0"?><project xmlns="urn:x"/>"""));
        Assert.Equal("line 1, column 23", e.JsonPath);
    }

    /// <summary>The specification's dependency examples (JSON and XML) and an SPDX document: each a few components and edges.</summary>
    public static TheoryData<string> LimitedDocuments => new("cyclonedx-json", "cyclonedx-xml", "spdx-json");

    [Theory, MemberData(nameof(LimitedDocuments))]
    public void Limits_refuse_a_document_at_the_first_component_or_dependency_beyond_them_in_every_format(string format)
    {
        var dir = Path.Combine(Path.GetTempPath(), "clearwing-sbom-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var path = format switch
        {
            "cyclonedx-json" => TestData.PathTo("cyclonedx", "test-resources", "1.6", "valid-dependency-1.6.json"),
            "cyclonedx-xml" => TestData.PathTo("cyclonedx", "test-resources", "1.6", "valid-dependency-1.6.xml"),
            _ => Path.Combine(dir, "portal.spdx.json"),
        };
        if (format == "spdx-json") File.WriteAllText(path, Spdx);
        try
        {
            var whole = SbomReader.Read(path, "bom");
            Assert.Equal(format, whole.Format.Name());
            Assert.NotEmpty(whole.Dependencies);
            // The smallest limits the document passes: no fewer than what it holds, and one less is refused by name.
            long Smallest(Func<long, SbomLimits> limits)
            {
                for (long n = 0; ; n++)
                {
                    try
                    {
                        SbomReader.Read(path, "bom", limits(n));
                        return n;
                    }
                    catch (TooLargeException) { }
                }
            }
            var components = Smallest(n => new SbomLimits(n, long.MaxValue));
            var dependencies = Smallest(n => new SbomLimits(long.MaxValue, n));
            Assert.InRange(components, whole.Components.Count, whole.Components.Count + 1); // an SPDX root is read as a package
            Assert.True(dependencies >= whole.Dependencies.Count);
            var e = Assert.Throws<TooLargeException>(() => SbomReader.Read(path, "bom", new SbomLimits(components - 1, long.MaxValue)));
            Assert.Equal($"bom has more than {components - 1:N0} components, the most accepted in one SBOM.", e.Message);
            e = Assert.Throws<TooLargeException>(() => SbomReader.Read(path, "bom", new SbomLimits(long.MaxValue, dependencies - 1)));
            Assert.Equal($"bom has more than {dependencies - 1:N0} dependencies, the most accepted in one SBOM.", e.Message);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Theory]
    [InlineData("bom.cdx.json", """{ "bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1, "metadata": { "properties": [ PROPERTIES ] } }""")]
    [InlineData("bom.cdx.xml", """<bom xmlns="http://cyclonedx.org/schema/bom/1.6" version="1"><metadata><properties>PROPERTIES</properties></metadata></bom>""")]
    public void Everything_but_components_and_dependencies_is_bounded_in_bytes_as_it_is_held_whole(string name, string template)
    {
        // 64 KiB of metadata: more than the XML reader's buffer, whose read-ahead is the precision of the count there.
        var property = name.EndsWith(".xml") ? """<property name="a">b</property>""" : """{ "name": "a", "value": "b" }""";
        var separator = name.EndsWith(".xml") ? "" : ",";
        var text = template.Replace("PROPERTIES", string.Join(separator, Enumerable.Repeat(property, (64 << 10) / property.Length)));
        Assert.Empty(Read(name, text, new SbomLimits(0, 0, text.Length)).Components);
        var e = Assert.Throws<TooLargeException>(() => Read(name, text, new SbomLimits(0, 0, 16 << 10)));
        Assert.StartsWith($"{name}: the parts of the document other than its components and dependencies take more than 16,384 bytes", e.Message);
    }

    // Found by fuzzing (fuzz/crashes/cyclonedx-json, fuzz/crashes/spdx): System.Text.Json reads a string's text only when asked,
    // and then threw InvalidOperationException out of the reader, a 500 instead of a refusal naming the string.
    [Theory]
    [InlineData(new byte[] { 0xC3, 0x28 }, "$.bomFormat")]
    [InlineData(new byte[] { (byte)'\\', (byte)'u', (byte)'d', (byte)'8', (byte)'0', (byte)'0' }, "$.bomFormat")]
    public void A_string_that_is_not_text_is_malformed_input_named_by_its_path(byte[] inside, string path)
    {
        byte[] document = [.. "{\"bomFormat\":\""u8, .. inside, .. "\",\"specVersion\":\"1.6\"}"u8];
        var e = Assert.Throws<MalformedInputException>(() => Read("bom.json", document));
        Assert.Equal((path, JsonStrings.InvalidText), (e.JsonPath, e.Reason));
    }

    [Fact]
    public void A_package_name_that_is_not_text_in_an_SPDX_document_is_malformed_input_named_by_its_path()
    {
        var e = Assert.Throws<MalformedInputException>(() => Read("broken.spdx.json", Spdx.Replace("\"name\": \"urllib3\"", "\"name\": \"\\udc00\"")));
        Assert.Equal(("$.packages[2].name", JsonStrings.InvalidText), (e.JsonPath, e.Reason));
    }

    static Sbom Read(string name, string text, SbomLimits? limits = null) => Read(name, System.Text.Encoding.UTF8.GetBytes(text), limits);

    static Sbom Read(string name, byte[] bytes, SbomLimits? limits = null)
    {
        var dir = Path.Combine(Path.GetTempPath(), "clearwing-sbom-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, name);
        File.WriteAllBytes(path, bytes);
        try
        {
            return SbomReader.Read(path, name, limits);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
