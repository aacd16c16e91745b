using Clearwing.Access;

namespace Clearwing.Tests.Access;

/// <summary>The audit log's values; the store itself is tested on both engines in the integration tests.</summary>
public sealed class AuditLogTests
{
    [Fact]
    public void An_entry_by_a_caller_records_its_actor_and_org_and_no_org_for_the_local_administrator()
    {
        var caller = new Caller(7, "acme", OrgKind.Maintainer, Role.Triager, "member:alice");

        Assert.Equal(new AuditEntry("member:alice", "acme", "case:c1", "extension"), AuditEntry.By(caller, "case:c1", "extension"));
        Assert.Equal(new AuditEntry("local", null, "case:c1", "grant"), AuditEntry.By(Caller.Local, "case:c1", "grant"));
    }

    [Fact]
    public void A_published_head_reads_back_from_what_verify_prints()
    {
        var head = new AuditHead(12, new string('a', 64));

        Assert.Equal(head, AuditHead.Parse(head.ToString()));
        Assert.Equal(head, AuditHead.Parse($" 12:{new string('A', 64)} "));
    }

    [Theory]
    [InlineData("12")]
    [InlineData("0:aaaa")]
    [InlineData("-1:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    [InlineData("12:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    [InlineData("12:gaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    [InlineData("x:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    public void A_malformed_head_is_refused_naming_it(string text)
    {
        var e = Assert.Throws<BadInputException>(() => AuditHead.Parse(text));
        Assert.Contains($"'{text}' is not a chain head", e.Message);
    }
}
