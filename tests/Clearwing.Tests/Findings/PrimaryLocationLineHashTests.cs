using System.Text.Json;
using Clearwing.Findings;

namespace Clearwing.Tests.Findings;

public sealed class PrimaryLocationLineHashTests
{
    [Fact]
    public void Every_codeql_line_hash_vector_reproduces()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(TestData.PathTo("sarif-codeql-fingerprints", "line-hash-vectors.json")));
        int cases = 0;
        foreach (var c in doc.RootElement.GetProperty("cases").EnumerateArray())
        {
            var expected = c.GetProperty("expected").EnumerateArray().Select(e => e.GetString()!).ToList();
            Assert.Equal(expected, PrimaryLocationLineHash.Compute(c.GetProperty("input").GetString()!));
            cases++;
        }
        Assert.Equal(8, cases);
    }

    [Fact]
    public void The_codeql_fingerprinting_example_gets_the_expected_line_hashes_from_its_sources()
    {
        var dir = TestData.PathTo("sarif-codeql-fingerprints");
        Assert.Equal("5e4d5a9cf1294ad9:1", PrimaryLocationLineHash.ComputeFile(Path.Combine(dir, "testFile1.js"))[0]);
        Assert.Equal("f7592a95a9381ac0:1", PrimaryLocationLineHash.ComputeFile(Path.Combine(dir, "testFile2.js"))[1]);
    }

    [Fact]
    public void Reading_the_input_log_with_the_source_root_fingerprints_like_the_expected_log()
    {
        var dir = TestData.PathTo("sarif-codeql-fingerprints");
        var computed = FindingReader.Read(Path.Combine(dir, "fingerprinting.input.sarif"), "input.sarif", new ReadContext { SourceRoot = dir }).ToList();
        var expected = FindingReader.Read(Path.Combine(dir, "fingerprinting.expected.sarif"), "expected.sarif").ToList();
        Assert.Equal(2, computed.Count);
        Assert.Equal(expected.Select(r => r.Fingerprint), computed.Select(r => r.Fingerprint));
        Assert.All(computed, r => Assert.Equal(FingerprintSource.Partial, r.FingerprintSource));
        // Without the sources there is nothing to hash: the fingerprint is computed from content instead.
        var plain = FindingReader.Read(Path.Combine(dir, "fingerprinting.input.sarif"), "input.sarif").ToList();
        Assert.All(plain, r => Assert.Equal(FingerprintSource.Computed, r.FingerprintSource));
    }
}
