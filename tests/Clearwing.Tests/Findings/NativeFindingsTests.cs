using System.Text.Json;
using Clearwing.Findings;
using Clearwing.Scoring;

namespace Clearwing.Tests.Findings;

public sealed class NativeFindingsTests
{
    static string Log(string findings, string header = """ "tool": { "name": "clearwing-ai", "version": "0.3", "model": "claude-x" }, "revision": "0123abcd", """) => $$"""
        { "format": "clearwing-findings", "version": "1.0", {{header}} "findings": [ {{findings}} ] }
        """;

    const string Full = """
        { "rule": "heap-overflow", "cwe": "CWE-122", "message": "header length is trusted",
          "location": { "file": "./src\\http.c", "startLine": 10, "endLine": 12, "startColumn": 3, "function": "parse_header", "snippet": "memcpy(h, p, len);" },
          "evidence": "len comes from the wire", "severity": "high", "cvss": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "confidence": 0.8,
          "reproducer": { "command": [ "./fuzz", "crash-1" ], "files": [ { "name": "crash-1", "contentBase64": "AAEC" } ], "signal": { "kind": "sanitizer", "pattern": "heap-buffer-overflow" } } }
        """;

    [Fact]
    public void A_complete_native_finding_maps_every_field()
    {
        var r = Some.ReadOne(Log(Full));
        Assert.Equal(("clearwing-ai", "0.3", "claude-x", "0123abcd"), (r.Tool, r.ToolVersion, r.Model, r.Revision));
        Assert.Equal(("heap-overflow", "CWE-122", "header length is trusted"), (r.RuleId, r.Cwe, r.Message));
        Assert.Equal(("src/http.c", 10, 12, 3, "parse_header"), (r.Path, r.StartLine, r.EndLine, r.StartColumn, r.Function));
        Assert.Equal((ReportedSeverity.High, FindingLevel.Error), (r.Severity, r.Level));
        Assert.Equal(0.8, r.Confidence);
        Assert.Equal("len comes from the wire", r.Evidence);
        Assert.StartsWith("CVSS:3.1/", r.CvssVector);
        using var reproducer = JsonDocument.Parse(r.ReproducerJson!);
        Assert.Equal("heap-buffer-overflow", reproducer.RootElement.GetProperty("signal").GetProperty("pattern").GetString());
        Assert.Equal(FingerprintSource.Computed, r.FingerprintSource);
    }

    [Fact]
    public void A_native_finding_and_a_sarif_result_about_the_same_code_share_a_fingerprint()
    {
        var native = Some.ReadOne(Log("""{ "rule": "R1", "message": "x", "location": { "file": "src/a.c", "startLine": 3, "snippet": "memcpy(buf, src, len);" } }"""));
        var sarif = Some.ReadOne(Some.SarifLog(Some.SarifResult()));
        Assert.Equal(sarif.Fingerprint, native.Fingerprint);
    }

    [Fact]
    public void A_finder_supplied_fingerprint_is_used_and_tied_to_the_tool()
    {
        var r = Some.ReadOne(Log("""{ "rule": "R1", "message": "x", "fingerprint": "case-42" }"""));
        Assert.Equal(FingerprintSource.Sarif, r.FingerprintSource);
        Assert.Equal(Fingerprinter.FromFinder("clearwing-ai", "case-42"), r.Fingerprint);
    }

    [Theory]
    [InlineData("""{ "message": "x" }""", "$.findings[0].rule")]
    [InlineData("""{ "rule": "R" }""", "$.findings[0].message")]
    [InlineData("""{ "rule": "R", "message": "x", "confidence": 1.5 }""", "$.findings[0].confidence")]
    [InlineData("""{ "rule": "R", "message": "x", "severity": "urgent" }""", "$.findings[0].severity")]
    [InlineData("""{ "rule": "R", "message": "x", "cwe": "122" }""", "$.findings[0].cwe")]
    [InlineData("""{ "rule": "R", "message": "x", "reproducer": [ 1 ] }""", "$.findings[0].reproducer")]
    [InlineData("""{ "rule": "R", "message": "x", "location": { "startLine": 0 } }""", "$.findings[0].location.startLine")]
    public void An_invalid_finding_is_rejected_with_the_path_of_the_bad_value(string finding, string path)
    {
        var e = Assert.Throws<MalformedInputException>(() => Some.Read(Log("""{ "rule": "ok", "message": "fine" }, """ + finding)));
        Assert.Equal(path.Replace("[0]", "[1]"), e.JsonPath);
    }

    [Fact]
    public void A_native_file_needs_a_tool_name_and_a_1_x_version()
    {
        Assert.Equal("$.tool.name", Assert.Throws<MalformedInputException>(() => Some.Read(Log("", header: """ "tool": { }, """))).JsonPath);
        var e = Assert.Throws<MalformedInputException>(() => Some.Read(Log("").Replace("\"1.0\"", "\"2.0\"")));
        Assert.Equal("$.version", e.JsonPath);
    }

    [Fact]
    public void The_documented_example_reads()
    {
        var doc = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "native-findings.md"));
        int start = doc.IndexOf("```json", StringComparison.Ordinal) + 7;
        var example = doc[start..doc.IndexOf("```", start, StringComparison.Ordinal)];
        Assert.NotEmpty(Some.Read(example));
    }

    static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Clearwing.slnx"))) return dir.FullName;
        throw new DirectoryNotFoundException("Clearwing.slnx not found above the test binaries");
    }
}
