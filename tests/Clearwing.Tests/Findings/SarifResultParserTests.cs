using System.Text;
using System.Text.Json;
using Clearwing.Findings;
using Clearwing.Scoring;

namespace Clearwing.Tests.Findings;

/// <summary>The hand-written result parser against the serializer-based DTO it replaces on the hot path.</summary>
public sealed class SarifResultParserTests
{
    // Only the corpus files that are SARIF 2.1.0 JSON, with or without a byte order mark: the others (2.0.x logs, a
    // deliberately broken file) are rejected by the reader before any result is parsed, which FindingReaderCorpusTests covers.
    public static TheoryData<string> SdkLogs => TestData.Files("sarif-sdk", "*.sarif", TestData.IsSarif210);
    public static TheoryData<string> GeneratedLogs => TestData.Files("sarif-generated", "*.sarif", TestData.IsSarif210);
    public static TheoryData<string> CodeQlLogs => TestData.Files("sarif-codeql-fingerprints", "*.sarif", TestData.IsSarif210);

    [Fact]
    public void The_corpus_holds_480_sarif_2_1_0_logs()
    {
        Assert.Equal((475, 2, 3), (SdkLogs.Count, GeneratedLogs.Count, CodeQlLogs.Count));
        Assert.Equal(9, SdkLogs.Count(f => File.ReadAllBytes(TestData.PathTo(f.Data)).AsSpan().StartsWith("\uFEFF"u8)));
    }

    [Theory]
    [MemberData(nameof(SdkLogs))]
    [MemberData(nameof(GeneratedLogs))]
    [MemberData(nameof(CodeQlLogs))]
    public void The_parser_and_the_serializer_agree_on_every_result_of_every_2_1_0_log_in_the_corpus(string file)
    {
        var path = TestData.PathTo(file);
        using var doc = JsonDocument.Parse(TestData.ReadJsonBytes(path), new JsonDocumentOptions { MaxDepth = JsonFileCursor.MaxDepth });
        var root = doc.RootElement;
        var runs = HeaderReader.Read(path, file).Runs;
        int compared = 0, r = 0;
        foreach (var run in root.GetProperty("runs").EnumerateArray())
        {
            if (run.TryGetProperty("results", out var results) && results.ValueKind == JsonValueKind.Array)
            {
                int i = 0;
                foreach (var result in results.EnumerateArray())
                {
                    var bytes = Encoding.UTF8.GetBytes(result.GetRawText());
                    string where = $"{file} runs[{r}].results[{i++}]";
                    SarifResult expected;
                    try
                    {
                        expected = JsonSerializer.Deserialize(bytes, IntakeJson.Default.SarifResult)!;
                    }
                    catch (JsonException e)
                    {
                        var error = Assert.ThrowsAny<JsonException>(() => SarifResultParser.Parse(bytes));
                        Assert.Equal(e.Path, error.Path);
                        continue;
                    }
                    var actual = SarifResultParser.Parse(bytes);
                    Assert.True(Canonical(expected) == Canonical(actual), $"{where}:\n{Canonical(expected)}\n{Canonical(actual)}");
                    Assert.Equal(runs[r].Map(expected, null), runs[r].Map(actual, null));
                    compared++;
                }
            }
            r++;
        }
        TestContext.Current.SendDiagnosticMessage($"{file}: {compared} results compared");
    }

    [Theory]
    [InlineData("""{ "ruleId": 5 }""", "$.ruleId")]
    [InlineData("""{ "ruleIndex": "1" }""", "$.ruleIndex")]
    [InlineData("""{ "ruleIndex": 1.5 }""", "$.ruleIndex")]
    [InlineData("""{ "level": ["error"] }""", "$.level")]
    [InlineData("""{ "message": "text" }""", "$.message")]
    [InlineData("""{ "message": { "text": "m", "arguments": [ "a", 3 ] } }""", "$.message.arguments[1]")]
    [InlineData("""{ "rule": { "toolComponent": { "index": "x" } } }""", "$.rule.toolComponent.index")]
    [InlineData("""{ "locations": { } }""", "$.locations")]
    [InlineData("""{ "locations": [ { }, { "physicalLocation": { "artifactLocation": { "index": 1.5 } } } ] }""", "$.locations[1].physicalLocation.artifactLocation.index")]
    [InlineData("""{ "locations": [ { "physicalLocation": { "region": { "snippet": { "text": 7 } } } } ] }""", "$.locations[0].physicalLocation.region.snippet.text")]
    [InlineData("""{ "locations": [ { "physicalLocation": { "contextRegion": { "endLine": false } } } ] }""", "$.locations[0].physicalLocation.contextRegion.endLine")]
    [InlineData("""{ "locations": [ { "logicalLocations": [ { }, { "name": 1 } ] } ] }""", "$.locations[0].logicalLocations[1].name")]
    [InlineData("""{ "locations": [ { }, { "logicalLocations": [ { "index": "0" } ] } ] }""", "$.locations[1].logicalLocations[0].index")]
    [InlineData("""{ "partialFingerprints": { "k": 1 } }""", "$.partialFingerprints.k")]
    [InlineData("""{ "fingerprints": [ "x" ] }""", "$.fingerprints")]
    [InlineData("""{ "suppressions": [ { "status": true } ] }""", "$.suppressions[0].status")]
    [InlineData("""{ "baselineState": { } }""", "$.baselineState")]
    [InlineData("""{ "properties": [ ] }""", "$.properties")]
    public void A_value_of_the_wrong_type_in_a_result_fails_with_its_path_as_the_serializer_reported_it(string result, string path)
    {
        var bytes = Encoding.UTF8.GetBytes(result);
        var serializer = Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize(bytes, IntakeJson.Default.SarifResult));
        var parser = Assert.ThrowsAny<JsonException>(() => SarifResultParser.Parse(bytes));
        Assert.Equal(path, serializer.Path);
        Assert.Equal(path, parser.Path);

        var e = Assert.Throws<MalformedInputException>(() => Some.Read(Some.SarifLog(Some.SarifResult() + "," + result)));
        Assert.Equal("$.runs[0].results[1]" + path[1..], e.JsonPath);
        Assert.StartsWith("must be ", e.Reason);
        Assert.DoesNotContain("System.", e.Reason);
    }

    [Fact]
    public void Invalid_json_inside_a_result_of_a_large_log_is_rejected_naming_that_result()
    {
        // More than the 1 MiB read buffer, so the first pass skips the results by scanning rather than reading them.
        var results = Enumerable.Range(0, 6_000).Select(i => Some.SarifResult(line: i + 1, message: "m" + i)).ToList();
        results[5_000] = """{ "ruleId": "R1", "message": { "text" "m" } }""";
        var e = Assert.Throws<MalformedInputException>(() => Some.Read(Some.SarifLog(string.Join(",", results))));
        Assert.StartsWith("$.runs[0].results[5000]", e.JsonPath);
    }

    [Fact]
    public void A_large_log_whose_results_contain_brackets_and_escapes_in_strings_streams_through()
    {
        var results = Enumerable.Range(0, 6_000).Select(i => Some.SarifResult(line: i + 1, message: i % 2 == 0 ? "a ] } \\\" [ {" : "\\\\", snippet: "x[\"}\"]"));
        var read = Some.Read(Some.SarifLog(string.Join(",", results), run: """ "artifacts": [ { "location": { "uri": "z.c" } } ] """));
        Assert.Equal(6_000, read.Count);
        Assert.Equal("a ] } \" [ {", read[0].Message);
        Assert.Equal("\\", read[1].Message);
    }

    [Fact]
    public void Property_bags_stay_lenient_a_numeric_severity_counts_and_tags_that_are_not_strings_are_ignored()
    {
        var result = Some.ReadOne(Some.SarifLog("""
            { "ruleId": "X9", "message": { "text": "m" },
              "properties": { "security-severity": 9.8, "tags": [ 1, null, { }, "external/cwe/cwe-079" ], "other": [ 1, 2 ] } }
            """));
        Assert.Equal(ReportedSeverity.Critical, result.Severity);
        Assert.Equal("CWE-79", result.Cwe);

        var odd = Some.ReadOne(Some.SarifLog("""{ "ruleId": "X9", "message": { "text": "m" }, "properties": { "security-severity": { "v": 1 }, "tags": "cwe-79" } }"""));
        Assert.Null(odd.Cwe);
    }

    [Fact]
    public void Escaped_property_names_and_duplicate_properties_read_as_the_serializer_reads_them()
    {
        var bytes = Encoding.UTF8.GetBytes("""
            { "rule\u0049d": "R1", "ruleId": "R2", "message": { "text": "a" }, "message": { "id": "b" },
              "fingerprints": { "k": "1", "k": "2" }, "RuleId": "ignored" }
            """);
        Assert.Equal(Canonical(JsonSerializer.Deserialize(bytes, IntakeJson.Default.SarifResult)!), Canonical(SarifResultParser.Parse(bytes)));
        var parsed = SarifResultParser.Parse(bytes);
        Assert.Equal("R2", parsed.RuleId);
        Assert.Null(parsed.Message!.Text);
        Assert.Equal("2", parsed.Fingerprints!["k"]);
    }

    /// <summary>
    /// Everything of a result that mapping uses, as text: the parser keeps of <c>locations</c> only the first and
    /// the first with a physical location, and of logical locations only the first location's first.
    /// </summary>
    static string Canonical(SarifResult r)
    {
        static SarifLocation? Trim(SarifLocation? l, bool logical) => l is null ? null : new SarifLocation
        {
            PhysicalLocation = l.PhysicalLocation,
            LogicalLocations = logical && l.LogicalLocations is { Count: > 0 } ll ? [ll[0]] : null,
        };
        List<SarifLocation?>? locations = null;
        if (r.Locations is { } all)
        {
            locations = [];
            if (all.Count > 0)
            {
                locations.Add(Trim(all[0], true));
                var physical = all.FirstOrDefault(l => l?.PhysicalLocation is not null);
                if (physical is not null && !ReferenceEquals(physical, all[0])) locations.Add(Trim(physical, false));
            }
        }
        var copy = new SarifResult
        {
            RuleId = r.RuleId, RuleIndex = r.RuleIndex, Rule = r.Rule, Kind = r.Kind, Level = r.Level, Message = r.Message,
            Locations = locations, Fingerprints = r.Fingerprints, PartialFingerprints = r.PartialFingerprints,
            Suppressions = r.Suppressions, BaselineState = r.BaselineState,
        };
        string properties = r.Properties is null ? "null" : $"{r.Properties.SecuritySeverity ?? "(none)"} [{(r.Properties.Tags is null ? "null" : string.Join("|", r.Properties.Tags))}]";
        return JsonSerializer.Serialize(copy, IntakeJson.Default.SarifResult) + " properties: " + properties;
    }
}
