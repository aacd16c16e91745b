using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Clearwing.Disclosure;
using Clearwing.Disclosure.Writers;
using Clearwing.Packages;
using CsCheck;

namespace Clearwing.Tests.Disclosure.Writers;

/// <summary>
/// The CVE record: valid against ../shared/testdata/cve-json5/schema-current (CVE Record Format 5.2) for every generated release
/// with a CVE id, none without one, its versions read with the format's own algorithm holding exactly the advisory's vers
/// ranges, and the representative release written exactly.
/// </summary>
public sealed class CveWriterTests
{
    const string Folder = "cve-json5/schema-current";

    [Fact]
    public void The_validator_accepts_the_five_examples_of_the_schema_and_refuses_one_without_its_affected_products()
    {
        var files = TestData.List(Folder, "*-example.json");
        Assert.Equal(5, files.Count);
        foreach (var file in files)
        {
            var bytes = File.ReadAllBytes(TestData.PathTo(file));
            var name = Path.GetFileName(file);
            var error = name.StartsWith("full-record", StringComparison.Ordinal) ? Schemas.Cve(bytes)
                : Schemas.Cve(JsonDocument.Parse(bytes).RootElement.GetProperty("cnaContainer"),
                    name.Contains("rejected", StringComparison.Ordinal) ? "cnaRejectedContainer" : "cnaPublishedContainer");
            Assert.True(error is null, $"{file}: {error}");
        }

        var broken = JsonNode.Parse(File.ReadAllText(TestData.PathTo(Folder, "full-record-basic-example.json")))!;
        broken["containers"]!["cna"]!.AsObject().Remove("affected");
        Assert.NotNull(Schemas.Cve(Encoding.UTF8.GetBytes(broken.ToJsonString())));
    }

    [Fact]
    public void An_advisory_without_a_cve_id_has_no_cve_record()
    {
        var r = Some.Representative();

        Assert.Null(CveWriter.Write(r with { Id = "CW-2026-0001", Content = r.Content with { Aliases = ["GHSA-abcd-efgh-ijkl"] } }));
    }

    [Theory]
    [InlineData("CVE-2026-123")]
    [InlineData("CVE-26-12345")]
    [InlineData("CVE-2026-12345a")]
    public void Content_with_a_cve_alias_the_cve_format_refuses_is_refused_when_edited(string alias)
    {
        var json = Encoding.UTF8.GetString(Some.Representative().Content.ToJson()).Replace("\"CVE-2026-12345\"", $"\"{alias}\"");

        var e = Assert.Throws<MalformedInputException>(() => AdvisoryContent.Parse(Encoding.UTF8.GetBytes(json), "advisory.json"));

        Assert.Equal("$.aliases[0]", e.JsonPath);
    }

    [Fact]
    public void The_cve_id_may_be_an_alias_of_the_advisory()
    {
        var r = Some.Representative() with { Id = "CW-2026-0001" };

        var record = JsonDocument.Parse(CveWriter.Write(r)!).RootElement;

        Assert.Equal("CVE-2026-12345", record.GetProperty("cveMetadata").GetProperty("cveId").GetString());
        Assert.Equal("https://cw.example.org/v1/vulns/x_CW-2026-0001",
            record.GetProperty("containers").GetProperty("cna").GetProperty("references").EnumerateArray().Last().GetProperty("url").GetString());
    }

    [Fact]
    public void The_representative_release_is_written_exactly()
    {
        var written = CveWriter.Write(Some.Representative())!;

        Assert.Null(Schemas.Cve(written));
        Assert.Equal(ExpectedRepresentative, Encoding.UTF8.GetString(written));
    }

    [Fact]
    public void The_same_release_gives_the_same_bytes_under_a_comma_decimal_culture()
    {
        Assert.Equal(CveWriter.Write(Some.Representative()), Some.UnderCommaDecimalCulture(() => CveWriter.Write(Some.Representative())));
    }

    [Fact]
    public void Every_generated_release_with_a_cve_id_is_a_valid_cve_record()
    {
        Some.Release.Sample(r =>
        {
            var bytes = CveWriter.Write(r);
            if (r.CveId is null)
            {
                Assert.Null(bytes);
                return;
            }
            Assert.NotNull(bytes);
            var error = Schemas.Cve(bytes);
            Assert.True(error is null, $"{error}\n{Encoding.UTF8.GetString(bytes)}");
        }, iter: 10_000);
    }

    [Fact]
    public void The_versions_read_with_the_formats_algorithm_hold_exactly_the_vers_range_and_the_listed_versions()
    {
        Some.Release.Where(r => r.CveId is not null).Sample(r =>
        {
            var bytes = CveWriter.Write(r)!;
            var products = JsonDocument.Parse(bytes).RootElement.GetProperty("containers").GetProperty("cna").GetProperty("affected");
            for (var i = 0; i < r.Content.Affected.Count; i++)
            {
                var affected = r.Content.Affected[i];
                var scheme = affected.Range.Ordering!;
                foreach (var version in Some.Packages.Single(p => p.Purl == affected.Package).Versions)
                {
                    var expected = Some.Affects(affected, version);
                    var status = Status(products[i], version, scheme);
                    Assert.True(status == (expected ? "affected" : "unaffected"),
                        $"{affected.Package}@{version}: {affected.Vers} says {expected}, the record {status}\n{Encoding.UTF8.GetString(bytes)}");
                }
            }
        }, iter: 10_000);
    }

    /// <summary>
    /// The CVE format's status of a version (the algorithm in the schema's description of <c>versions</c>): the first entry
    /// that names it or whose range holds it decides, in list order; "0" is the earliest version and a "*" limit the latest.
    /// </summary>
    static string Status(JsonElement product, string version, VersionScheme scheme)
    {
        ParsedVersion Read(string text) =>
            scheme.TryParse(text, out var parsed) ? parsed : throw new InvalidOperationException($"'{text}' is not a {scheme.Name} version");
        int Compare(string a, string b) => a == "0" ? (b == "0" ? 0 : -1) : b == "0" ? 1 : scheme.Compare(Read(a), Read(b));
        foreach (var entry in product.GetProperty("versions").EnumerateArray())
        {
            var start = entry.GetProperty("version").GetString()!;
            var status = entry.GetProperty("status").GetString()!;
            var lessThan = entry.TryGetProperty("lessThan", out var lt) ? lt.GetString() : null;
            var lessOrEqual = entry.TryGetProperty("lessThanOrEqual", out var le) ? le.GetString() : null;
            if (lessThan is null && lessOrEqual is null)
            {
                if (Compare(version, start) == 0) return status;
                continue;
            }
            if (Compare(start, version) > 0) continue;
            if (lessThan is not null && (lessThan == "*" || Compare(version, lessThan) < 0)) return status;
            if (lessOrEqual is not null && Compare(version, lessOrEqual) <= 0) return status;
        }
        return product.GetProperty("defaultStatus").GetString()!;
    }

    // Read in order, first match deciding: the listed 1.0.0; the versions ">" and "!=" leave out (1.2.0, 2.0.0; Django's 1.0);
    // the intervals; the fixed version 1.5.0 (1.2.0 is already there). Every other version is unaffected.
    const string ExpectedRepresentative = """
        {
          "dataType": "CVE_RECORD",
          "dataVersion": "5.2.0",
          "cveMetadata": {
            "cveId": "CVE-2026-12345",
            "assignerOrgId": "3c5e1f0a-9b2d-4e7f-8a1c-2d3e4f5a6b7c",
            "assignerShortName": "clearwing-test",
            "state": "PUBLISHED",
            "datePublished": "2026-03-01T12:00:00Z",
            "dateUpdated": "2026-03-04T09:15:30.5Z"
          },
          "containers": {
            "cna": {
              "providerMetadata": {
                "orgId": "3c5e1f0a-9b2d-4e7f-8a1c-2d3e4f5a6b7c",
                "shortName": "clearwing-test",
                "dateUpdated": "2026-03-04T09:15:30.5Z"
              },
              "datePublic": "2026-03-01T12:00:00Z",
              "title": "Heap overflow in acme_parse",
              "descriptions": [
                {
                  "lang": "en",
                  "value": "A crafted header overflows a heap buffer in `acme_parse`.",
                  "supportingMedia": [
                    {
                      "type": "text/markdown",
                      "base64": false,
                      "value": "A crafted header overflows a heap buffer in `acme_parse`."
                    }
                  ]
                }
              ],
              "affected": [
                {
                  "vendor": "left-pad",
                  "product": "left-pad",
                  "packageURL": "pkg:npm/left-pad",
                  "versions": [
                    {
                      "version": "1.0.0",
                      "status": "affected"
                    },
                    {
                      "version": "1.2.0",
                      "status": "unaffected"
                    },
                    {
                      "version": "2.0.0",
                      "status": "unaffected"
                    },
                    {
                      "version": "1.0.0",
                      "status": "affected",
                      "versionType": "semver",
                      "lessThan": "1.2.0"
                    },
                    {
                      "version": "1.2.0",
                      "status": "affected",
                      "versionType": "semver",
                      "lessThan": "1.5.0"
                    },
                    {
                      "version": "2.0.0",
                      "status": "affected",
                      "versionType": "semver",
                      "lessThan": "*"
                    },
                    {
                      "version": "1.5.0",
                      "status": "unaffected"
                    }
                  ],
                  "defaultStatus": "unaffected"
                },
                {
                  "vendor": "Django Software Foundation",
                  "product": "Django",
                  "packageURL": "pkg:pypi/django",
                  "versions": [
                    {
                      "version": "1.0",
                      "status": "unaffected"
                    },
                    {
                      "version": "1.0",
                      "status": "affected",
                      "versionType": "python",
                      "lessThanOrEqual": "2.0"
                    }
                  ],
                  "defaultStatus": "unaffected"
                },
                {
                  "vendor": "libacme",
                  "product": "libacme",
                  "packageURL": "pkg:generic/libacme",
                  "versions": [
                    {
                      "version": "0",
                      "status": "affected",
                      "versionType": "semver",
                      "lessThan": "*"
                    }
                  ],
                  "defaultStatus": "unaffected"
                }
              ],
              "problemTypes": [
                {
                  "descriptions": [
                    {
                      "lang": "en",
                      "description": "CWE-787: Out-of-bounds Write",
                      "cweId": "CWE-787",
                      "type": "CWE"
                    }
                  ]
                }
              ],
              "metrics": [
                {
                  "format": "CVSS",
                  "scenarios": [
                    {
                      "lang": "en",
                      "value": "GENERAL"
                    }
                  ],
                  "cvssV3_1": {
                    "version": "3.1",
                    "vectorString": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
                    "baseScore": 9.8,
                    "baseSeverity": "CRITICAL"
                  }
                },
                {
                  "format": "CVSS",
                  "scenarios": [
                    {
                      "lang": "en",
                      "value": "GENERAL"
                    }
                  ],
                  "cvssV4_0": {
                    "version": "4.0",
                    "vectorString": "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
                    "baseScore": 9.3,
                    "baseSeverity": "CRITICAL"
                  }
                },
                {
                  "other": {
                    "type": "ssvc",
                    "content": {
                      "id": "CVE-2026-12345",
                      "timestamp": "2026-03-04T09:15:30.5Z",
                      "options": [
                        {
                          "Automatable": "yes"
                        },
                        {
                          "Exploitation": "poc"
                        }
                      ]
                    }
                  }
                }
              ],
              "credits": [
                {
                  "lang": "en",
                  "value": "Acme Security Lab",
                  "type": "finder"
                },
                {
                  "lang": "en",
                  "value": "acme-finder-2",
                  "type": "tool"
                },
                {
                  "lang": "en",
                  "value": "Clearwing",
                  "type": "coordinator"
                }
              ],
              "references": [
                {
                  "url": "https://github.com/acme/libacme/issues/42",
                  "tags": [
                    "issue-tracking"
                  ]
                },
                {
                  "url": "https://github.com/acme/libacme/commit/9f3c2a1b4d5e6f708192a3b4c5d6e7f8091a2b3c",
                  "tags": [
                    "patch"
                  ]
                },
                {
                  "url": "https://cw.example.org/v1/vulns/CVE-2026-12345"
                }
              ]
            }
          }
        }

        """;
}
