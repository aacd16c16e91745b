using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Clearwing.Access;

namespace Clearwing.Tests.Access;

public sealed class AuditHashTests
{
    const string PayloadHash = "633bd45d66c06840b6c8e2983e897ebe2e6dd168dfffaa5e2a114a3ca3ee3af9";

    static string Hash(string actor = "alice", string? org = null, string subject = "case:c1", string action = "transition") =>
        AuditHash.Event(1, 1793610000000, actor, org, subject, action, PayloadHash, AuditHash.Genesis);

    [Fact]
    public void Event_hashes_match_the_vectors_computed_by_the_python_script_in_docs_audit_md()
    {
        // Computed with the script in docs/audit.md (hashlib, struct), independently of this code.
        Assert.Equal(PayloadHash, AuditHash.Payload("""{"caseId":"c1","to":"confirmed"}"""));
        Assert.Equal("ba1e36670d7c63b841f4b38663ebb793ae8d41852807bee6e3f05b95488b4c9d", Hash());
        Assert.Equal("e4f91dd839bb71f3375bf1bd735b1be68c0068cb0aa63f9efd73d3f6dd68f175", Hash(org: "acmé"));
    }

    [Fact]
    public void Moving_a_field_boundary_changes_the_hash()
    {
        Assert.NotEqual(Hash(actor: "ab", org: "c"), Hash(actor: "a", org: "bc"));
        Assert.NotEqual(Hash(subject: "ab", action: "c"), Hash(subject: "a", action: "bc"));
        Assert.NotEqual(
            AuditHash.Event(11, 1, "a", null, "s", "x", PayloadHash, AuditHash.Genesis),
            AuditHash.Event(1, 11, "a", null, "s", "x", PayloadHash, AuditHash.Genesis));
    }

    [Fact]
    public void A_missing_org_and_an_empty_org_hash_differently()
    {
        Assert.NotEqual(Hash(org: null), Hash(org: ""));
    }

    [Fact]
    public void Every_field_counts()
    {
        var hashes = new[]
        {
            Hash(),
            Hash(actor: "bob"),
            Hash(org: "acme"),
            Hash(subject: "case:c2"),
            Hash(action: "grant"),
            AuditHash.Event(2, 1793610000000, "alice", null, "case:c1", "transition", PayloadHash, AuditHash.Genesis),
            AuditHash.Event(1, 1793610000001, "alice", null, "case:c1", "transition", PayloadHash, AuditHash.Genesis),
            AuditHash.Event(1, 1793610000000, "alice", null, "case:c1", "transition", AuditHash.Genesis, AuditHash.Genesis),
            AuditHash.Event(1, 1793610000000, "alice", null, "case:c1", "transition", PayloadHash, PayloadHash),
        };
        Assert.Equal(hashes.Length, hashes.Distinct().Count());
    }

    [Fact]
    public void A_payload_is_canonical_json_with_sorted_keys_at_every_depth_and_no_whitespace()
    {
        var json = AuditHash.PayloadJson(new { Zeta = 1, Alpha = new { Y = "é \"q\"", B = new[] { 3, 1 } }, Mode = DayOfWeek.Monday, None = (string?)null });

        Assert.Equal("""{"alpha":{"b":[3,1],"y":"é \"q\""},"mode":"monday","none":null,"zeta":1}""", json);
    }

    [Fact]
    public void The_same_payload_in_another_key_order_gives_the_same_text()
    {
        var a = JsonNode.Parse("""{ "b": 1, "a": { "d": [1, {"y": 2, "x": 1}], "c": true } }""");
        var b = JsonNode.Parse("""{"a":{"c":true,"d":[1,{"x":1,"y":2}]},"b":1}""");

        Assert.Equal(AuditHash.PayloadJson(a), AuditHash.PayloadJson(b));
        Assert.Equal("""{"a":{"c":true,"d":[1,{"x":1,"y":2}]},"b":1}""", AuditHash.PayloadJson(a));
        Assert.Equal("null", AuditHash.PayloadJson(null));
    }

    [Fact]
    public void The_payload_hash_is_sha256_of_the_stored_text()
    {
        var text = AuditHash.PayloadJson(new { Project = "démo" });
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text))), AuditHash.Payload(text));
    }

}
