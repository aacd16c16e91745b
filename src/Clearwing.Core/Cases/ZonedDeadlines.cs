namespace Clearwing.Cases;

/// <summary>A deadline as people read it: its instants as ISO 8601 with the offset of the zone asked for.</summary>
public sealed record ZonedDeadline(DeadlineKind Kind, string At, DeadlineStatus Status, string Rule, string? DischargedAt);

/// <summary>A case's clock facts, each ISO 8601 with the offset of the zone asked for; null = not (yet) happened.</summary>
public sealed record ZonedTimeline(
    string? Notified, string? MaintainerFirstResponse, string? FixAnnouncedAt, string? FixScheduledFor, string? FixLanded,
    string? FixVerified, string? ExploitedInTheWild, string? DetailsPublished, string? Disclosed);

/// <summary>
/// One case's deadlines in a zone: what <c>GET /api/v1/cases/{id}/deadlines</c> returns. <see cref="Now"/> is the
/// instant the statuses were computed at; rule sentences print dates in the profile's zone.
/// </summary>
public sealed record CaseDeadlines(
    string Case, string Project, CaseState State, string Profile, string TimeZone, string Now,
    ZonedTimeline Timeline, IReadOnlyList<ZonedDeadline> Deadlines, int ExtensionDaysLeft)
{
    public static CaseDeadlines From(CaseClock clock, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(clock);
        var t = clock.Timeline;
        string? Show(DateTimeOffset? at) => at is { } a ? ZonedTime.Format(a, zone) : null;
        return new CaseDeadlines(clock.Case, clock.Project, clock.State, clock.Profile.Name, zone.Id, ZonedTime.Format(clock.Now, zone),
            new ZonedTimeline(Show(t.Notified), Show(t.MaintainerFirstResponse), Show(t.FixScheduled?.AnnouncedAt),
                Show(t.FixScheduled?.ScheduledFor), Show(t.FixLanded), Show(t.FixVerified), Show(t.ExploitedInTheWild), Show(t.DetailsPublished),
                Show(t.Disclosed)),
            clock.Deadlines.Select(d => Zoned(d, zone)).ToList(), clock.ExtensionDaysLeft);
    }

    static ZonedDeadline Zoned(Deadline d, TimeZoneInfo zone) =>
        new(d.Kind, ZonedTime.Format(d.At, zone), d.Status, d.Rule, d.DischargedAt is { } at ? ZonedTime.Format(at, zone) : null);
}

/// <summary>One line of the deadline listing in a zone: what <c>GET /api/v1/deadlines</c> and <c>clearwing deadlines --json</c> print.</summary>
public sealed record DeadlineListItem(string Case, string Project, string Profile, DeadlineKind Kind, string At, DeadlineStatus Status, string Rule)
{
    public static DeadlineListItem From(DeadlineEntry entry, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var d = entry.Deadline;
        return new DeadlineListItem(entry.Case, entry.Project, entry.Profile, d.Kind, ZonedTime.Format(d.At, zone), d.Status, d.Rule);
    }

    /// <summary>A page of entries in <paramref name="zone"/>.</summary>
    public static Page<DeadlineListItem> Page(Page<DeadlineEntry> page, TimeZoneInfo zone) =>
        new(page.Items.Select(e => From(e, zone)).ToList(), page.Total, page.Offset, page.Limit);
}

/// <summary>Choosing the zone deadlines are shown in.</summary>
public static class ZonedDeadlines
{
    /// <summary>The zone to show instants in: UTC when none is asked for; an unknown id is refused naming it.</summary>
    public static TimeZoneInfo Zone(string? id)
    {
        if (string.IsNullOrEmpty(id)) return TimeZoneInfo.Utc;
        return ZonedTime.FindZone(id).ValueOrRefuse();
    }
}
