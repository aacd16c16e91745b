using System.Text;
using System.Text.Json;
using Clearwing.Disclosure;
using Clearwing.Disclosure.Writers;
using Clearwing.Packages;
using CsCheck;

namespace Clearwing.Tests.Disclosure.Writers;

/// <summary>
/// The OSV view: valid against ../shared/testdata/osv-schema for every release the generators make, imported back through
/// <c>clearwing osv import</c>'s reader and index with the affected set of the advisory's vers ranges (issue 18, point 6), and
/// the same bytes for the same release.
/// </summary>
public sealed class OsvWriterTests
{
    static JsonElement Record(AdvisoryRelease r) => JsonDocument.Parse(OsvWriter.Write(r)).RootElement;

    static AdvisoryRelease With(string package, string vers, AdvisoryFix[]? fixes = null)
    {
        var r = Some.Representative();
        return r with { Content = r.Content with { Affected = [new AdvisoryAffected(package, vers)], Fixes = fixes ?? [] } };
    }

    static string Ranges(AdvisoryRelease r) =>
        Record(r).GetProperty("affected")[0].GetProperty("ranges").GetRawText().Replace(" ", "").Replace("\n", "");

    [Fact]
    public void The_validator_accepts_the_eleven_osv_records_of_the_ghsa_converter_suite()
    {
        var files = TestData.List("osv-schema/tools/ghsa/testdata", "*.osv.json");

        Assert.Equal(11, files.Count);
        Assert.All(files, f => Assert.Null(Schemas.Osv(File.ReadAllBytes(TestData.PathTo(f)))));
    }

    [Fact]
    public void The_validator_refuses_a_record_without_modified()
    {
        var record = JsonSerializer.SerializeToUtf8Bytes(new { id = "CW-2026-0001", affected = Array.Empty<object>() });

        Assert.Contains("modified", Schemas.Osv(record));
    }

    [Fact]
    public void The_representative_release_is_written_exactly()
    {
        var written = Encoding.UTF8.GetString(OsvWriter.Write(Some.Representative()));

        Assert.Null(Schemas.Osv(OsvWriter.Write(Some.Representative())));
        Assert.Equal(ExpectedRepresentative, written);
    }

    [Fact]
    public void Every_generated_release_is_a_valid_osv_record()
    {
        Some.Release.Sample(r =>
        {
            var bytes = OsvWriter.Write(r);
            Assert.True(Schemas.Osv(bytes) is null, $"{Schemas.Osv(bytes)}\n{Encoding.UTF8.GetString(bytes)}");
        }, iter: 10_000);
    }

    [Fact]
    public void The_written_record_imports_back_with_the_affected_set_of_its_vers_ranges()
    {
        Some.Release.Sample(r =>
        {
            var bytes = OsvWriter.Write(r);
            var advisory = OsvStore.Read("written.json", bytes, out var error);
            Assert.True(advisory is not null, error?.ToString());
            var index = OsvIndex.Build(advisory.Affected.Select(a => new OsvAffected(advisory.Id, a)));
            var record = JsonDocument.Parse(bytes).RootElement.GetProperty("affected");
            for (var i = 0; i < r.Content.Affected.Count; i++)
            {
                var affected = r.Content.Affected[i];
                if (!OsvPackages.TryMap(affected.Purl, out _, out _, out _)) continue;
                var package = Some.Packages.Single(p => p.Purl == affected.Package);
                var ecosystemTyped = record[i].TryGetProperty("ranges", out var ranges)
                    && ranges.EnumerateArray().Any(x => x.GetProperty("type").GetString() == "ECOSYSTEM");
                // docs/advisories.md: an ECOSYSTEM range cannot start just above a version, so it names that one version too.
                var startsAbove = affected.Range.Constraints.Where(c => c.Comparator is VersComparator.Greater or VersComparator.NotEqual)
                    .Select(c => c.Version).ToHashSet(StringComparer.Ordinal);
                foreach (var version in package.Versions)
                {
                    var expected = Some.Affects(affected, version);
                    var found = index.Query(affected.Purl.WithVersion(version)).Advisories.Contains(advisory.Id);
                    if (found == expected || found && ecosystemTyped && startsAbove.Contains(version)) continue;
                    Assert.Fail($"{affected.Package}@{version}: {affected.Vers} says {expected}, the imported record {found}\n" +
                        Encoding.UTF8.GetString(bytes));
                }
            }
        }, iter: 10_000);
    }

    [Fact]
    public void The_same_release_gives_the_same_bytes_under_a_comma_decimal_culture()
    {
        Assert.Equal(OsvWriter.Write(Some.Representative()), Some.UnderCommaDecimalCulture(() => OsvWriter.Write(Some.Representative())));
    }

    [Theory]
    [InlineData("CW-2026-0001", "x_CW-2026-0001")]
    [InlineData("CVE-2026-12345", "CVE-2026-12345")]
    [InlineData("GHSA-abcd-efgh-ijkl", "GHSA-abcd-efgh-ijkl")]
    public void An_id_keeps_a_prefix_osv_knows_and_a_local_one_gets_x(string id, string osvId)
    {
        Assert.Equal(osvId, OsvWriter.Id(id));
        Assert.Equal(osvId, Record(Some.Representative() with { Id = id }).GetProperty("id").GetString());
    }

    [Fact]
    public void Every_version_is_introduced_zero()
    {
        Assert.Equal("""[{"type":"SEMVER","events":[{"introduced":"0"}]}]""", Ranges(With("pkg:npm/left-pad", "vers:npm/*")));
    }

    [Fact]
    public void A_semver_exclusion_restarts_the_range_at_the_next_version()
    {
        Assert.Equal("""[{"type":"SEMVER","events":[{"introduced":"1.0.0"},{"fixed":"1.2.0"},{"introduced":"1.2.1-0"},{"fixed":"2.0.0"}]}]""",
            Ranges(With("pkg:npm/left-pad", "vers:npm/>=1.0.0|!=1.2.0|<2.0.0")));
    }

    [Fact]
    public void Fixed_and_last_affected_ends_go_to_separate_ranges()
    {
        Assert.Equal("""[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"1.0"}]},""" +
            """{"type":"ECOSYSTEM","events":[{"introduced":"2.0"},{"last_affected":"2.5"},{"introduced":"3.0"},{"last_affected":"3.0"}]}]""",
            Ranges(With("pkg:pypi/django", "vers:pypi/<1.0|>=2.0|<=2.5|3.0")));
    }

    [Fact]
    public void Full_length_fix_commits_are_git_ranges_and_github_commits_fix_references()
    {
        var r = With("pkg:npm/left-pad", "vers:npm/<1.0.0",
            [new AdvisoryFix("9F3C2A1B4D5E6F708192A3B4C5D6E7F8091A2B3C", "https://github.com/acme/libacme.git"),
                new AdvisoryFix("abcdef1", "https://github.com/acme/libacme.git")]);

        Assert.Equal("""[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.0.0"}]},""" +
            """{"type":"GIT","repo":"https://github.com/acme/libacme.git","events":""" +
            """[{"introduced":"0"},{"fixed":"9f3c2a1b4d5e6f708192a3b4c5d6e7f8091a2b3c"}]}]""", Ranges(r));
        var references = Record(r).GetProperty("references").EnumerateArray().Where(x => x.GetProperty("type").GetString() == "FIX")
            .Select(x => x.GetProperty("url").GetString()).ToList();
        Assert.Equal(
            ["https://github.com/acme/libacme/commit/9f3c2a1b4d5e6f708192a3b4c5d6e7f8091a2b3c", "https://github.com/acme/libacme/commit/abcdef1"],
            references);
    }

    [Fact]
    public void The_case_id_is_not_in_the_record()
    {
        var r = Some.Representative();

        Assert.DoesNotContain(r.CaseId, Encoding.UTF8.GetString(OsvWriter.Write(r)), StringComparison.Ordinal);
    }

    // The npm range: an exclusion inside SEMVER restarts at the next version (1.2.1-0), ">2.0.0" starts at 2.0.1-0. The PyPI range:
    // ECOSYSTEM cannot start just above 1.0, so it starts at 1.0 (docs/advisories.md). The generic package has no OSV ecosystem.
    const string ExpectedRepresentative = """
        {
          "schema_version": "1.7.5",
          "id": "CVE-2026-12345",
          "modified": "2026-03-04T09:15:30.5Z",
          "published": "2026-03-01T12:00:00Z",
          "aliases": [
            "GHSA-abcd-efgh-ijkl"
          ],
          "summary": "Heap overflow in acme_parse",
          "details": "A crafted header overflows a heap buffer in `acme_parse`.",
          "severity": [
            {
              "type": "CVSS_V3",
              "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
            },
            {
              "type": "CVSS_V4",
              "score": "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"
            }
          ],
          "affected": [
            {
              "package": {
                "ecosystem": "npm",
                "name": "left-pad",
                "purl": "pkg:npm/left-pad"
              },
              "ranges": [
                {
                  "type": "SEMVER",
                  "events": [
                    {
                      "introduced": "1.0.0"
                    },
                    {
                      "fixed": "1.2.0"
                    },
                    {
                      "introduced": "1.2.1-0"
                    },
                    {
                      "fixed": "1.5.0"
                    },
                    {
                      "introduced": "2.0.1-0"
                    }
                  ]
                },
                {
                  "type": "GIT",
                  "repo": "https://github.com/acme/libacme",
                  "events": [
                    {
                      "introduced": "0"
                    },
                    {
                      "fixed": "9f3c2a1b4d5e6f708192a3b4c5d6e7f8091a2b3c"
                    }
                  ]
                }
              ],
              "versions": [
                "1.0.0"
              ],
              "database_specific": {
                "vers": "vers:npm/>=1.0.0|!=1.2.0|<1.5.0|>2.0.0"
              }
            },
            {
              "package": {
                "ecosystem": "PyPI",
                "name": "django",
                "purl": "pkg:pypi/django"
              },
              "ranges": [
                {
                  "type": "ECOSYSTEM",
                  "events": [
                    {
                      "introduced": "1.0"
                    },
                    {
                      "last_affected": "2.0"
                    }
                  ]
                },
                {
                  "type": "GIT",
                  "repo": "https://github.com/acme/libacme",
                  "events": [
                    {
                      "introduced": "0"
                    },
                    {
                      "fixed": "9f3c2a1b4d5e6f708192a3b4c5d6e7f8091a2b3c"
                    }
                  ]
                }
              ],
              "database_specific": {
                "vers": "vers:pypi/>1.0|<=2.0"
              }
            },
            {
              "ranges": [
                {
                  "type": "GIT",
                  "repo": "https://github.com/acme/libacme",
                  "events": [
                    {
                      "introduced": "0"
                    },
                    {
                      "fixed": "9f3c2a1b4d5e6f708192a3b4c5d6e7f8091a2b3c"
                    }
                  ]
                }
              ],
              "database_specific": {
                "purl": "pkg:generic/libacme",
                "vers": "vers:semver/*"
              }
            }
          ],
          "references": [
            {
              "type": "REPORT",
              "url": "https://github.com/acme/libacme/issues/42"
            },
            {
              "type": "FIX",
              "url": "https://github.com/acme/libacme/commit/9f3c2a1b4d5e6f708192a3b4c5d6e7f8091a2b3c"
            }
          ],
          "credits": [
            {
              "name": "Acme Security Lab",
              "contact": [
                "https://lab.example.org"
              ],
              "type": "FINDER"
            },
            {
              "name": "acme-finder-2",
              "type": "TOOL"
            },
            {
              "name": "Clearwing",
              "type": "COORDINATOR"
            }
          ],
          "database_specific": {
            "cwe_ids": [
              "CWE-787"
            ],
            "ssvc": {
              "Automatable": "yes",
              "Exploitation": "poc"
            }
          }
        }

        """;
}
