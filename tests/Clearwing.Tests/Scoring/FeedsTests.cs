using System.Text.Json;
using System.Text.Json.Nodes;
using Clearwing.Scoring;
using Json.Schema;

namespace Clearwing.Tests.Scoring;

/// <summary>
/// The KEV reader against CISA's catalog schema (../shared/testdata/cisa-kev/known_exploited_vulnerabilities_schema.json):
/// the suite's ten records read field for field, and wherever a catalog breaks the schema in a field the reader reads,
/// the reader refuses it too, naming that field; where the schema accepts a catalog, so does the reader.
/// </summary>
public sealed class FeedsTests
{
    static string Sample => TestData.PathTo("cisa-kev", "kev-sample-2025.02.25-first10.json");

    static readonly Lazy<JsonSchema> Schema = new(() =>
        JsonSchema.FromText(File.ReadAllText(TestData.PathTo("cisa-kev", "known_exploited_vulnerabilities_schema.json"))));

    static bool SchemaAccepts(JsonNode catalog) =>
        Schema.Value.Evaluate(JsonDocument.Parse(catalog.ToJsonString()).RootElement,
            new EvaluationOptions { OutputFormat = OutputFormat.Flag, RequireFormatValidation = true }).IsValid;

    static (string Version, List<KevEntry> Entries) Read(JsonNode catalog) =>
        FeedStore.ReadKev("kev.json", System.Text.Encoding.UTF8.GetBytes(catalog.ToJsonString()));

    static JsonNode SampleNode() => JsonNode.Parse(File.ReadAllText(Sample))!;

    [Fact]
    public void The_suites_ten_records_are_schema_valid_and_read_field_for_field()
    {
        var catalog = SampleNode();
        Assert.True(SchemaAccepts(catalog));

        var (version, entries) = FeedStore.ReadKev(Sample, File.ReadAllBytes(Sample));

        var records = catalog["vulnerabilities"]!.AsArray();
        Assert.Equal(10, records.Count);
        Assert.Equal(catalog["catalogVersion"]!.GetValue<string>(), version);
        Assert.Equal(records.Select(r => new KevEntry(
                (string)r!["cveID"]!, (string)r["vendorProject"]!, (string)r["product"]!, (string)r["vulnerabilityName"]!,
                (string)r["dateAdded"]!, (string)r["dueDate"]!, (string?)r["knownRansomwareCampaignUse"], version)),
            entries);
    }

    /// <summary>A change to the sample's second record (or the catalog, for "$" paths): the path the reader must name.</summary>
    public static TheoryData<string, string, string> SchemaBreaks => new()
    {
        { "no cveID", "cveID", "$.vulnerabilities[1].cveID" },
        { "cveID CVE-2024-123", "cveID", "$.vulnerabilities[1].cveID" },
        { "cveID CVE-2024-12345678901234567890", "cveID", "$.vulnerabilities[1].cveID" },
        { "cveID CVE-2024-١٢٣٤", "cveID", "$.vulnerabilities[1].cveID" },
        { "vendorProject 5", "vendorProject", "$.vulnerabilities[1].vendorProject" },
        { "no product", "product", "$.vulnerabilities[1].product" },
        { "no vulnerabilityName", "vulnerabilityName", "$.vulnerabilities[1].vulnerabilityName" },
        { "no dateAdded", "dateAdded", "$.vulnerabilities[1].dateAdded" },
        { "dateAdded 25/02/2025", "dateAdded", "$.vulnerabilities[1].dateAdded" },
        { "no dueDate", "dueDate", "$.vulnerabilities[1].dueDate" },
        { "dueDate 2025-02-30", "dueDate", "$.vulnerabilities[1].dueDate" },
        { "knownRansomwareCampaignUse true", "knownRansomwareCampaignUse", "$.vulnerabilities[1].knownRansomwareCampaignUse" },
        { "no catalogVersion", "catalogVersion", "$.catalogVersion" },
        { "vulnerabilities {}", "vulnerabilities", "$.vulnerabilities" },
    };

    [Theory, MemberData(nameof(SchemaBreaks))]
    public void A_catalog_the_schema_refuses_in_a_field_the_reader_reads_is_refused_naming_it(string change, string field, string path)
    {
        var catalog = Apply(SampleNode(), change, field);
        Assert.False(SchemaAccepts(catalog), $"the schema accepts {change}");

        var e = Assert.Throws<MalformedInputException>(() => Read(catalog));

        Assert.Equal(path, e.JsonPath);
    }

    [Fact]
    public void A_cve_id_with_a_final_newline_is_refused_as_the_schemas_pattern_refuses_it()
    {
        // JSON Schema patterns are ECMA-262 regular expressions, whose '$' ends the input; .NET's '$' (and so JsonSchema.Net's)
        // also matches before a final newline, so the schema evaluator here cannot be the oracle for this one.
        var catalog = Apply(SampleNode(), "cveID CVE-2024-1234\n", "cveID");

        var e = Assert.Throws<MalformedInputException>(() => Read(catalog));

        Assert.Equal("$.vulnerabilities[1].cveID", e.JsonPath);
    }

    [Theory]
    [InlineData("no knownRansomwareCampaignUse", "knownRansomwareCampaignUse")]
    [InlineData("notes more", "notes")]
    [InlineData("cwes [\"CWE-79\"]", "cwes")]
    [InlineData("forensicTriage Yes", "forensicTriage")]
    [InlineData("cveID CVE-2024-1234567890123456789", "cveID")]
    public void A_catalog_the_schema_accepts_is_read(string change, string field)
    {
        var catalog = Apply(SampleNode(), change, field);
        Assert.True(SchemaAccepts(catalog), $"the schema refuses {change}");

        Assert.Equal(10, Read(catalog).Entries.Count);
    }

    /// <summary>"no F" removes F; "F value" sets it (JSON when the value parses as JSON, else the text).</summary>
    static JsonNode Apply(JsonNode catalog, string change, string field)
    {
        var target = field is "catalogVersion" or "vulnerabilities" ? catalog.AsObject() : catalog["vulnerabilities"]![1]!.AsObject();
        if (change.StartsWith("no ", StringComparison.Ordinal)) target.Remove(field);
        else
        {
            var value = change[(field.Length + 1)..];
            JsonNode? node;
            try
            {
                node = JsonNode.Parse(value);
            }
            catch (JsonException)
            {
                node = JsonValue.Create(value);
            }
            target[field] = node;
        }
        return catalog;
    }
}
