using System.Globalization;
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

    /// <summary>An instant from ISO 8601 text with an offset or Z: "2026-01-06T09:00Z".</summary>
    public static DateTimeOffset At(string iso) => DateTimeOffset.Parse(iso, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    /// <summary>A request to <paramref name="edge"/>'s target with exactly the details that move needs.</summary>
    public static TransitionRequest RequestFor(LifecycleEdge edge) => edge.To switch
    {
        CaseState.Rejected => new TransitionRequest(edge.To, Reason: "not reachable", Rejection: Rejection.FalsePositive),
        CaseState.Fixed => new TransitionRequest(edge.To, FixCommit: "3f2a9c1"),
        _ when edge.Action == "reopen" => new TransitionRequest(edge.To, Reason: "the fix is incomplete"),
        _ => new TransitionRequest(edge.To),
    };

    /// <summary>A timeline notified at <paramref name="notified"/> and otherwise empty.</summary>
    public static CaseTimeline Notified(string notified) => new() { Notified = At(notified) };

    /// <summary><paramref name="days"/> whole days after <paramref name="from"/>.</summary>
    public static DateTimeOffset Day(DateTimeOffset from, int days) => from + TimeSpan.FromDays(days);

    public static EmbargoExtension Extension(int days, ExtensionVerdict? verdict, string decided = "2026-03-20T10:00Z") =>
        new(new ExtensionRequest(days, "the release train leaves on the 15th", "maya@libfoo", At(decided) - TimeSpan.FromDays(2)),
            verdict is { } v ? new ExtensionDecision(v, "cora@coordinator", At(decided)) : null);

    public static TimeZoneInfo Zone(string id) => TimeZoneInfo.FindSystemTimeZoneById(id);

    public static Deadline Only(IReadOnlyList<Deadline> deadlines, DeadlineKind kind) => Assert.Single(deadlines, d => d.Kind == kind);
}
