using System.IO.Compression;
using Clearwing.Findings;
using CsCheck;

namespace Clearwing.Tests.Findings;

/// <summary>Whether a finding is about security, from the evidence finders give (docs/signal.md).</summary>
public sealed class SignalEvidenceTests
{
    static readonly string Fixtures = Path.Combine(AppContext.BaseDirectory, "Findings", "Fixtures");

    [Theory]
    [InlineData("7.5", null, "", null, SecuritySignal.Security, "security-severity 7.5")]
    [InlineData(null, "Security", "", null, SecuritySignal.Security, "category Security")]
    [InlineData(null, null, "correctness,security,external/cwe/cwe-079", "CWE-79", SecuritySignal.Security, "tag security")]
    [InlineData(null, "Performance", "", null, SecuritySignal.NotSecurity, "category Performance")]
    [InlineData(null, "Compiler", "Compiler,Telemetry", null, SecuritySignal.NotSecurity, "category Compiler")]
    [InlineData(null, null, "maintainability,external/cwe/cwe-563", "CWE-563", SecuritySignal.NotSecurity, "tag maintainability")]
    [InlineData(null, null, "", "CWE-787", SecuritySignal.Security, "CWE-787")]
    [InlineData(null, null, "Telemetry", null, SecuritySignal.Unknown, "no security-severity, category, tags or CWE")]
    [InlineData("not a number", null, "", null, SecuritySignal.Unknown, "no security-severity, category, tags or CWE")]
    public void The_strongest_evidence_decides_and_is_named(
        string? securitySeverity, string? category, string tags, string? cwe, SecuritySignal expected, string reason)
    {
        var evidence = SignalEvidence.Classify(securitySeverity, category, tags.Length == 0 ? [] : tags.Split(','), cwe);

        Assert.Equal((expected, reason), (evidence.Signal, evidence.Reason));
    }

    [Fact]
    public void The_order_of_a_rules_tags_never_changes_its_signal()
    {
        var vocabulary = Gen.OneOf("security", "maintainability", "style", "Telemetry", "external/cwe/cwe-079", "performance", "x");
        Gen.Select(vocabulary.List[0, 6], Gen.Int).Sample((tags, seed) =>
        {
            var shuffled = tags.OrderBy(_ => new Random(seed).Next()).ToList();
            Assert.Equal(SignalEvidence.Classify(null, null, tags, null).Signal, SignalEvidence.Classify(null, null, shuffled, null).Signal);
        }, iter: 10_000);
    }

    [Fact]
    public void The_dotnet_analyzers_real_log_tells_a_broken_hash_from_an_unused_variable_and_a_performance_hint()
    {
        var log = Some.File("");
        using (var gz = new GZipStream(File.OpenRead(Path.Combine(Fixtures, "roslyn-checkout-one.sarif.gz")), CompressionMode.Decompress))
        using (var to = File.Create(log))
            gz.CopyTo(to);

        var results = FindingReader.Read(log, "build.sarif").ToDictionary(r => r.RuleId);

        Assert.Equal((SecuritySignal.Security, "category Security"), (results["CA5351"].Signal, results["CA5351"].SignalReason));
        Assert.Equal((SecuritySignal.NotSecurity, "category Compiler"), (results["CS0219"].Signal, results["CS0219"].SignalReason));
        Assert.Equal((SecuritySignal.NotSecurity, "category Performance"), (results["CA1850"].Signal, results["CA1850"].SignalReason));
        Assert.Equal((SecuritySignal.NotSecurity, "category Reliability"), (results["CA2000"].Signal, results["CA2000"].SignalReason));
    }

    [Fact]
    public void ESLint_says_nothing_about_security_so_its_results_are_unknown()
    {
        var results = FindingReader.Read(Path.Combine(Fixtures, "eslint-checkout-a.sarif"), "eslint.sarif").ToList();

        Assert.Equal(21, results.Count);
        Assert.All(results, r => Assert.Equal(SecuritySignal.Unknown, r.Signal));
    }

    [Fact]
    public void A_results_own_security_severity_or_tag_wins_over_its_rule_and_sets_the_severity_as_github_does()
    {
        var results = Some.Read(Some.SarifLog("""
            { "ruleId": "R1", "message": { "text": "a" }, "properties": { "security-severity": "9.1" } },
            { "ruleId": "R1", "message": { "text": "b" }, "properties": { "tags": ["security"] } },
            { "ruleId": "R1", "message": { "text": "c" } }
            """).Replace("\"rules\": [ { \"id\": \"R1\" } ]",
            "\"rules\": [ { \"id\": \"R1\", \"properties\": { \"category\": \"Style\" } } ]", StringComparison.Ordinal));

        Assert.Equal([SecuritySignal.Security, SecuritySignal.Security, SecuritySignal.NotSecurity], results.Select(r => r.Signal));
        Assert.Equal(Clearwing.Scoring.ReportedSeverity.Critical, results[0].Severity);
    }

    [Fact]
    public void A_native_finding_with_a_cwe_or_an_advisory_id_is_about_security_and_one_with_neither_is_unknown()
    {
        var results = FindingReader.Read(Some.File("""
            { "format": "clearwing-findings", "version": "1", "tool": { "name": "model" },
              "findings": [ { "rule": "oob", "message": "read past the end", "cwe": "CWE-125" },
                            { "rule": "dep", "message": "vulnerable dependency", "aliases": ["GHSA-xxxx-yyyy-zzzz"] },
                            { "rule": "odd", "message": "odd" } ] }
            """), "native.json").ToList();

        Assert.Equal(
            [(SecuritySignal.Security, "CWE-125"), (SecuritySignal.Security, "advisory GHSA-xxxx-yyyy-zzzz"), (SecuritySignal.Unknown, "no cwe or aliases")],
            results.Select(r => (r.Signal, r.SignalReason)));
    }
}
