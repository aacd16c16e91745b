namespace Clearwing.Cases;

/// <summary>A fix the maintainer announced: when they said so, and the day it is scheduled for.</summary>
public sealed record ScheduledFix(DateTimeOffset AnnouncedAt, DateTimeOffset ScheduledFor);

/// <summary>
/// The facts of a case that its disclosure clock depends on, as UTC instants; null = not (yet) happened.
/// The clock starts at <see cref="Notified"/>: without it there are no deadlines.
/// </summary>
public sealed record CaseTimeline
{
    public DateTimeOffset? Notified { get; init; }
    public DateTimeOffset? MaintainerFirstResponse { get; init; }
    public ScheduledFix? FixScheduled { get; init; }
    /// <summary>The case moved to fixed (fix commit and/or fixed version).</summary>
    public DateTimeOffset? FixLanded { get; init; }
    public DateTimeOffset? FixVerified { get; init; }
    /// <summary>When exploitation in the wild became known to the coordinator.</summary>
    public DateTimeOffset? ExploitedInTheWild { get; init; }
    /// <summary>Every request with its decision; the clock counts the approved ones, up to the profile's cap.</summary>
    public IReadOnlyList<EmbargoExtension> Extensions { get; init; } = [];
    /// <summary>Full technical details were published (may be later than <see cref="Disclosed"/>).</summary>
    public DateTimeOffset? DetailsPublished { get; init; }
    public DateTimeOffset? Disclosed { get; init; }
}

/// <summary>The deadlines a disclosure profile sets: publication, technical details, escalation of an unanswered notice.</summary>
public enum DeadlineKind
{
    /// <summary>The case (its advisory) becomes public.</summary>
    PublicDisclosure,
    /// <summary>Full technical details (reproducer, root cause) become public.</summary>
    TechnicalDetails,
    /// <summary>The case goes to an outside coordinator because the maintainer has not responded.</summary>
    Escalation,
}

/// <summary>Where a deadline stands now: met, or open and upcoming, due soon (within a week) or breached.</summary>
public enum DeadlineStatus
{
    /// <summary>More than <see cref="EmbargoClock.DueSoon"/> away.</summary>
    Upcoming,
    /// <summary>Within <see cref="EmbargoClock.DueSoon"/>.</summary>
    DueSoon,
    /// <summary>Reached, and what it waits for did not happen by then.</summary>
    Breached,
    /// <summary>What it waits for happened on or before it.</summary>
    Met,
}

/// <summary>One deadline of a case.</summary>
/// <param name="At">The instant, in UTC; show it with <see cref="ZonedTime.Format"/>.</param>
/// <param name="Rule">Why it is here, as a sentence: "90 days after notification (2026-01-05) + 14-day extension approved 2026-03-20".</param>
/// <param name="DischargedAt">When what the deadline waits for happened (disclosure, details published, the maintainer's
/// response), if it has; later than <see cref="At"/> means it happened late.</param>
public sealed record Deadline(DeadlineKind Kind, DateTimeOffset At, string Rule, DeadlineStatus Status, DateTimeOffset? DischargedAt)
{
    /// <summary>Still waiting for what it is a deadline for.</summary>
    public bool IsOpen => DischargedAt is null;
}

/// <summary>
/// The disclosure clock: a pure function from a profile, a case's timeline and "now" to the case's deadlines.
/// All arithmetic is in UTC with 24-hour days, so the same case gives the same instants in every zone, also across
/// DST changes; the profile's zone only decides what counts as a weekend and how dates print in rule sentences.
/// </summary>
internal static class EmbargoClock
{
    /// <summary>How close a deadline is "due soon".</summary>
    public static readonly TimeSpan DueSoon = TimeSpan.FromDays(7);

    /// <summary>
    /// The deadlines that apply to the case: public disclosure always (once notified), technical details and
    /// escalation when the profile has them. Escalation is left out once the maintainer responded in time.
    /// </summary>
    public static IReadOnlyList<Deadline> Compute(DisclosureProfile profile, CaseTimeline timeline, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentNullException.ThrowIfNull(timeline);
        if (timeline.Notified is not { } notifiedAt) return [];
        var clock = new Run(profile, notifiedAt.ToUniversalTime());

        var (original, window) = clock.Start(timeline.ExploitedInTheWild);
        var end = clock.Extend(original, window, timeline.Extensions);
        end = clock.OffWeekend(end);
        end = clock.Grace(end, timeline.FixScheduled);

        var fix = profile.EmbargoEndsAt == FixMilestone.FixVerified ? timeline.FixVerified : timeline.FixLanded ?? timeline.FixVerified;
        // A fix before notification (found independently) counts from notification, so no deadline precedes it.
        var fixAt = fix is { } f ? Max(f.ToUniversalTime(), clock.Notified) : (DateTimeOffset?)null;
        var fixInTime = fixAt <= end.At;
        var fixWord = profile.EmbargoEndsAt == FixMilestone.FixVerified ? "fix verified" : "fix landed";

        var publicAt = fixInTime ? clock.AfterFix(fixAt!.Value, fixWord, original, end) : end;
        var deadlines = new List<Deadline> { Make(DeadlineKind.PublicDisclosure, publicAt, timeline.Disclosed, now) };

        if (profile.DetailsDaysAfterFix is { } detailDays)
        {
            var details = fixInTime
                ? clock.OffWeekend(new Dated(fixAt!.Value + Days(detailDays), $"{detailDays} days after the {fixWord} ({clock.Date(fixAt.Value)})"))
                : new Dated(publicAt.At, fixAt is { } late
                    ? $"with the public disclosure, the {fixWord} ({clock.Date(late)}) having come after the embargo ended: {publicAt.Rule}"
                    : $"with the public disclosure, no fix having landed: {publicAt.Rule}");
            if (details.At < publicAt.At) details = new Dated(publicAt.At, $"with the public disclosure: {publicAt.Rule}");
            deadlines.Add(Make(DeadlineKind.TechnicalDetails, details, timeline.DetailsPublished, now));
        }

        if (profile.EscalationDays is { } escalationDays)
        {
            var escalation = clock.OffWeekend(new Dated(clock.Notified + Days(escalationDays),
                $"{escalationDays} days after notification ({clock.Date(clock.Notified)}) without a maintainer response"));
            var response = timeline.MaintainerFirstResponse?.ToUniversalTime();
            if (response is null || response > escalation.At)
                deadlines.Add(Make(DeadlineKind.Escalation, escalation, response, now));
        }
        return deadlines;
    }

    /// <summary>Extension days the profile would still count for this case (the in-the-wild cap once exploitation is known).</summary>
    public static int ExtensionDaysLeft(DisclosureProfile profile, CaseTimeline timeline)
    {
        var window = timeline.ExploitedInTheWild is not null && profile.InTheWild is { } wild ? wild : profile.Regular;
        var approved = timeline.Extensions.Where(e => e.IsApproved).Sum(e => (long)e.Request.Days);
        return (int)Math.Max(0, window.ExtensionCapDays - approved);
    }

    /// <summary>
    /// The first instant at or after <paramref name="at"/>, stepping whole UTC days, whose date in the zone is a
    /// weekday. Stepping in UTC keeps the time of day exact in UTC (the local reading moves by an hour only when the
    /// step crosses a DST change) and keeps the move monotone under whole-day shifts such as extensions.
    /// </summary>
    internal static DateTimeOffset NextWorkingDay(DateTimeOffset at, TimeZoneInfo zone)
    {
        var t = at.ToUniversalTime();
        while (TimeZoneInfo.ConvertTime(t, zone).DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday) t = t.AddDays(1);
        return t;
    }

    static Deadline Make(DeadlineKind kind, Dated deadline, DateTimeOffset? discharged, DateTimeOffset now)
    {
        var dischargedAt = discharged?.ToUniversalTime();
        var status = dischargedAt <= deadline.At ? DeadlineStatus.Met
            : now >= deadline.At ? DeadlineStatus.Breached
            : deadline.At - now <= DueSoon ? DeadlineStatus.DueSoon
            : DeadlineStatus.Upcoming;
        return new Deadline(kind, deadline.At, deadline.Rule, status, dischargedAt);
    }

    static TimeSpan Days(int days) => TimeSpan.FromDays(days);

    static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a >= b ? a : b;

    /// <summary>An instant with the sentence that explains it.</summary>
    readonly record struct Dated(DateTimeOffset At, string Rule);

    /// <summary>One computation: the profile, its zone and the notification instant, and the steps in the order they apply.</summary>
    sealed class Run(DisclosureProfile profile, DateTimeOffset notified)
    {
        readonly TimeZoneInfo _zone = profile.Zone;

        public DateTimeOffset Notified => notified;

        public string Date(DateTimeOffset at) => ZonedTime.Date(at, _zone);

        /// <summary>The unextended deadline, and the window whose extension cap applies.</summary>
        public (Dated Original, EmbargoWindow Window) Start(DateTimeOffset? exploitedInTheWild)
        {
            var regular = new Dated(notified + Days(profile.Regular.Days), $"{profile.Regular.Days} days after notification ({Date(notified)})");
            if (exploitedInTheWild is not { } seen || profile.InTheWild is not { } wild) return (regular, profile.Regular);
            // In the wild the clock restarts at detection, but never runs past the regular deadline.
            var start = Max(seen.ToUniversalTime(), notified);
            var rule = start == notified
                ? $"{wild.Days} days after notification ({Date(notified)}), exploited in the wild"
                : $"{wild.Days} days after exploitation in the wild was detected ({Date(start)})";
            var inTheWild = new Dated(start + Days(wild.Days), rule);
            return (inTheWild.At < regular.At ? inTheWild : regular, wild);
        }

        public Dated Extend(Dated original, EmbargoWindow window, IReadOnlyList<EmbargoExtension> extensions)
        {
            var approved = extensions.Where(e => e.IsApproved).OrderBy(e => e.Decision!.DecidedAt).ToList();
            if (approved.Count == 0) return original;
            var asked = approved.Sum(e => (long)e.Request.Days);
            var granted = (int)Math.Min(asked, window.ExtensionCapDays);
            var rule = original.Rule
                + string.Concat(approved.Select(e => $" + {e.Request.Days}-day extension approved {Date(e.Decision!.DecidedAt)}"));
            if (granted < asked)
                rule += granted == 0
                    ? $", not counted: the {profile.Name} profile grants no extensions here"
                    : $", capped at {granted} days by the {profile.Name} profile";
            return new Dated(original.At + Days(granted), rule);
        }

        /// <summary>A fix announced by the deadline and scheduled within the grace after it moves the deadline to that day.</summary>
        public Dated Grace(Dated end, ScheduledFix? scheduled)
        {
            if (profile.ScheduledFixGraceDays is not { } grace || scheduled is null) return end;
            var on = scheduled.ScheduledFor.ToUniversalTime();
            if (scheduled.AnnouncedAt.ToUniversalTime() > end.At || on > end.At + Days(grace)) return end;
            var graced = OffWeekend(new Dated(on,
                $"{end.Rule} + grace until the fix scheduled for {Date(on)} (announced {Date(scheduled.AnnouncedAt.ToUniversalTime())})"));
            // Compared after the weekend move, so a later end never yields an earlier deadline.
            return graced.At > end.At ? graced : end;
        }

        /// <summary>Public disclosure once a fix reached the milestone before the embargo ended.</summary>
        public Dated AfterFix(DateTimeOffset fixAt, string fixWord, Dated original, Dated end)
        {
            var adoption = profile.PublicDaysAfterFix;
            if (adoption == 0)
                return new Dated(fixAt, $"{fixWord} {Date(fixAt)}, before the embargo's end on {Date(end.At)}");
            var afterFix = new Dated(fixAt + Days(adoption), $"{adoption} days after the {fixWord} ({Date(fixAt)})");
            var byOriginal = original.At + Days(adoption);
            if (profile.ExtensionUsesAdoptionPeriod && afterFix.At > byOriginal)
                // An extension longer than the adoption period must still not pull disclosure before its own end.
                afterFix = byOriginal >= end.At
                    ? new Dated(byOriginal,
                        $"{adoption} days after the original deadline ({Date(original.At)}), the {fixWord} ({Date(fixAt)}) " +
                        "having come in the extension")
                    : afterFix.At > end.At
                    ? new Dated(end.At, $"the end of the extended embargo ({end.Rule}), the {fixWord} ({Date(fixAt)}) having come in the extension")
                    : afterFix;
            return OffWeekend(afterFix);
        }

        public Dated OffWeekend(Dated deadline)
        {
            if (!profile.WeekendMovesToMonday) return deadline;
            var moved = NextWorkingDay(deadline.At, _zone);
            if (moved == deadline.At) return deadline;
            var day = TimeZoneInfo.ConvertTime(deadline.At, _zone).DayOfWeek;
            var to = TimeZoneInfo.ConvertTime(moved, _zone).DayOfWeek;
            return new Dated(moved, $"{deadline.Rule}, moved from {day} {Date(deadline.At)} to {to} {Date(moved)} (weekend)");
        }
    }
}
