using System.Text;
using System.Text.Json;
using Clearwing.Disclosure;
using Clearwing.Findings;
using CsCheck;

namespace Clearwing.Tests.Disclosure;

public sealed class CommitmentsTests
{
    const string CaseId = "3f9a0c1e5b7d42a8b6e1f0c2d4a6b8e0";
    static readonly byte[] Salt = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();

    // The worked example of docs/commitments.md, in another key order and layout than its canonical form.
    const string Report = """
        { "title": "Heap overflow in the header parser", "severity": "critical", "cvss": 9.8,
          "affected": { "vendor": "Example Org", "product": "libexample", "versions": "< 1.4.2" }, "finder": "Zo\u00eb" }
        """;

    // Computed independently of this code, with Python's hashlib over the documented layout:
    //   python3 -c 'import hashlib, json
    //   r = {"title": "Heap overflow in the header parser", "severity": "critical", "cvss": 9.8,
    //        "affected": {"vendor": "Example Org", "product": "libexample", "versions": "< 1.4.2"}, "finder": "Zoë"}
    //   jcs = json.dumps(r, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    //   fs = [b"clearwing-commitment-v1", b"3f9a0c1e5b7d42a8b6e1f0c2d4a6b8e0", bytes(range(32)), jcs]
    //   m = b"".join(len(f).to_bytes(8, "big") + f for f in fs)
    //   print(m.hex()); print(hashlib.sha3_256(m).hexdigest())'
    const string ExampleDigest = "52229e2f6f3648b6002089dcb03fb5fdd48f0f1b0bce8282d449fecc4921168d";
    const string ExampleMessage =
        "0000000000000017636c65617277696e672d636f6d6d69746d656e742d7631" +
        "00000000000000203366396130633165356237643432613862366531663063326434613662386530" +
        "0000000000000020000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f" +
        "00000000000000af7b226166666563746564223a7b2270726f64756374223a226c69626578616d706c65222c2276656e646f72" +
        "223a224578616d706c65204f7267222c2276657273696f6e73223a223c20312e342e32227d2c2263767373" +
        "223a392e382c2266696e646572223a225a6fc3ab222c227365766572697479223a22637269746963616c22" +
        "2c227469746c65223a2248656170206f766572666c6f7720696e207468652068656164657220706172736572227d";

    static JsonElement Parse(string json) => JsonDocument.Parse(json).RootElement;

    static RevealedReport Read(string json) => RevealedReport.Parse(Encoding.UTF8.GetBytes(json), "report.json");

    static string File(string salt = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", string report = Report) =>
        $$"""{"version": "clearwing-commitment-v1", "caseId": "{{CaseId}}", "salt": "{{salt}}", "report": {{report}}}""";

    [Fact]
    public void The_digest_of_the_documented_example_is_the_one_Python_computes()
    {
        Assert.True(System.Security.Cryptography.SHA3_256.IsSupported, "SHA3-256 must be available (OpenSSL 1.1.1+)");
        Assert.Equal(ExampleDigest, CommitmentDigest.Compute(CaseId, Salt, Parse(Report)));
    }

    [Fact]
    public void The_hashed_message_is_the_documented_length_prefixed_layout()
    {
        var canonical = CanonicalJson.Serialize(Parse(Report));
        Assert.Equal(ExampleMessage, Convert.ToHexStringLower(CommitmentDigest.Message(CommitmentDigest.Version, CaseId, Salt, canonical)));
    }

    [Fact]
    public void A_revealed_file_recomputes_the_digest_whatever_its_layout_and_extra_members()
    {
        Assert.Equal(ExampleDigest, Read(File()).ComputeDigest());
        var saved = $$"""{"digest": "ignored", "report": {{Report}}, "salt": "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F", "caseId": "{{CaseId}}", "version": "clearwing-commitment-v1"}""";
        Assert.Equal(ExampleDigest, Read(saved).ComputeDigest());
    }

    [Fact]
    public void A_revealed_report_writes_the_documented_file_and_reads_back()
    {
        var revealed = Read(File());
        var json = JsonSerializer.Serialize(revealed, new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseUpper });
        var root = Parse(json);
        Assert.Equal(["version", "caseId", "salt", "report"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", root.GetProperty("salt").GetString());
        Assert.Equal(ExampleDigest, JsonSerializer.Deserialize<RevealedReport>(json)!.ComputeDigest());
    }

    [Theory]
    [InlineData("not json", "$", "not JSON")]
    [InlineData("[1, 2]", "$", "expected an object")]
    [InlineData("""{"caseId": "c", "salt": "00", "report": {}}""", "$.version", "missing")]
    [InlineData("""{"version": "clearwing-commitment-v2", "caseId": "c", "salt": "00", "report": {}}""", "$.version", "unknown commitment version")]
    [InlineData("""{"version": "clearwing-commitment-v1", "caseId": 7, "salt": "00", "report": {}}""", "$.caseId", "must be a string, found number")]
    [InlineData("""{"version": "clearwing-commitment-v1", "caseId": "", "salt": "00", "report": {}}""", "$.caseId", "must not be empty")]
    [InlineData("""{"version": "clearwing-commitment-v1", "caseId": "c", "salt": "0001", "report": {}}""", "$.salt", "expected 64 hex digits")]
    [InlineData("""{"version": "clearwing-commitment-v1", "caseId": "c", "salt": "zz02030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", "report": {}}""", "$.salt", "expected 64 hex digits")]
    [InlineData("""{"version": "clearwing-commitment-v1", "caseId": "c", "salt": "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"}""", "$.report", "missing")]
    [InlineData("""{"version": "clearwing-commitment-v1", "caseId": "c", "salt": "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", "report": {"a": [{"b": 1, "b": 2}]}}""", "$.report.a[0].b", "duplicate key")]
    [InlineData("""{"version": "clearwing-commitment-v1", "caseId": "c", "salt": "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", "report": {"cvss": 1e999}}""", "$.report.cvss", "outside the range")]
    [InlineData("""{"version": "clearwing-commitment-v1", "version": "clearwing-commitment-v1", "caseId": "c", "salt": "00", "report": {}}""", "$.version", "duplicate key")]
    public void A_malformed_file_is_refused_naming_the_JSON_path(string json, string path, string reason)
    {
        var e = Assert.Throws<MalformedInputException>(() => Read(json));
        Assert.Equal(("report.json", path), (e.File, e.JsonPath));
        Assert.Contains(reason, e.Reason);
    }

    [Theory]
    [InlineData("52229E2F6F3648B6002089DCB03FB5FDD48F0F1B0BCE8282D449FECC4921168D", ExampleDigest)]
    [InlineData(" 52229e2f6f3648b6002089dcb03fb5fdd48f0f1b0bce8282d449fecc4921168d\n", ExampleDigest)]
    [InlineData("52229e2f6f3648b6002089dcb03fb5fdd48f0f1b0bce8282d449fecc4921168", null)]
    [InlineData("52229e2f6f3648b6002089dcb03fb5fdd48f0f1b0bce8282d449fecc4921168g", null)]
    [InlineData("", null)]
    public void A_digest_is_64_hex_digits_in_any_case(string text, string? normalized) =>
        Assert.Equal(normalized, CommitmentDigest.Normalize(text));

    [Fact]
    public void A_salt_of_another_length_is_a_programming_error() =>
        Assert.Throws<ArgumentException>(() => CommitmentDigest.Compute(CaseId, new byte[31], Parse("{}")));

    [Fact]
    public void Changing_any_byte_of_the_case_id_salt_or_report_changes_the_digest()
    {
        var caseIds = Gen.String[Gen.Char["0123456789abcdef"], 1, 40];
        var reports = Gen.Byte.Array[0, 300];
        Gen.Select(caseIds, Gen.Byte.Array[32], reports, Gen.Int[0, 2], Gen.Int[0, int.MaxValue], Gen.Byte[1, 255])
            .Sample((caseId, salt, report, field, at, flip) =>
            {
                var digest = CommitmentDigest.Compute(caseId, salt, report);
                string changed;
                if (field == 0)
                {
                    var chars = caseId.ToCharArray();
                    chars[at % chars.Length] = (char)(chars[at % chars.Length] ^ flip);
                    changed = CommitmentDigest.Compute(new string(chars), salt, report);
                }
                else if (field == 1)
                {
                    var other = (byte[])salt.Clone();
                    other[at % other.Length] ^= flip;
                    changed = CommitmentDigest.Compute(caseId, other, report);
                }
                else
                {
                    // Flip a byte, or where the report is empty, add one: a change of length must count too.
                    var other = report.Length == 0 ? new[] { flip } : (byte[])report.Clone();
                    if (report.Length > 0) other[at % other.Length] ^= flip;
                    changed = CommitmentDigest.Compute(caseId, salt, other);
                }
                Assert.NotEqual(digest, changed);
            }, iter: 10_000);
    }

    [Fact]
    public void Moving_bytes_from_one_field_to_the_next_changes_the_message()
    {
        // Without the length prefixes, tag "…-v1" with case "ab" and tag "…-v1a" with case "b" would be the same bytes.
        Assert.NotEqual(
            CommitmentDigest.Message("clearwing-commitment-v1", "ab", Salt, "{}"u8),
            CommitmentDigest.Message("clearwing-commitment-v1a", "b", Salt, "{}"u8));
    }
}
