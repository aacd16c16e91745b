using System.Collections.Frozen;
using System.Text.Json;
using System.Text.Json.Serialization;
using Clearwing.Access;

namespace Clearwing.Cases;

/// <summary>Where a case is in its lifecycle. Stored and shown by its snake_case name (<see cref="Lifecycle.Name(CaseState)"/>).</summary>
[JsonConverter(typeof(CaseStateJson))]
public enum CaseState
{
    New,
    Triage,
    Confirmed,
    Rejected,
    Notified,
    FixInProgress,
    Fixed,
    FixVerified,
    Disclosed,
}

/// <summary>Why a case was rejected. Stored by its snake_case name.</summary>
public enum Rejection
{
    FalsePositive,
    Duplicate,
    OutOfScope,
    WontFix,
}

/// <summary>An org kind and a member role: the unit the transition table grants moves to.</summary>
public readonly record struct OrgRole(OrgKind Kind, Role Role)
{
    /// <summary>Every (kind, role) pair there is, in declaration order.</summary>
    public static IReadOnlyList<OrgRole> All { get; } =
        [.. from kind in Enum.GetValues<OrgKind>() from role in Enum.GetValues<Role>() select new OrgRole(kind, role)];

    /// <summary>"coordinator admin", "maintainer triager", …</summary>
    public override string ToString() => $"{Kind.ToString().ToLowerInvariant()} {Role.ToString().ToLowerInvariant()}";
}

/// <summary>
/// A request to move a case. <see cref="Reason"/> is required when rejecting and reopening;
/// <see cref="Rejection"/> when rejecting, with <see cref="DuplicateOf"/> for a duplicate;
/// <see cref="FixCommit"/> and/or <see cref="FixedVersion"/> when moving to <see cref="CaseState.Fixed"/>.
/// A detail given for a move it does not belong to is refused rather than silently dropped.
/// </summary>
public sealed record TransitionRequest(
    CaseState To,
    string? Reason = null,
    Rejection? Rejection = null,
    string? DuplicateOf = null,
    string? FixCommit = null,
    string? FixedVersion = null);

/// <summary>One row of the transition table: the move, its verb, and who may make it.</summary>
public sealed record LifecycleEdge(CaseState From, CaseState To, string Action, IReadOnlyList<OrgRole> AllowedBy)
{
    public bool Allows(OrgRole caller) => AllowedBy.Contains(caller);

    /// <summary>"reject → rejected".</summary>
    public override string ToString() => $"{Action} → {Lifecycle.Name(To)}";
}

/// <summary>An accepted move: the new state and what the audit event records about it.</summary>
public sealed record Transition(
    CaseState From, CaseState To, string Action, OrgRole By,
    string? Reason, Rejection? Rejection, string? DuplicateOf, string? FixCommit, string? FixedVersion);

/// <summary>Why a move was refused, for callers that branch on it (the API maps them all to one problem type).</summary>
public enum RefusalKind
{
    /// <summary>The table has no move from the current state to the requested one.</summary>
    NoSuchMove,
    /// <summary>The move exists, but not for the caller's org kind and role.</summary>
    NotPermitted,
    /// <summary>A detail the move needs is missing, or a detail was given that the move does not take.</summary>
    Details,
}

/// <summary>The outcome of <see cref="Lifecycle.Decide"/>: accepted with the transition, or refused with the reason.</summary>
public abstract record TransitionDecision
{
    TransitionDecision() { }

    /// <summary>The move is allowed: the transition to store.</summary>
    public sealed record Accepted(Transition Transition) : TransitionDecision;

    /// <summary>The move is refused, with why and what is allowed instead.</summary>
    /// <param name="Message">Names the current and requested state and the moves this caller may make from here
    /// (and, when only the role is wrong, who may make the requested one).</param>
    /// <param name="AllowedFromHere">The moves this caller may make from the current state.</param>
    /// <param name="PermittedRoles">Who may make the requested move; empty when there is no such move.</param>
    public sealed record Refused(
        RefusalKind Kind, string Message, IReadOnlyList<LifecycleEdge> AllowedFromHere, IReadOnlyList<OrgRole> PermittedRoles)
        : TransitionDecision;
}

/// <summary>
/// The case lifecycle as data (<see cref="Table"/>) and one pure transition function (<see cref="Decide"/>).
/// docs/lifecycle.md shows the same table; a test keeps the two equal.
/// </summary>
public static class Lifecycle
{
    static readonly OrgRole CoordinatorAdmin = new(OrgKind.Coordinator, Role.Admin);
    static readonly OrgRole CoordinatorTriager = new(OrgKind.Coordinator, Role.Triager);
    static readonly OrgRole MaintainerAdmin = new(OrgKind.Maintainer, Role.Admin);
    static readonly OrgRole MaintainerTriager = new(OrgKind.Maintainer, Role.Triager);
    static readonly OrgRole ValidatorAdmin = new(OrgKind.Validator, Role.Admin);
    static readonly OrgRole ValidatorTriager = new(OrgKind.Validator, Role.Triager);

    static readonly OrgRole[] Coordinator = [CoordinatorAdmin, CoordinatorTriager];
    static readonly OrgRole[] CoordinatorOrValidator = [CoordinatorAdmin, CoordinatorTriager, ValidatorAdmin, ValidatorTriager];
    static readonly OrgRole[] Maintainer = [MaintainerAdmin, MaintainerTriager];
    static readonly OrgRole[] CoordinatorOrMaintainer = [CoordinatorAdmin, CoordinatorTriager, MaintainerAdmin, MaintainerTriager];

    // Viewers and downstream orgs appear nowhere: they never move a case. Disclosure is allowed from every
    // state after notification because an embargo can expire before a fix exists, let alone a verified one.
    /// <summary>Every move there is and who may make it. Order is the order the docs show.</summary>
    public static IReadOnlyList<LifecycleEdge> Table { get; } =
    [
        new(CaseState.New, CaseState.Triage, "triage", Coordinator),
        new(CaseState.Triage, CaseState.Confirmed, "confirm", CoordinatorOrValidator),
        new(CaseState.Triage, CaseState.Rejected, "reject", CoordinatorOrValidator),
        new(CaseState.Rejected, CaseState.Triage, "reopen", Coordinator),
        new(CaseState.Confirmed, CaseState.Notified, "notify", Coordinator),
        new(CaseState.Notified, CaseState.FixInProgress, "start_fix", Maintainer),
        new(CaseState.FixInProgress, CaseState.Fixed, "mark_fixed", Maintainer),
        new(CaseState.Fixed, CaseState.FixVerified, "verify_fix", CoordinatorOrValidator),
        new(CaseState.Fixed, CaseState.FixInProgress, "reopen", CoordinatorOrMaintainer),
        new(CaseState.FixVerified, CaseState.FixInProgress, "reopen", CoordinatorOrMaintainer),
        new(CaseState.Notified, CaseState.Disclosed, "disclose", Coordinator),
        new(CaseState.FixInProgress, CaseState.Disclosed, "disclose", Coordinator),
        new(CaseState.Fixed, CaseState.Disclosed, "disclose", Coordinator),
        new(CaseState.FixVerified, CaseState.Disclosed, "disclose", Coordinator),
    ];

    static readonly FrozenDictionary<CaseState, string> Names = new Dictionary<CaseState, string>
    {
        [CaseState.New] = "new",
        [CaseState.Triage] = "triage",
        [CaseState.Confirmed] = "confirmed",
        [CaseState.Rejected] = "rejected",
        [CaseState.Notified] = "notified",
        [CaseState.FixInProgress] = "fix_in_progress",
        [CaseState.Fixed] = "fixed",
        [CaseState.FixVerified] = "fix_verified",
        [CaseState.Disclosed] = "disclosed",
    }.ToFrozenDictionary();

    static readonly FrozenDictionary<Rejection, string> RejectionNames = new Dictionary<Rejection, string>
    {
        [Rejection.FalsePositive] = "false_positive",
        [Rejection.Duplicate] = "duplicate",
        [Rejection.OutOfScope] = "out_of_scope",
        [Rejection.WontFix] = "wont_fix",
    }.ToFrozenDictionary();

    static readonly FrozenDictionary<string, CaseState> States = Names.ToFrozenDictionary(p => p.Value, p => p.Key);
    static readonly FrozenDictionary<string, Rejection> Rejections = RejectionNames.ToFrozenDictionary(p => p.Value, p => p.Key);

    /// <summary>The stored name: "new", "fix_in_progress", …</summary>
    public static string Name(CaseState state) => Names[state];

    /// <summary>The stored name: "false_positive", "wont_fix", …</summary>
    public static string Name(Rejection rejection) => RejectionNames[rejection];

    /// <summary>Reads a stored state name; unknown names are false (the caller names the input in its error).</summary>
    public static bool TryParseState(string name, out CaseState state) => States.TryGetValue(name, out state);

    public static bool TryParseRejection(string name, out Rejection rejection) => Rejections.TryGetValue(name, out rejection);

    /// <summary>A state as the database holds it; an unknown one is a bug or a newer schema, not the user's input.</summary>
    internal static CaseState Stored(string name) =>
        TryParseState(name, out var state) ? state : throw new InvalidOperationException($"A case has the unknown stored state '{name}'.");

    /// <summary>A state by its stored name; an unknown name is an error listing the known ones.</summary>
    public static CaseState ParseState(string name) => TryParseState(name, out var state) ? state
        : throw new BadInputException($"Unknown state '{name}'; expected one of: {string.Join(", ", StateNames)}.");

    /// <summary>A rejection by its stored name; an unknown name is an error listing the known ones.</summary>
    public static Rejection ParseRejection(string name) => TryParseRejection(name, out var rejection) ? rejection
        : throw new BadInputException($"Unknown rejection '{name}'; expected one of: {string.Join(", ", RejectionNamesInOrder)}.");

    /// <summary>Every known state name, for error messages and documentation.</summary>
    public static IReadOnlyList<string> StateNames { get; } = [.. Enum.GetValues<CaseState>().Select(Name)];

    public static IReadOnlyList<string> RejectionNamesInOrder { get; } = [.. Enum.GetValues<Rejection>().Select(Name)];

    /// <summary>The moves <paramref name="caller"/> may make from <paramref name="from"/>, in table order.</summary>
    public static IReadOnlyList<LifecycleEdge> AllowedFrom(CaseState from, OrgRole caller) =>
        [.. Table.Where(e => e.From == from && e.Allows(caller))];

    /// <summary>
    /// Decides one move: the table says whether it exists and who may make it, then the request must carry exactly
    /// the details the move takes. Pure: no clock, no storage. Whether <see cref="TransitionRequest.DuplicateOf"/>
    /// names a real, different case is for the caller to check against the store.
    /// </summary>
    public static TransitionDecision Decide(CaseState current, TransitionRequest request, OrgRole caller)
    {
        ArgumentNullException.ThrowIfNull(request);
        var allowed = AllowedFrom(current, caller);
        var edge = Table.FirstOrDefault(e => e.From == current && e.To == request.To);
        var move = $"Cannot move a case from '{Name(current)}' to '{Name(request.To)}'";

        if (edge is null)
            return Refuse(RefusalKind.NoSuchMove, $"{move}: there is no such move. {Offer(current, caller, allowed)}", allowed, []);
        if (!edge.Allows(caller))
            return Refuse(RefusalKind.NotPermitted,
                $"{move} as {caller}: only {string.Join(", ", edge.AllowedBy)} may {edge.Action}. {Offer(current, caller, allowed)}",
                allowed, edge.AllowedBy);
        if (DetailProblem(edge, request) is { } problem)
            return Refuse(RefusalKind.Details, $"{move}: {problem}.", allowed, edge.AllowedBy);

        return new TransitionDecision.Accepted(new Transition(
            current, request.To, edge.Action, caller, Trimmed(request.Reason), request.Rejection,
            Trimmed(request.DuplicateOf), Trimmed(request.FixCommit), Trimmed(request.FixedVersion)));
    }

    static TransitionDecision.Refused Refuse(
        RefusalKind kind, string message, IReadOnlyList<LifecycleEdge> allowed, IReadOnlyList<OrgRole> permitted) =>
        new(kind, message, allowed, permitted);

    static string Offer(CaseState current, OrgRole caller, IReadOnlyList<LifecycleEdge> allowed) =>
        allowed.Count == 0
            ? $"As {caller} you may make no move from '{Name(current)}'."
            : $"As {caller} you may, from '{Name(current)}': {string.Join(", ", allowed)}.";

    static string? DetailProblem(LifecycleEdge edge, TransitionRequest r)
    {
        var rejecting = r.To == CaseState.Rejected;
        if (rejecting && r.Rejection is null)
            return $"a rejection needs its kind ({string.Join(", ", RejectionNamesInOrder)})";
        if (!rejecting && r.Rejection is { } stray)
            return $"the rejection '{Name(stray)}' applies only when moving to 'rejected'";
        if (rejecting && Trimmed(r.Reason) is null)
            return "a rejection needs a reason";
        // A reopened case undoes someone's decision; the event must say why.
        if (edge.Action == "reopen" && Trimmed(r.Reason) is null)
            return "reopening needs a reason";
        if (r.Rejection == Rejection.Duplicate && Trimmed(r.DuplicateOf) is null)
            return "a rejection as duplicate needs the id of the case it duplicates";
        if (r.Rejection != Rejection.Duplicate && r.DuplicateOf is not null)
            return "a duplicate-of case id applies only to a rejection as duplicate";
        if (r.To == CaseState.Fixed && Trimmed(r.FixCommit) is null && Trimmed(r.FixedVersion) is null)
            return "a fix needs its fix commit or fixed version (or both)";
        if (r.To != CaseState.Fixed && (r.FixCommit is not null || r.FixedVersion is not null))
            return "a fix commit or fixed version applies only when moving to 'fixed'";
        return null;
    }

    static string? Trimmed(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}

/// <summary>A <see cref="CaseState"/> in JSON: its snake_case name ("fix_in_progress"), as stored and as the API has always shown it.</summary>
internal sealed class CaseStateJson : JsonConverter<CaseState>
{
    public override CaseState Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.String && Lifecycle.TryParseState(reader.GetString()!, out var state)
            ? state
            : throw new JsonException($"Expected a case state: one of {string.Join(", ", Lifecycle.StateNames)}.");

    public override void Write(Utf8JsonWriter writer, CaseState value, JsonSerializerOptions options) =>
        writer.WriteStringValue(Lifecycle.Name(value));
}
