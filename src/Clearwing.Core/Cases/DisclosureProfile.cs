using System.Text.RegularExpressions;

namespace Clearwing.Cases;

/// <summary>How long the maintainer has to fix, and how many extra days the coordinator may grant on request.</summary>
/// <param name="Days">Days from the start of the clock (notification, or detection of exploitation in the wild).</param>
/// <param name="ExtensionCapDays">The most approved extensions can add, in total; 0 when the profile grants none.</param>
public sealed record EmbargoWindow(int Days, int ExtensionCapDays);

/// <summary>Which fact about the fix ends the embargo early.</summary>
public enum FixMilestone
{
    /// <summary>The case moved to fixed: a fix commit or a fixed version exists.</summary>
    FixLanded,
    /// <summary>The fix was verified (the reproducer no longer reproduces).</summary>
    FixVerified,
}

/// <summary>
/// A named disclosure policy as data: durations and rules that <see cref="EmbargoClock.Compute"/> turns into
/// deadlines. Days are whole 24-hour days in UTC. See docs/disclosure-policies.md for the sources.
/// </summary>
public sealed partial record DisclosureProfile
{
    /// <summary>Lower-case name used in configuration: "oss-fuzz", "project-zero", "coordinator".</summary>
    public required string Name { get; init; }

    /// <summary>One line for listings.</summary>
    public required string Summary { get; init; }

    /// <summary>The published policy this profile follows, when there is one.</summary>
    public Uri? Source { get; init; }

    /// <summary>The fix window for an ordinary case.</summary>
    public required EmbargoWindow Regular { get; init; }

    /// <summary>The shorter window once exploitation in the wild is known; null when the profile has no such rule.</summary>
    public EmbargoWindow? InTheWild { get; init; }

    /// <summary>The fix milestone that, reached before the window ends, ends the embargo early.</summary>
    public FixMilestone EmbargoEndsAt { get; init; } = FixMilestone.FixLanded;

    /// <summary>Days between a fix within the window and public disclosure (a patch-adoption period); 0 = at the fix.</summary>
    public int PublicDaysAfterFix { get; init; }

    /// <summary>
    /// When true, a fix that lands during an extension still goes public <see cref="PublicDaysAfterFix"/> days after
    /// the original (unextended) deadline: the extension uses up part of the adoption period (Project Zero's grace).
    /// </summary>
    public bool ExtensionUsesAdoptionPeriod { get; init; }

    /// <summary>Full technical details are held until this many days after the fix; null = they go public with the case.</summary>
    public int? DetailsDaysAfterFix { get; init; }

    /// <summary>Escalate to an outside coordinator this many days after notification without a maintainer response; null = never.</summary>
    public int? EscalationDays { get; init; }

    /// <summary>
    /// When the maintainer announces, before the deadline, a fix scheduled within this many days after it, the
    /// deadline moves to the scheduled day (OSS-Fuzz's grace period); null = no such grace.
    /// </summary>
    public int? ScheduledFixGraceDays { get; init; }

    /// <summary>A deadline that falls on a Saturday or Sunday in <see cref="TimeZone"/> moves to the next Monday.</summary>
    public bool WeekendMovesToMonday { get; init; }

    /// <summary>The IANA zone whose calendar decides weekends and in which rule sentences print dates.</summary>
    public string TimeZone { get; init; } = "UTC";

    /// <summary>What is wrong with this profile, each naming the field; empty when it is usable.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (Name is null || !NameShape().IsMatch(Name))
            problems.Add($"profile name '{Name}' must be lower-case letters, digits and dashes");
        var label = $"profile '{Name}'";
        if (Regular is null) problems.Add($"{label}: regular window is required");
        foreach (var (field, window) in new[] { ("regular", Regular), ("in-the-wild", InTheWild) })
        {
            if (window is null) continue;
            if (window.Days is < 1 or > MaxDays) problems.Add($"{label}: {field} days must be 1 to {MaxDays}, not {window.Days}");
            if (window.ExtensionCapDays is < 0 or > MaxDays)
                problems.Add($"{label}: {field} extension cap must be 0 to {MaxDays}, not {window.ExtensionCapDays}");
        }
        foreach (var (field, days) in new[]
                 {
                     ("public days after fix", (int?)PublicDaysAfterFix), ("details days after fix", DetailsDaysAfterFix),
                     ("escalation days", EscalationDays), ("scheduled-fix grace days", ScheduledFixGraceDays),
                 })
        {
            if (days is < 0 or > MaxDays) problems.Add($"{label}: {field} must be 0 to {MaxDays}, not {days}");
        }
        if (ZonedTime.FindZone(TimeZone).Error is { } zoneError) problems.Add($"{label}: {zoneError}");
        return problems;
    }

    /// <summary>The zone of <see cref="TimeZone"/>; throws for a profile that did not pass <see cref="Problems"/>.</summary>
    internal TimeZoneInfo Zone => ZonedTime.FindZone(TimeZone).ValueOrThrow();

    // Ten years: far beyond any real policy, small enough that no date arithmetic can overflow.
    const int MaxDays = 3653;

    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex NameShape();
}

/// <summary>The profiles people use today, shipped as data.</summary>
internal static class DisclosureProfiles
{
    /// <summary>
    /// OSS-Fuzz: public 90 days after notification or once the fix is verified, whichever is first; a fix announced
    /// before the deadline for a day within 14 days after it delays disclosure to that day; weekends move to Monday.
    /// </summary>
    public static DisclosureProfile OssFuzz { get; } = new()
    {
        Name = "oss-fuzz",
        Summary = "90 days or the verified fix, whichever is first; 14 days' grace for a scheduled fix; weekends move to Monday",
        Source = new Uri("https://google.github.io/oss-fuzz/getting-started/bug-disclosure-guidelines/"),
        Regular = new EmbargoWindow(90, 0),
        EmbargoEndsAt = FixMilestone.FixVerified,
        ScheduledFixGraceDays = 14,
        WeekendMovesToMonday = true,
    };

    /// <summary>
    /// Project Zero 90+30: a fix within 90 days goes public with details 30 days after it; no fix, public at 90 days;
    /// a 14-day grace on request, after which details go public at day 120. In the wild: 7 days (+3 grace), then the same 30.
    /// </summary>
    public static DisclosureProfile ProjectZero { get; } = new()
    {
        Name = "project-zero",
        Summary = "90+30: details 30 days after a fix within 90 days, else at 90; in the wild 7+30; grace 14 (3) days on request",
        Source = new Uri("https://googleprojectzero.blogspot.com/p/vulnerability-disclosure-policy.html"),
        Regular = new EmbargoWindow(90, 14),
        InTheWild = new EmbargoWindow(7, 3),
        EmbargoEndsAt = FixMilestone.FixLanded,
        PublicDaysAfterFix = 30,
        ExtensionUsesAdoptionPeriod = true,
    };

    /// <summary>
    /// Clearwing's coordinator default: 90 days or the fix, whichever is first, +14 on request; in the wild 7+7;
    /// escalation to an outside coordinator after 30 days without a maintainer response; details 45 days after the fix.
    /// </summary>
    public static DisclosureProfile Coordinator { get; } = new()
    {
        Name = "coordinator",
        Summary = "90 days or the fix, whichever is first, +14 on request; in the wild 7+7; escalation at 30 days; details at fix+45",
        Regular = new EmbargoWindow(90, 14),
        InTheWild = new EmbargoWindow(7, 7),
        EmbargoEndsAt = FixMilestone.FixLanded,
        DetailsDaysAfterFix = 45,
        EscalationDays = 30,
    };

    /// <summary>The shipped profiles in name order.</summary>
    public static IReadOnlyList<DisclosureProfile> Shipped { get; } = [Coordinator, OssFuzz, ProjectZero];

    /// <summary>The shipped profile with this name; an unknown name is refused listing the known ones.</summary>
    public static Checked<DisclosureProfile> Find(string name) => Find(name, Shipped);

    internal static Checked<DisclosureProfile> Find(string name, IReadOnlyList<DisclosureProfile> profiles) =>
        profiles.FirstOrDefault(p => p.Name == name) is { } found
            ? Checked<DisclosureProfile>.Accept(found)
            : Checked<DisclosureProfile>.Refuse(
                $"unknown disclosure profile '{name}'; known profiles: {string.Join(", ", profiles.Select(p => p.Name))}");
}
