using Clearwing.Access;
using Clearwing.Cases;

namespace Clearwing.Tests.Cases;

/// <summary>Test vocabulary for the lifecycle and the disclosure clock.</summary>
internal static class Some
{
    public static readonly OrgRole CoordinatorAdmin = new(OrgKind.Coordinator, Role.Admin);
    public static readonly OrgRole CoordinatorTriager = new(OrgKind.Coordinator, Role.Triager);
    public static readonly OrgRole MaintainerAdmin = new(OrgKind.Maintainer, Role.Admin);
    public static readonly OrgRole MaintainerTriager = new(OrgKind.Maintainer, Role.Triager);
    public static readonly OrgRole ValidatorTriager = new(OrgKind.Validator, Role.Triager);

    /// <summary>A request to <paramref name="edge"/>'s target with exactly the details that move needs.</summary>
    public static TransitionRequest RequestFor(LifecycleEdge edge) => edge.To switch
    {
        CaseState.Rejected => new TransitionRequest(edge.To, Reason: "not reachable", Rejection: Rejection.FalsePositive),
        CaseState.Fixed => new TransitionRequest(edge.To, FixCommit: "3f2a9c1"),
        _ when edge.Action == "reopen" => new TransitionRequest(edge.To, Reason: "the fix is incomplete"),
        _ => new TransitionRequest(edge.To),
    };
}
