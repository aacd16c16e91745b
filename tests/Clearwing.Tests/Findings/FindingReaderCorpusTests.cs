using System.Text.Json;
using Clearwing.Findings;

namespace Clearwing.Tests.Findings;

/// <summary>Real logs from the SARIF SDK's converters, Roslyn, ESLint and the SARIF spec examples.</summary>
public sealed class FindingReaderCorpusTests
{
    public static TheoryData<string> ConverterLogs => TestData.Files("sarif-sdk/Test.FunctionalTests.Sarif/v2/ConverterTestData", "*.sarif");
    public static TheoryData<string> GeneratedLogs => TestData.Files("sarif-generated", "*.sarif");
    /// <summary>The spec examples here are all SARIF 2.0.x: each must be refused, naming its version.</summary>
    public static TheoryData<string> SpecExamples => TestData.Files("sarif-sdk/Test.FunctionalTests.Sarif/v2/SpecExamples", "*.sarif");

    [Theory]
    [MemberData(nameof(ConverterLogs))]
    [MemberData(nameof(GeneratedLogs))]
    [MemberData(nameof(SpecExamples))]
    public void Every_2_1_0_log_yields_one_observed_result_per_result_and_other_versions_are_rejected_naming_the_version(string file)
    {
        var path = TestData.PathTo(file);
        var (version, expected) = Count(path);
        if (version == "2.1.0")
        {
            var results = FindingReader.Read(path, file).ToList();
            Assert.Equal(expected, results.Count);
            Assert.All(results, r => Assert.Matches("^[0-9a-f]{64}$", r.Fingerprint));
        }
        else
        {
            var e = Assert.Throws<MalformedInputException>(() => FindingReader.Read(path, file).ToList());
            Assert.Equal("$.version", e.JsonPath);
            Assert.Contains($"SARIF version {version} is not supported", e.Reason);
        }
    }

    [Fact]
    public void The_roslyn_log_resolves_rules_by_index_and_makes_paths_without_the_file_scheme()
    {
        var results = FindingReader.Read(TestData.PathTo("sarif-generated", "roslyn", "roslyn.sarif"), "roslyn.sarif").ToList();
        var first = results[0];
        Assert.Equal("CS8602", first.RuleId);
        Assert.Equal("Microsoft (R) Visual C# Compiler", first.Tool);
        Assert.Equal("5.9.0", first.ToolVersion);
        Assert.Equal(13, first.StartLine);
        Assert.DoesNotContain("file:", first.Path);
        Assert.EndsWith("Program.cs", first.Path);
    }

    [Fact]
    public void A_two_run_codeql_log_keeps_each_runs_tool_and_partial_fingerprints()
    {
        var path = TestData.PathTo("sarif-codeql-fingerprints", "codeql-lgtm-valid-sarif.sarif");
        var results = FindingReader.Read(path, "codeql.sarif").ToList();
        Assert.Equal(Count(path).Results, results.Count);
        Assert.True(results.Select(r => r.Tool).Distinct().Count() >= 1);
        Assert.Contains(results, r => r.FingerprintSource == FingerprintSource.Partial);
    }

    /// <summary>The log's version and its number of results, counted independently of the reader.</summary>
    static (string? Version, int Results) Count(string path)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
        var root = doc.RootElement;
        string? version = root.TryGetProperty("version", out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        int count = 0;
        if (root.TryGetProperty("runs", out var runs) && runs.ValueKind == JsonValueKind.Array)
            foreach (var run in runs.EnumerateArray())
                if (run.TryGetProperty("results", out var results) && results.ValueKind == JsonValueKind.Array)
                    count += results.GetArrayLength();
        return (version, count);
    }
}
