using Clearwing.Findings;
using CsCheck;

namespace Clearwing.Tests.Findings;

public sealed class FingerprinterTests
{
    [Fact]
    public void A_result_moved_ten_lines_down_keeps_its_fingerprint()
    {
        var before = Some.ReadOne(Some.SarifLog(Some.SarifResult(line: 10)));
        var after = Some.ReadOne(Some.SarifLog(Some.SarifResult(line: 20)));
        Assert.Equal(FingerprintSource.Computed, before.FingerprintSource);
        Assert.Equal(before.Fingerprint, after.Fingerprint);
    }

    [Fact]
    public void A_different_snippet_or_file_or_rule_gives_a_different_fingerprint()
    {
        var one = Fingerprinter.FromContent("R1", "src/a.c", null, "memcpy(buf, src, len);", "m");
        Assert.NotEqual(one, Fingerprinter.FromContent("R1", "src/a.c", null, "memcpy(buf, src, n);", "m"));
        Assert.NotEqual(one, Fingerprinter.FromContent("R1", "src/b.c", null, "memcpy(buf, src, len);", "m"));
        Assert.NotEqual(one, Fingerprinter.FromContent("R2", "src/a.c", null, "memcpy(buf, src, len);", "m"));
        Assert.NotEqual(one, Fingerprinter.FromContent("R1", "src/a.c", "f", "memcpy(buf, src, len);", "m"));
    }

    [Fact]
    public void Without_a_snippet_the_message_counts_with_its_numbers_but_not_its_spacing()
    {
        var a = Fingerprinter.FromContent("R1", "a.c", null, null, "buffer of 16 bytes");
        Assert.Equal(a, Fingerprinter.FromContent("R1", "a.c", null, "  ", "buffer  of\n16 bytes "));
        Assert.NotEqual(a, Fingerprinter.FromContent("R1", "a.c", null, null, "buffer of 32 bytes"));
    }

    [Fact]
    public void The_tool_does_not_count_so_two_finders_reporting_the_same_code_match()
    {
        var first = Some.ReadOne(Some.SarifLog(Some.SarifResult()));
        var second = Some.ReadOne(Some.SarifLog(Some.SarifResult()).Replace("\"Demo\"", "\"Other\""));
        Assert.Equal(first.Fingerprint, second.Fingerprint);
    }

    [Fact]
    public void Every_fingerprint_is_64_lowercase_hex_characters()
    {
        Assert.Matches("^[0-9a-f]{64}$", Fingerprinter.Compute("R", null, null, null, "").Value);
        Assert.Matches("^[0-9a-f]{64}$", Fingerprinter.Compute("R", null, null, null, "", new Dictionary<string, string> { ["k"] = "v" }).Value);
        Assert.Matches("^[0-9a-f]{64}$", Fingerprinter.FromFinder("model", "id-1"));
    }

    [Fact]
    public void Partial_fingerprints_do_not_depend_on_key_order()
    {
        var a = Fingerprinter.Compute("R", "p", null, null, "", partialFingerprints: new Dictionary<string, string> { ["a"] = "1", ["b"] = "2" });
        var b = Fingerprinter.Compute("R", "p", null, null, "", partialFingerprints: new Dictionary<string, string> { ["b"] = "2", ["a"] = "1" });
        Assert.Equal(a, b);
    }

    static readonly Gen<string> Token = Gen.String[Gen.Char["abcdefxyz0123456789(){};=*+-_"], 1, 8];
    static readonly Gen<string> Space = Gen.String[Gen.Char[" \t\r\n"], 1, 4];

    [Fact]
    public void Reflowing_the_whitespace_of_a_snippet_keeps_the_fingerprint()
    {
        Gen.Select(Token.Array[1, 12], Space.Array[12], Space.Array[12], Gen.Bool).Sample((tokens, gaps, otherGaps, edges) =>
        {
            string Join(string[] between) => string.Concat(tokens.Select((t, i) => t + between[i]));
            var original = Join(gaps);
            var reflowed = (edges ? "\n\t " : "") + Join(otherGaps);
            Assert.Equal(
                Fingerprinter.FromContent("R1", "a.c", "f", original, "m"),
                Fingerprinter.FromContent("R1", "a.c", "f", reflowed, "other message"));
        }, iter: 10_000);
    }
}
