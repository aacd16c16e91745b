using Clearwing.Access;

namespace Clearwing.Cases;

/// <summary>A maintainer's request for more embargo time.</summary>
/// <param name="Days">Whole days asked for, at least 1.</param>
/// <param name="RequestedBy">The member who asked (as the audit log names members).</param>
public sealed record ExtensionRequest(int Days, string Reason, string RequestedBy, DateTimeOffset RequestedAt);

/// <summary>The coordinator's answer to an extension request.</summary>
public enum ExtensionVerdict
{
    Approved,
    Refused,
}

/// <summary>The coordinator's answer to an <see cref="ExtensionRequest"/>.</summary>
public sealed record ExtensionDecision(ExtensionVerdict Verdict, string DecidedBy, DateTimeOffset DecidedAt, string? Note = null);

/// <summary>A request and, once given, its decision. Only approved ones move the clock.</summary>
public sealed record EmbargoExtension(ExtensionRequest Request, ExtensionDecision? Decision = null)
{
    public bool IsApproved => Decision?.Verdict == ExtensionVerdict.Approved;
}

/// <summary>Who may ask for and decide extensions: maintainers ask, the coordinator approves or refuses.</summary>
internal static class EmbargoExtensions
{
    // A year bounds a single request; the profile's cap bounds what the clock counts.
    const int MaxDays = 365;

    /// <summary>A maintainer admin or triager asks for <paramref name="days"/> more days, giving a reason.</summary>
    public static Checked<EmbargoExtension> Ask(OrgRole caller, string member, int days, string reason, DateTimeOffset at)
    {
        if (caller is not { Kind: OrgKind.Maintainer, Role: Role.Admin or Role.Triager })
            return Checked<EmbargoExtension>.Refuse($"only maintainer admins and triagers ask for extensions, not {caller}");
        if (days is < 1 or > MaxDays)
            return Checked<EmbargoExtension>.Refuse($"an extension is 1 to {MaxDays} days, not {days}");
        if (string.IsNullOrWhiteSpace(reason))
            return Checked<EmbargoExtension>.Refuse("an extension request needs a reason");
        ArgumentException.ThrowIfNullOrWhiteSpace(member);
        return Checked<EmbargoExtension>.Accept(new EmbargoExtension(new ExtensionRequest(days, reason.Trim(), member, at.ToUniversalTime())));
    }

    /// <summary>A coordinator admin or triager approves or refuses a pending request; a decided one stays decided.</summary>
    public static Checked<EmbargoExtension> Decide(
        EmbargoExtension pending, ExtensionVerdict verdict, OrgRole caller, string member, DateTimeOffset at, string? note = null)
    {
        ArgumentNullException.ThrowIfNull(pending);
        if (caller is not { Kind: OrgKind.Coordinator, Role: Role.Admin or Role.Triager })
            return Checked<EmbargoExtension>.Refuse($"only coordinator admins and triagers decide extensions, not {caller}");
        if (pending.Decision is { } earlier)
            return Checked<EmbargoExtension>.Refuse(
                $"this extension was already {earlier.Verdict.ToString().ToLowerInvariant()} by {earlier.DecidedBy}");
        ArgumentException.ThrowIfNullOrWhiteSpace(member);
        var trimmed = string.IsNullOrWhiteSpace(note) ? null : note.Trim();
        return Checked<EmbargoExtension>.Accept(pending with { Decision = new ExtensionDecision(verdict, member, at.ToUniversalTime(), trimmed) });
    }
}
