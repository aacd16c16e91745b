using Clearwing.Access;
using Clearwing.Cases;
using static Clearwing.Tests.Cases.Some;

namespace Clearwing.Tests.Cases;

public sealed class EmbargoExtensionTests
{
    static readonly DateTimeOffset Asked = At("2026-03-18T16:00+01:00");

    [Fact]
    public void A_maintainer_asks_and_the_coordinator_approves()
    {
        var request = EmbargoExtensions.Ask(MaintainerTriager, "maya@libfoo", 14, " release train on the 15th ", Asked).ValueOrThrow();
        Assert.Null(request.Decision);
        Assert.Equal((14, "release train on the 15th", TimeSpan.Zero), (request.Request.Days, request.Request.Reason, request.Request.RequestedAt.Offset));

        var approved = EmbargoExtensions.Decide(request, ExtensionVerdict.Approved, CoordinatorAdmin, "cora@coordinator", At("2026-03-20T10:00Z")).ValueOrThrow();

        Assert.True(approved.IsApproved);
        Assert.Equal("cora@coordinator", approved.Decision!.DecidedBy);
    }

    [Fact]
    public void A_refused_extension_is_decided_but_not_approved()
    {
        var request = EmbargoExtensions.Ask(MaintainerAdmin, "maya@libfoo", 30, "big refactor", Asked).ValueOrThrow();

        var refused = EmbargoExtensions.Decide(request, ExtensionVerdict.Refused, CoordinatorTriager, "cora@coordinator", Asked, "exploit is public").ValueOrThrow();

        Assert.False(refused.IsApproved);
        Assert.Equal((ExtensionVerdict.Refused, "exploit is public"), (refused.Decision!.Verdict, refused.Decision.Note));
    }

    [Fact]
    public void Only_maintainer_admins_and_triagers_ask()
    {
        foreach (var caller in OrgRole.All.Where(r => r != MaintainerAdmin && r != MaintainerTriager))
            Assert.Equal($"only maintainer admins and triagers ask for extensions, not {caller}",
                EmbargoExtensions.Ask(caller, "someone", 7, "why", Asked).Error);
    }

    [Fact]
    public void Only_coordinator_admins_and_triagers_decide()
    {
        var request = EmbargoExtensions.Ask(MaintainerAdmin, "maya@libfoo", 7, "why", Asked).ValueOrThrow();
        foreach (var caller in OrgRole.All.Where(r => r != CoordinatorAdmin && r != CoordinatorTriager))
            Assert.Equal($"only coordinator admins and triagers decide extensions, not {caller}",
                EmbargoExtensions.Decide(request, ExtensionVerdict.Approved, caller, "someone", Asked).Error);
    }

    [Theory]
    [InlineData(0, "why", "an extension is 1 to 365 days, not 0")]
    [InlineData(366, "why", "an extension is 1 to 365 days, not 366")]
    [InlineData(7, " ", "an extension request needs a reason")]
    public void A_request_needs_days_in_range_and_a_reason(int days, string reason, string error)
    {
        Assert.Equal(error, EmbargoExtensions.Ask(MaintainerAdmin, "maya@libfoo", days, reason, Asked).Error);
    }

    [Fact]
    public void A_decided_extension_stays_decided()
    {
        var approved = EmbargoExtensions.Decide(
            EmbargoExtensions.Ask(MaintainerAdmin, "maya@libfoo", 7, "why", Asked).ValueOrThrow(),
            ExtensionVerdict.Approved, CoordinatorAdmin, "cora@coordinator", Asked).ValueOrThrow();

        Assert.Equal("this extension was already approved by cora@coordinator",
            EmbargoExtensions.Decide(approved, ExtensionVerdict.Refused, CoordinatorAdmin, "other@coordinator", Asked).Error);
    }
}
