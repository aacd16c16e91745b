using System.Text;
using Clearwing.Findings;
using CsCheck;

namespace Clearwing.Tests.Findings;

public sealed class MalformedInputTests
{
    static MalformedInputException Reject(string json) =>
        Assert.Throws<MalformedInputException>(() => Some.Read(json));

    [Fact]
    public void A_truncated_log_is_rejected_with_the_path_where_it_ends()
    {
        var full = Some.SarifLog(Some.SarifResult() + "," + Some.SarifResult());
        var e = Reject(full[..(full.Length - 40)]);
        Assert.StartsWith("$.runs[0]", e.JsonPath);
        Assert.Equal("test.sarif", e.File);
    }

    [Fact]
    public void A_result_truncated_in_the_middle_names_that_result()
    {
        var full = Some.SarifLog(Some.SarifResult() + "," + Some.SarifResult() + "," + Some.SarifResult());
        var e = Reject(full[..(full.LastIndexOf("memcpy", StringComparison.Ordinal))]);
        Assert.StartsWith("$.runs[0]", e.JsonPath);
    }

    [Theory]
    [InlineData("2.0.0")]
    [InlineData("1.0.0")]
    [InlineData("2.1")]
    public void A_log_of_another_sarif_version_is_rejected_naming_the_version(string version)
    {
        var e = Reject(Some.SarifLog(Some.SarifResult()).Replace("\"2.1.0\"", $"\"{version}\""));
        Assert.Equal("$.version", e.JsonPath);
        Assert.Equal($"SARIF version {version} is not supported; expected 2.1.0", e.Reason);
    }

    [Fact]
    public void A_log_without_a_version_is_rejected()
    {
        var e = Reject("""{ "runs": [] }""");
        Assert.Equal("$.version", e.JsonPath);
    }

    [Fact]
    public void A_result_that_is_not_an_object_is_rejected_with_its_index()
    {
        var e = Reject(Some.SarifLog(Some.SarifResult() + ", 42"));
        Assert.Equal("$.runs[0].results[1]", e.JsonPath);
        Assert.Contains("object", e.Reason);
    }

    [Fact]
    public void A_value_of_the_wrong_type_inside_a_result_is_rejected_with_its_full_path()
    {
        var e = Reject(Some.SarifLog(Some.SarifResult() + """, { "ruleId": "R1", "message": { "text": "m" }, "locations": [ { "physicalLocation": { "region": { "startLine": "ten" } } } ] }"""));
        Assert.Equal("$.runs[0].results[1].locations[0].physicalLocation.region.startLine", e.JsonPath);
    }

    [Fact]
    public void Runs_that_are_not_an_array_are_rejected()
    {
        var e = Reject("""{ "version": "2.1.0", "runs": { } }""");
        Assert.Equal("$.runs", e.JsonPath);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("[1, 2]")]
    [InlineData("{ \"name\": \"x\", \"items\": [] }")]
    public void A_file_that_is_neither_json_object_nor_a_known_format_is_rejected_at_the_root(string text)
    {
        var e = Reject(text);
        Assert.StartsWith("$", e.JsonPath);
    }

    [Theory]
    [InlineData("", "$", "no JSON value: the file is empty or holds only white space")]
    [InlineData("  \n ", "$", "no JSON value: the file is empty or holds only white space")]
    [InlineData("""{ "version": "2.1.0", "runs": [ { "tool": { "driver": { "name": "A", "rules": "x" } }, "results": [] } ] }""",
        "$.runs[0].tool.driver.rules", "must be an array")]
    [InlineData("""{ "version": "2.1.0", "runs": [ { "tool": { "driver": { "name": "A" } }, "results": [ { "ruleIndex": "x" } ] } ] }""",
        "$.runs[0].results[0].ruleIndex", "must be a whole number, found a string")]
    [InlineData("""{ "version": "2.1.0", "runs": [ { "tool": { "driver": { "name": "A" } }, "results": [ { "ruleIndex": 1e12 } ] } ] }""",
        "$.runs[0].results[0].ruleIndex", "must be a whole number from -2147483648 to 2147483647")]
    [InlineData("""
        { "format": "clearwing-findings", "version": "1.0", "tool": { "name": "t" },
          "findings": [ { "rule": "R", "message": "m", "location": { "file": "a.c", "startLine": "x" } } ] }
        """, "$.findings[0].location.startLine", "must be a number, found a string")]
    [InlineData("""{ "version": "2.1.0", "runs": [ { "tool": { "driver": { "name": "A" } }, "results": [ { "ruleId": "R" """,
        "$.runs[0]", "invalid JSON at line 1, byte 103: the JSON ends before it is complete (the file may be truncated)")]
    public void Errors_say_what_is_wrong_in_jsons_words_not_dotnets(string text, string path, string reason)
    {
        var e = Reject(text);
        Assert.Equal((path, reason), (e.JsonPath, e.Reason));
    }

    [Fact]
    public void An_unknown_format_names_what_it_found()
    {
        var e = Reject("""{ "name": "x", "items": [] }""");
        Assert.Contains("name, items", e.Reason);
    }

    [Fact]
    public void Nesting_deeper_than_64_levels_is_rejected()
    {
        string deep = new string('[', 70) + new string(']', 70);
        var e = Reject(Some.SarifLog($$"""{ "ruleId": "R1", "message": { "text": "m" }, "properties": { "x": {{deep}} } }"""));
        Assert.Contains("64", e.Reason);
    }

    [Fact]
    public void A_result_larger_than_16_MiB_is_rejected_naming_that_result_and_the_string_in_it()
    {
        var big = new string('a', 17 << 20);
        var e = Reject(Some.SarifLog(Some.SarifResult() + $$""", { "ruleId": "R1", "message": { "text": "{{big}}" } }"""));
        Assert.Equal("$.runs[0].results[1].message.text", e.JsonPath);
        Assert.Equal("a string longer than 16 MiB (the limit for every string in a file)", e.Reason);
    }

    [Fact]
    public void A_result_larger_than_16_MiB_without_one_long_string_is_rejected_naming_that_result()
    {
        var many = string.Join(",", Enumerable.Repeat("\"" + new string('a', 1 << 20) + "\"", 17));
        var e = Reject(Some.SarifLog(Some.SarifResult() + $$""", { "ruleId": "R1", "message": { "text": "m" }, "properties": { "x": [{{many}}] } }"""));
        Assert.Equal("$.runs[0].results[1]", e.JsonPath);
        Assert.Contains("16 MiB", e.Reason);
    }

    [Fact]
    public void A_rule_description_longer_than_16_MiB_is_refused_like_a_message()
    {
        var big = new string('a', 17 << 20);
        var e = Reject($$"""
            { "version": "2.1.0", "runs": [ { "tool": { "driver": { "name": "A",
              "rules": [ { "id": "R0" }, { "id": "R1", "fullDescription": { "text": "{{big}}" } } ] } }, "results": [] } ] }
            """);
        Assert.Equal("$.runs[0].tool.driver.rules[1].fullDescription.text", e.JsonPath);
        Assert.Equal("a string longer than 16 MiB (the limit for every string in a file)", e.Reason);
    }

    [Fact]
    public void A_string_longer_than_16_MiB_in_a_property_intake_skips_is_refused_too()
    {
        var big = new string('a', 17 << 20);
        var e = Reject(Some.SarifLog(Some.SarifResult(), $$""" "invocations": [ { "x": 1 }, { "commandLine": "{{big}}" } ] """));
        Assert.Equal("$.runs[0].invocations[1].commandLine", e.JsonPath);
        Assert.Equal("a string longer than 16 MiB (the limit for every string in a file)", e.Reason);
    }

    [Fact]
    public void A_native_finding_larger_than_16_MiB_is_named_by_its_index_and_property()
    {
        var big = new string('a', 17 << 20);
        var e = Reject($$"""
            { "format": "clearwing-findings", "version": "1.0", "tool": { "name": "t" },
              "findings": [ { "rule": "R", "message": "m" }, { "rule": "R", "message": "{{big}}" } ] }
            """);
        Assert.Equal("$.findings[1].message", e.JsonPath);
    }

    [Fact]
    public void A_results_array_much_larger_than_the_buffer_streams_through()
    {
        var results = string.Join(",", Enumerable.Range(0, 20_000).Select(i => Some.SarifResult(line: i + 1, message: "m" + i)));
        Assert.Equal(20_000, Some.Read(Some.SarifLog(results)).Count);
    }

    [Fact]
    public void Random_bytes_and_truncations_only_ever_raise_malformed_input()
    {
        var valid = Encoding.UTF8.GetBytes(Some.SarifLog(Some.SarifResult() + "," + Some.SarifResult(file: "b.c")));
        var truncated = Gen.Int[0, valid.Length - 1].Select(n => valid[..n]);
        var mutated = Gen.Select(Gen.Int[0, valid.Length - 1], Gen.Byte).Select((i, b) =>
        {
            var copy = (byte[])valid.Clone();
            copy[i] = b;
            return copy;
        });
        var noise = Gen.Byte.Array[0, 200];
        Gen.OneOf(truncated, mutated, noise).Sample(bytes =>
        {
            try
            {
                _ = Some.WithFile(bytes, path => FindingReader.Read(path, "fuzz.sarif").Count());
            }
            catch (MalformedInputException)
            {
            }
        }, iter: 10_000, threads: 1);
    }
}
