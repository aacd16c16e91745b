using Clearwing.Findings;

namespace Clearwing.Tests.Findings;

public sealed class SarifConformanceTests
{
    static MalformedInputException Reject(string json) =>
        Assert.Throws<MalformedInputException>(() => Some.Read(json));

    static string Second(string result) => Some.SarifLog(Some.SarifResult() + "," + result);

    [Fact]
    public void A_result_without_a_message_is_refused_naming_its_path_and_section()
    {
        var e = Reject(Second("""{ "ruleId": "R1" }"""));
        Assert.Equal("$.runs[0].results[1].message", e.JsonPath);
        Assert.Contains("§3.27.11", e.Reason);
    }

    [Fact]
    public void A_message_with_neither_text_nor_id_is_refused()
    {
        var e = Reject(Second("""{ "ruleId": "R1", "message": { "markdown": "only markdown" } }"""));
        Assert.Equal("$.runs[0].results[1].message", e.JsonPath);
        Assert.Contains("text or id", e.Reason);
    }

    [Theory]
    [InlineData("startLine", -3)]
    [InlineData("startLine", 0)]
    [InlineData("endLine", -1)]
    [InlineData("startColumn", 0)]
    public void A_line_or_column_below_one_is_refused_rather_than_stored(string property, int value)
    {
        var e = Reject(Second($$"""
            { "ruleId": "R1", "message": { "text": "m" },
              "locations": [ { "physicalLocation": { "artifactLocation": { "uri": "a.c" }, "region": { "{{property}}": {{value}} } } } ] }
            """));
        Assert.Equal($"$.runs[0].results[1].locations[0].physicalLocation.region.{property}", e.JsonPath);
        Assert.Contains("start at 1", e.Reason);
    }

    [Fact]
    public void A_level_sarif_does_not_define_is_refused_instead_of_becoming_a_warning()
    {
        var e = Reject(Second("""{ "ruleId": "R1", "level": "critical", "message": { "text": "m" } }"""));
        Assert.Equal("$.runs[0].results[1].level", e.JsonPath);
        Assert.Equal("\"critical\" is not a level in SARIF 2.1.0 (§3.27.10: one of none, note, warning, error)", e.Reason);
    }

    [Theory]
    [InlineData("kind", "bad")]
    [InlineData("baselineState", "gone")]
    public void Other_values_outside_the_standards_enumerations_are_refused(string property, string value)
    {
        var e = Reject(Second($$"""{ "ruleId": "R1", "{{property}}": "{{value}}", "message": { "text": "m" } }"""));
        Assert.Equal($"$.runs[0].results[1].{property}", e.JsonPath);
    }

    [Fact]
    public void A_suppression_status_outside_the_enumeration_is_refused()
    {
        var e = Reject(Second("""{ "ruleId": "R1", "message": { "text": "m" }, "suppressions": [ { "kind": "external", "status": "maybe" } ] }"""));
        Assert.Equal("$.runs[0].results[1].suppressions[0].status", e.JsonPath);
    }

    [Fact]
    public void A_run_without_a_tool_is_refused_rather_than_stored_as_unknown()
    {
        var e = Reject("""{ "version": "2.1.0", "runs": [ { "tool": { "driver": { "name": "A" } }, "results": [] }, { "results": [] } ] }""");
        Assert.Equal("$.runs[1].tool", e.JsonPath);
        Assert.Contains("§3.14.6", e.Reason);
    }

    [Fact]
    public void A_tool_without_a_driver_name_is_refused()
    {
        var e = Reject("""{ "version": "2.1.0", "runs": [ { "tool": { "driver": { "version": "1" } }, "results": [] } ] }""");
        Assert.Equal("$.runs[0].tool.driver.name", e.JsonPath);
    }

    [Fact]
    public void A_rule_default_level_outside_the_enumeration_is_refused()
    {
        var e = Reject("""
            { "version": "2.1.0", "runs": [ { "tool": { "driver": { "name": "A",
              "rules": [ { "id": "R0" }, { "id": "R1", "defaultConfiguration": { "level": "high" } } ] } }, "results": [] } ] }
            """);
        Assert.Equal("$.runs[0].tool.driver.rules[1].defaultConfiguration.level", e.JsonPath);
    }

    [Fact]
    public void Absent_level_and_kind_take_the_defaults_the_standard_gives()
    {
        var r = Some.ReadOne(Some.SarifLog("""{ "ruleId": "R1", "message": { "text": "m" } }"""));
        Assert.Equal(FindingLevel.Warning, r.Level);
    }
}
