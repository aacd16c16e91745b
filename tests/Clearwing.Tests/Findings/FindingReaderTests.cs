using Clearwing.Findings;
using Clearwing.Scoring;

namespace Clearwing.Tests.Findings;

/// <summary>How SARIF results are resolved against their run (rules, artifacts, base URIs, messages).</summary>
public sealed class FindingReaderTests
{
    [Fact]
    public void A_rule_index_into_an_extension_gives_that_rules_level_severity_and_cwe()
    {
        var r = Some.ReadOne("""
            { "version": "2.1.0", "runs": [ { "tool": {
                "driver": { "name": "CodeQL", "rules": [ { "id": "D1" } ] },
                "extensions": [ { "name": "pack", "rules": [
                    { "id": "X0" },
                    { "id": "js/xss", "defaultConfiguration": { "level": "error" },
                      "properties": { "security-severity": "9.1", "tags": [ "security", "external/cwe/cwe-079" ] } } ] } ] },
              "results": [ { "rule": { "index": 1, "toolComponent": { "index": 0 } }, "message": { "text": "xss" } } ] } ] }
            """);
        Assert.Equal("js/xss", r.RuleId);
        Assert.Equal(FindingLevel.Error, r.Level);
        Assert.Equal(ReportedSeverity.Critical, r.Severity);
        Assert.Equal("CWE-79", r.Cwe);
        Assert.Equal("CodeQL", r.Tool);
    }

    [Theory]
    [InlineData("\"level\": \"note\",", "error", FindingLevel.Note)]
    [InlineData("", "error", FindingLevel.Error)]
    [InlineData("", null, FindingLevel.Warning)]
    [InlineData("\"kind\": \"pass\",", "error", FindingLevel.None)]
    [InlineData("\"kind\": \"fail\",", "note", FindingLevel.Note)]
    public void Level_falls_back_from_the_result_to_the_rule_default_to_warning(string resultLevel, string? ruleLevel, FindingLevel expected)
    {
        string config = ruleLevel is null ? "" : $$""", "defaultConfiguration": { "level": "{{ruleLevel}}" }""";
        var r = Some.ReadOne($$"""
            { "version": "2.1.0", "runs": [ { "tool": { "driver": { "name": "T", "rules": [ { "id": "R1"{{config}} } ] } },
              "results": [ { "ruleId": "R1", {{resultLevel}} "message": { "text": "m" } } ] } ] }
            """);
        Assert.Equal(expected, r.Level);
    }

    [Theory]
    [InlineData("\"level\": \"error\"", ReportedSeverity.High)]
    [InlineData("\"level\": \"note\"", ReportedSeverity.Low)]
    [InlineData("\"level\": \"none\"", ReportedSeverity.None)]
    [InlineData("\"properties\": { \"security-severity\": \"6.5\" }", ReportedSeverity.Medium)]
    [InlineData("\"properties\": { \"security-severity\": \"7.0\" }", ReportedSeverity.High)]
    [InlineData("\"properties\": { \"security-severity\": \"0.1\" }", ReportedSeverity.Low)]
    [InlineData("\"properties\": { \"security-severity\": \"0\" }", ReportedSeverity.None)]
    [InlineData("\"properties\": { \"security-severity\": \"n/a\" }", ReportedSeverity.Medium)]
    public void Severity_comes_from_security_severity_else_from_the_level(string property, ReportedSeverity expected)
    {
        var r = Some.ReadOne(Some.SarifLog($$"""{ "ruleId": "R1", {{property}}, "message": { "text": "m" } }"""));
        Assert.Equal(expected, r.Severity);
    }

    [Fact]
    public void A_uri_base_id_chain_of_relative_bases_is_prefixed_and_an_absolute_base_is_left_out()
    {
        var r = Some.ReadOne(Some.SarifLog(
            """{ "ruleId": "R1", "message": { "text": "m" }, "locations": [ { "physicalLocation": { "artifactLocation": { "uri": "x%20y.c", "uriBaseId": "LIB" } } } ] }""",
            run: """
                "originalUriBaseIds": {
                  "SRCROOT": { "uri": "file:///home/ci/checkout/" },
                  "SRC": { "uri": "src/", "uriBaseId": "SRCROOT" },
                  "LIB": { "uri": "lib", "uriBaseId": "SRC" } }
                """));
        Assert.Equal("src/lib/x y.c", r.Path);
    }

    [Fact]
    public void A_cycle_of_uri_base_ids_ends_instead_of_looping()
    {
        var r = Some.ReadOne(Some.SarifLog(
            """{ "ruleId": "R1", "message": { "text": "m" }, "locations": [ { "physicalLocation": { "artifactLocation": { "uri": "a.c", "uriBaseId": "A" } } } ] }""",
            run: """ "originalUriBaseIds": { "A": { "uri": "a/", "uriBaseId": "B" }, "B": { "uri": "b/", "uriBaseId": "A" } } """));
        Assert.EndsWith("a/a.c", r.Path);
    }

    [Fact]
    public void An_absolute_uri_under_an_absolute_base_becomes_relative_and_otherwise_loses_only_its_scheme()
    {
        var results = Some.Read(Some.SarifLog(
            """
            { "ruleId": "R1", "message": { "text": "m" }, "locations": [ { "physicalLocation": { "artifactLocation": { "uri": "file:///home/ci/checkout/src/a.c" } } } ] },
            { "ruleId": "R1", "message": { "text": "m" }, "locations": [ { "physicalLocation": { "artifactLocation": { "uri": "file:///usr/include/stdio.h" } } } ] },
            { "ruleId": "R1", "message": { "text": "m" }, "locations": [ { "physicalLocation": { "artifactLocation": { "uri": "file:///C:/src/b.c" } } } ] },
            { "ruleId": "R1", "message": { "text": "m" }, "locations": [ { "physicalLocation": { "artifactLocation": { "uri": "src\\win\\c.c" } } } ] }
            """,
            run: """ "originalUriBaseIds": { "SRCROOT": { "uri": "file:///home/ci/checkout/" } } """));
        Assert.Equal(["src/a.c", "/usr/include/stdio.h", "C:/src/b.c", "src/win/c.c"], results.Select(r => r.Path));
    }

    [Fact]
    public void An_artifact_index_takes_the_uri_and_base_from_run_artifacts()
    {
        var r = Some.ReadOne(Some.SarifLog(
            """{ "ruleId": "R1", "message": { "text": "m" }, "locations": [ { "physicalLocation": { "artifactLocation": { "index": 1 }, "region": { "startLine": 3, "endLine": 4, "startColumn": 5 } } } ] }""",
            run: """
                "originalUriBaseIds": { "SRC": { "uri": "src/" } },
                "artifacts": [ { "location": { "uri": "zero.c" } }, { "location": { "uri": "one.c", "uriBaseId": "SRC" } } ]
                """));
        Assert.Equal("src/one.c", r.Path);
        Assert.Equal((3, 4, 5), (r.StartLine, r.EndLine, r.StartColumn));
    }

    [Fact]
    public void A_message_id_is_looked_up_in_the_rule_then_the_driver_and_its_placeholders_filled()
    {
        var results = Some.Read("""
            { "version": "2.1.0", "runs": [ { "tool": { "driver": { "name": "T",
                "globalMessageStrings": { "g": { "text": "global {0}" } },
                "rules": [ { "id": "R1", "messageStrings": { "m": { "text": "'{0}' flows to {1} {{literally}} {5}" }, "md": { "markdown": "**{0}**" } } } ] } },
              "results": [
                { "ruleId": "R1", "message": { "id": "m", "arguments": [ "user input", "exec" ] } },
                { "ruleId": "R1", "message": { "id": "g", "arguments": [ "x" ] } },
                { "ruleId": "R1", "message": { "id": "md", "arguments": [ "y" ] } },
                { "ruleId": "R1", "message": { "id": "missing" } },
                { "ruleId": "R1", "message": { "text": "plain {0}", "markdown": "ignored", "arguments": [ "z" ] } } ] } ] }
            """);
        Assert.Equal(["'user input' flows to exec {literally} {5}", "global x", "**y**", "missing", "plain z"], results.Select(r => r.Message));
    }

    [Fact]
    public void Only_accepted_suppressions_or_ones_without_status_suppress()
    {
        var results = Some.Read(Some.SarifLog("""
            { "ruleId": "R1", "message": { "text": "a" }, "suppressions": [ { "kind": "inSource" } ] },
            { "ruleId": "R1", "message": { "text": "b" }, "suppressions": [ { "kind": "external", "status": "accepted" } ] },
            { "ruleId": "R1", "message": { "text": "c" }, "suppressions": [ { "kind": "external", "status": "underReview" } ] },
            { "ruleId": "R1", "message": { "text": "d" }, "suppressions": [ { "kind": "external", "status": "rejected" }, { "kind": "inSource", "status": "accepted" } ] },
            { "ruleId": "R1", "message": { "text": "e" }, "suppressions": [ { "kind": "external", "status": "rejected" } ] },
            { "ruleId": "R1", "message": { "text": "f" } }
            """));
        Assert.Equal([true, true, false, true, false, false], results.Select(r => r.Suppressed));
    }

    [Fact]
    public void A_baseline_state_of_absent_declares_the_result_absent()
    {
        var results = Some.Read(Some.SarifLog("""
            { "ruleId": "R1", "message": { "text": "a" }, "baselineState": "absent" },
            { "ruleId": "R1", "message": { "text": "b" }, "baselineState": "unchanged" }
            """));
        Assert.Equal([true, false], results.Select(r => r.DeclaredAbsent));
    }

    [Fact]
    public void Several_runs_each_use_their_own_tool_rules_and_revision_even_when_results_come_before_the_tool()
    {
        var results = Some.Read("""
            { "runs": [
                { "results": [ { "ruleIndex": 0, "message": { "text": "one" } } ],
                  "tool": { "driver": { "name": "First", "version": "1.0", "rules": [ { "id": "F1", "defaultConfiguration": { "level": "note" } } ] } },
                  "versionControlProvenance": [ { "repositoryUri": "https://example.org/r", "revisionId": "abc123" } ] },
                { "tool": { "driver": { "name": "Second", "rules": [ { "id": "S1" } ] } },
                  "results": [ { "ruleIndex": 0, "message": { "text": "two" } }, { "ruleId": "S1/sub", "level": "error", "message": { "text": "three" } } ] } ],
              "version": "2.1.0" }
            """);
        Assert.Equal(["First", "Second", "Second"], results.Select(r => r.Tool));
        Assert.Equal(["F1", "S1", "S1/sub"], results.Select(r => r.RuleId));
        Assert.Equal("1.0", results[0].ToolVersion);
        Assert.Equal(FindingLevel.Note, results[0].Level);
        Assert.Equal(["abc123", null, null], results.Select(r => r.Revision));
    }

    [Fact]
    public void The_function_comes_from_the_first_logical_location_by_name_or_index()
    {
        var results = Some.Read(Some.SarifLog("""
            { "ruleId": "R1", "message": { "text": "a" }, "locations": [ { "logicalLocations": [ { "name": "parse", "fullyQualifiedName": "lib::parse" } ] } ] },
            { "ruleId": "R1", "message": { "text": "b" }, "locations": [ { "logicalLocations": [ { "index": 0 } ] } ] }
            """, run: """ "logicalLocations": [ { "name": "main" } ] """));
        Assert.Equal(["lib::parse", "main"], results.Select(r => r.Function));
    }

    [Fact]
    public void Fingerprints_take_the_first_key_then_partial_fingerprints_then_content()
    {
        var results = Some.Read(Some.SarifLog("""
            { "ruleId": "R1", "message": { "text": "a" }, "fingerprints": { "z/v1": "9", "a/v1": "1" }, "partialFingerprints": { "p": "1" } },
            { "ruleId": "R1", "message": { "text": "b" }, "fingerprints": { "a/v1": "1", "z/v1": "other" } },
            { "ruleId": "R1", "message": { "text": "c" }, "partialFingerprints": { "primaryLocationLineHash": "abc:1" } },
            { "ruleId": "R1", "message": { "text": "d" } }
            """));
        Assert.Equal([FingerprintSource.Sarif, FingerprintSource.Sarif, FingerprintSource.Partial, FingerprintSource.Computed], results.Select(r => r.FingerprintSource));
        Assert.Equal(results[0].Fingerprint, results[1].Fingerprint);
        Assert.Equal(3, results.Select(r => r.Fingerprint).Distinct().Count());
    }

    [Fact]
    public void A_region_without_an_end_line_ends_on_its_start_line_and_one_without_lines_has_neither()
    {
        var results = Some.Read(Some.SarifLog("""
            { "ruleId": "R1", "message": { "text": "a" },
              "locations": [ { "physicalLocation": { "artifactLocation": { "uri": "a.c" }, "region": { "startLine": 7 } } } ] },
            { "ruleId": "R1", "message": { "text": "b" },
              "locations": [ { "physicalLocation": { "artifactLocation": { "uri": "a.c" }, "region": { "startLine": 7, "endLine": 9 } } } ] },
            { "ruleId": "R1", "message": { "text": "c" },
              "locations": [ { "physicalLocation": { "artifactLocation": { "uri": "a.c" }, "region": { "charOffset": 12, "charLength": 3 } } } ] }
            """));
        Assert.Equal([(7, 7), (7, 9), ((int?)null, (int?)null)], results.Select(r => (r.StartLine, r.EndLine)));
        Assert.Equal([true, false, false], results.Select(r => r.EndLineImplied));
    }
}
