using System.Text.Json;
using Clearwing.Disclosure;
using Json.Schema;

namespace Clearwing.Tests.Disclosure;

/// <summary>The CSAF provider's metadata against CSAF 2.0's provider schema (../shared/testdata/csaf), and its ROLIE feed's entries.</summary>
public sealed class CsafProviderTests
{
    static readonly AdvisoryPublisher Publisher = AdvisoryPublisher.FromEnvironment(name => name switch
    {
        "CLEARWING_PUBLIC_URL" => "https://clearwing.example.org",
        "CLEARWING_PUBLISHER_NAME" => "Example CERT",
        _ => null,
    });

    static readonly CsafEntry[] Entries =
    [
        new("CVE-2026-1000", "white/2026/cve-2026-1000.json", "white/2026/cve-2026-1000-vex.json",
            new DateTimeOffset(2026, 11, 2, 9, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 11, 4, 9, 0, 0, TimeSpan.Zero)),
        new("CW-2026-0001", "white/2026/cw-2026-0001.json", "white/2026/cw-2026-0001-vex.json",
            new DateTimeOffset(2026, 11, 3, 9, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 11, 3, 9, 0, 0, TimeSpan.Zero)),
    ];

    /// <summary>The provider schema, with the CSAF schema and the CVSS schemas it refers to registered under their ids.</summary>
    static readonly Lazy<(JsonSchema Schema, int Read)> ProviderSchema = new(() =>
    {
        var options = new BuildOptions { SchemaRegistry = new SchemaRegistry() };
        var files = Directory.GetFiles(TestData.PathTo("csaf", "csaf_2.0", "referenced_schema", "first"), "cvss-v*.json")
            .Where(f => !f.EndsWith("_strict.json", StringComparison.Ordinal))
            .Append(TestData.PathTo("csaf", "csaf_2.0", "json_schema", "csaf_json_schema.json")).ToList();
        // FIRST's CVSS schemas declare draft-04, which JsonSchema.Net does not build (their keywords mean the same in draft-07), and
        // carry a "license" member, which is no keyword.
        foreach (var file in files)
        {
            var schema = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(file))!.AsObject();
            schema.Remove("license");
            if (schema["$schema"]?.GetValue<string>() == "http://json-schema.org/draft-04/schema#") schema["$schema"] = "http://json-schema.org/draft-07/schema#";
            JsonSchema.FromText(schema.ToJsonString(), options);
        }
        return (JsonSchema.FromText(File.ReadAllText(TestData.PathTo("csaf", "csaf_2.0", "json_schema", "provider_json_schema.json")), options),
            files.Count + 1);
    });

    static bool Valid(byte[] document) =>
        ProviderSchema.Value.Schema.Evaluate(JsonDocument.Parse(document).RootElement, new EvaluationOptions { RequireFormatValidation = true }).IsValid;

    [Fact]
    public void The_provider_metadata_is_valid_against_the_csaf_provider_schema_and_names_the_feed()
    {
        var metadata = CsafProvider.Metadata(Publisher, Entries);
        var example = File.ReadAllBytes(TestData.PathTo("csaf", "csaf_2.0", "examples", "provider-metadata", "example-01-provider-metadata.json"));
        var broken = JsonSerializer.SerializeToUtf8Bytes(JsonSerializer.Deserialize<Dictionary<string, object>>(metadata)!
            .Where(p => p.Key != "publisher").ToDictionary());

        Assert.Equal(5, ProviderSchema.Value.Read);
        Assert.True(Valid(example), "the schema refuses OASIS's own example");
        Assert.False(Valid(broken), "the schema takes metadata without a publisher");
        Assert.True(Valid(metadata), System.Text.Encoding.UTF8.GetString(metadata));
        var root = JsonDocument.Parse(metadata).RootElement;
        Assert.Equal("https://clearwing.example.org/.well-known/csaf/provider-metadata.json", root.GetProperty("canonical_url").GetString());
        Assert.Equal("https://clearwing.example.org/.well-known/csaf/white/feed-tlp-white.json",
            root.GetProperty("distributions")[0].GetProperty("rolie").GetProperty("feeds")[0].GetProperty("url").GetString());
        Assert.Equal("2026-11-04T09:00:00.000Z", root.GetProperty("last_updated").GetString());
    }

    [Fact]
    public void The_feed_has_an_entry_per_csaf_document_with_its_self_link_and_hashes()
    {
        var feed = JsonDocument.Parse(CsafProvider.Feed(Publisher, Entries)).RootElement.GetProperty("feed");
        var entries = feed.GetProperty("entry").EnumerateArray().ToList();

        Assert.Equal(["CVE-2026-1000", "CVE-2026-1000-VEX", "CW-2026-0001", "CW-2026-0001-VEX"], entries.Select(e => e.GetProperty("id").GetString()));
        var vex = entries[1];
        Assert.Equal("https://clearwing.example.org/.well-known/csaf/white/2026/cve-2026-1000-vex.json",
            vex.GetProperty("content").GetProperty("src").GetString());
        Assert.Equal(["self", "hash", "hash"], vex.GetProperty("link").EnumerateArray().Select(l => l.GetProperty("rel").GetString()));
        Assert.Equal(("2026-11-02T09:00:00.000Z", "2026-11-04T09:00:00.000Z"),
            (vex.GetProperty("published").GetString(), vex.GetProperty("updated").GetString()));
        Assert.Equal("csaf", feed.GetProperty("category")[0].GetProperty("term").GetString());
    }
}
