using Clearwing.Cases;
using static Clearwing.Tests.Cases.Some;

namespace Clearwing.Tests.Cases;

public sealed class EmbargoClockTests
{
    // 2026-01-06 is a Tuesday; 90 days later, 2026-04-06, is a Monday, so no weekend rule gets in the way.
    const string Tuesday = "2026-01-06T09:00Z";
    static readonly DateTimeOffset Notification = At(Tuesday);
    static readonly DateTimeOffset Early = At("2026-01-10T00:00Z");

    static readonly DisclosureProfile OssFuzz = DisclosureProfiles.OssFuzz;
    static readonly DisclosureProfile ProjectZero = DisclosureProfiles.ProjectZero;
    static readonly DisclosureProfile Coordinator = DisclosureProfiles.Coordinator;

    static Deadline Public(DisclosureProfile profile, CaseTimeline timeline, DateTimeOffset? now = null) =>
        Only(EmbargoClock.Compute(profile, timeline, now ?? Early), DeadlineKind.PublicDisclosure);

    [Fact]
    public void Without_a_notification_the_clock_has_not_started()
    {
        Assert.Empty(EmbargoClock.Compute(Coordinator, new CaseTimeline { FixLanded = Notification }, Early));
    }

    // ---- OSS-Fuzz

    [Fact]
    public void OssFuzz_goes_public_90_days_after_notification()
    {
        var deadline = Public(OssFuzz, Notified(Tuesday));

        Assert.Equal(At("2026-04-06T09:00Z"), deadline.At);
        Assert.Equal("90 days after notification (2026-01-06)", deadline.Rule);
        Assert.Equal(DeadlineStatus.Upcoming, deadline.Status);
        Assert.Single(EmbargoClock.Compute(OssFuzz, Notified(Tuesday), Early));
    }

    [Fact]
    public void OssFuzz_goes_public_when_the_fix_is_verified_if_that_comes_first()
    {
        var timeline = Notified(Tuesday) with { FixLanded = At("2026-02-09T12:00Z"), FixVerified = At("2026-02-10T15:30Z") };

        var deadline = Public(OssFuzz, timeline);

        Assert.Equal(At("2026-02-10T15:30Z"), deadline.At);
        Assert.Equal("fix verified 2026-02-10, before the embargo's end on 2026-04-06", deadline.Rule);
    }

    [Fact]
    public void OssFuzz_does_not_end_the_embargo_on_a_fix_that_is_not_verified()
    {
        Assert.Equal(At("2026-04-06T09:00Z"), Public(OssFuzz, Notified(Tuesday) with { FixLanded = At("2026-02-09T12:00Z") }).At);
    }

    [Fact]
    public void OssFuzz_waits_for_a_fix_scheduled_within_14_days_after_the_deadline()
    {
        var timeline = Notified(Tuesday) with { FixScheduled = new ScheduledFix(At("2026-04-01T08:00Z"), At("2026-04-15T09:00Z")) };

        var deadline = Public(OssFuzz, timeline);

        Assert.Equal(At("2026-04-15T09:00Z"), deadline.At);
        Assert.Equal("90 days after notification (2026-01-06) + grace until the fix scheduled for 2026-04-15 (announced 2026-04-01)", deadline.Rule);
    }

    [Theory]
    [InlineData("2026-04-01T08:00Z", "2026-04-21T09:00Z")] // scheduled beyond the 14 days
    [InlineData("2026-04-07T08:00Z", "2026-04-15T09:00Z")] // announced after the deadline
    [InlineData("2026-03-01T08:00Z", "2026-04-03T09:00Z")] // scheduled before the deadline: nothing to wait for
    public void OssFuzz_grants_no_grace_outside_its_terms(string announced, string scheduledFor)
    {
        var timeline = Notified(Tuesday) with { FixScheduled = new ScheduledFix(At(announced), At(scheduledFor)) };

        Assert.Equal(At("2026-04-06T09:00Z"), Public(OssFuzz, timeline).At);
    }

    [Fact]
    public void OssFuzz_verified_fix_during_the_grace_ends_the_embargo_then()
    {
        var timeline = Notified(Tuesday) with
        {
            FixScheduled = new ScheduledFix(At("2026-04-01T08:00Z"), At("2026-04-15T09:00Z")),
            FixVerified = At("2026-04-10T11:00Z"),
        };

        Assert.Equal(At("2026-04-10T11:00Z"), Public(OssFuzz, timeline).At);
    }

    [Fact]
    public void OssFuzz_moves_a_Saturday_deadline_to_Monday_at_the_same_time()
    {
        // Notified Sunday 2026-01-04; 90 days later is Saturday 2026-04-04.
        var deadline = Public(OssFuzz, Notified("2026-01-04T09:00Z"));

        Assert.Equal(At("2026-04-06T09:00Z"), deadline.At);
        Assert.Equal("90 days after notification (2026-01-04), moved from Saturday 2026-04-04 to Monday 2026-04-06 (weekend)", deadline.Rule);
    }

    [Fact]
    public void OssFuzz_moves_a_Sunday_deadline_to_Monday_at_the_same_time()
    {
        var deadline = Public(OssFuzz, Notified("2026-01-05T09:00Z"));

        Assert.Equal(At("2026-04-06T09:00Z"), deadline.At);
        Assert.EndsWith("moved from Sunday 2026-04-05 to Monday 2026-04-06 (weekend)", deadline.Rule);
    }

    [Fact]
    public void A_Friday_evening_in_UTC_that_is_Saturday_in_Berlin_moves_only_under_a_Berlin_profile()
    {
        // 2026-04-03T23:30Z is Friday in UTC and Saturday 01:30 (+02:00) in Berlin.
        var timeline = Notified("2026-01-03T23:30Z");
        var berlin = OssFuzz with { TimeZone = "Europe/Berlin" };

        Assert.Equal(At("2026-04-03T23:30Z"), Public(OssFuzz, timeline).At);
        var moved = Public(berlin, timeline);
        Assert.Equal(At("2026-04-05T23:30Z"), moved.At);
        Assert.Equal("2026-04-06T01:30:00+02:00", ZonedTime.Format(moved.At, Zone("Europe/Berlin")));
        Assert.EndsWith("moved from Saturday 2026-04-04 to Monday 2026-04-06 (weekend)", moved.Rule);
    }

    [Fact]
    public void A_Sunday_night_in_UTC_that_is_Monday_in_Berlin_moves_only_under_a_UTC_profile()
    {
        // 2026-04-05T23:00Z is Sunday in UTC and Monday 01:00 in Berlin.
        var timeline = Notified("2026-01-05T23:00Z");

        Assert.Equal(At("2026-04-06T23:00Z"), Public(OssFuzz, timeline).At);
        Assert.Equal(At("2026-04-05T23:00Z"), Public(OssFuzz with { TimeZone = "Europe/Berlin" }, timeline).At);
    }

    [Fact]
    public void A_Saturday_in_UTC_that_is_Friday_in_Los_Angeles_does_not_move_there()
    {
        // 2026-04-04T03:00Z is Friday 20:00 (-07:00) in Los Angeles.
        var timeline = Notified("2026-01-04T03:00Z");

        Assert.Equal(At("2026-04-06T03:00Z"), Public(OssFuzz, timeline).At);
        Assert.Equal(At("2026-04-04T03:00Z"), Public(OssFuzz with { TimeZone = "America/Los_Angeles" }, timeline).At);
    }

    // ---- Time zones and DST

    [Fact]
    public void Ninety_days_across_a_DST_change_are_exactly_2160_hours_and_show_the_new_offset()
    {
        var berlin = Coordinator with { TimeZone = "Europe/Berlin" };
        var deadline = Public(berlin, Notified("2026-01-05T09:00Z"));

        Assert.Equal(TimeSpan.FromHours(2160), deadline.At - At("2026-01-05T09:00Z"));
        Assert.Equal(TimeSpan.Zero, deadline.At.Offset);
        Assert.Equal("2026-01-05T10:00:00+01:00", ZonedTime.Format(At("2026-01-05T09:00Z"), Zone("Europe/Berlin")));
        Assert.Equal("2026-04-05T11:00:00+02:00", ZonedTime.Format(deadline.At, Zone("Europe/Berlin")));
    }

    [Fact]
    public void The_same_case_has_the_same_deadline_instant_in_every_zone()
    {
        var timeline = Notified("2026-01-05T09:00Z") with { FixLanded = At("2026-02-20T17:00Z") };
        var instants = new[] { "UTC", "Europe/Berlin", "America/Los_Angeles", "Asia/Kolkata", "Pacific/Auckland" }
            .Select(zone => EmbargoClock.Compute(Coordinator with { TimeZone = zone }, timeline, Early).Select(d => d.At).ToList());

        Assert.Single(instants.DistinctBy(list => string.Join(",", list)));
    }

    [Fact]
    public void A_weekend_move_across_spring_forward_keeps_48_exact_hours()
    {
        // Saturday 2026-03-28 10:00 CET; Berlin springs forward on Sunday the 29th.
        var berlin = OssFuzz with { TimeZone = "Europe/Berlin" };
        var deadline = Public(berlin, Notified("2025-12-28T09:00Z"));

        Assert.Equal(At("2026-03-30T09:00Z"), deadline.At);
        Assert.Equal("2026-03-30T11:00:00+02:00", ZonedTime.Format(deadline.At, Zone("Europe/Berlin")));
    }

    [Fact]
    public void A_weekend_move_across_fall_back_keeps_48_exact_hours()
    {
        // Saturday 2026-10-24 10:00 CEST; Berlin falls back on Sunday the 25th.
        var berlin = OssFuzz with { TimeZone = "Europe/Berlin" };
        var deadline = Public(berlin, Notified("2026-07-26T08:00Z"));

        Assert.Equal(At("2026-10-26T08:00Z"), deadline.At);
        Assert.Equal("2026-10-26T09:00:00+01:00", ZonedTime.Format(deadline.At, Zone("Europe/Berlin")));
    }

    // ---- Project Zero 90+30

    [Theory]
    [InlineData(47, 77)]  // the policy's own examples
    [InlineData(83, 113)]
    [InlineData(90, 120)]
    public void ProjectZero_goes_public_30_days_after_a_fix_within_90_days(int fixDay, int publicDay)
    {
        var deadline = Public(ProjectZero, Notified(Tuesday) with { FixLanded = Day(Notification, fixDay) });

        Assert.Equal(Day(Notification, publicDay), deadline.At);
        Assert.Equal($"30 days after the fix landed ({ZonedTime.Date(Day(Notification, fixDay), TimeZoneInfo.Utc)})", deadline.Rule);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(91)]
    public void ProjectZero_goes_public_at_90_days_without_a_fix_by_then(int? fixDay)
    {
        var timeline = Notified(Tuesday) with { FixLanded = fixDay is { } d ? Day(Notification, d) : null };

        var deadline = Public(ProjectZero, timeline);

        Assert.Equal(Day(Notification, 90), deadline.At);
        Assert.Equal("90 days after notification (2026-01-06)", deadline.Rule);
        Assert.Single(EmbargoClock.Compute(ProjectZero, timeline, Early));
    }

    [Theory]
    [InlineData(100, 120)] // a fix in the grace period: public at day 120, not fix + 30
    [InlineData(110, 104)] // the grace ran out without a fix
    public void ProjectZero_grace_of_14_days_on_request_uses_up_the_adoption_period(int fixDay, int publicDay)
    {
        var timeline = Notified(Tuesday) with { FixLanded = Day(Notification, fixDay), Extensions = [Extension(14, ExtensionVerdict.Approved)] };

        Assert.Equal(Day(Notification, publicDay), Public(ProjectZero, timeline).At);
    }

    [Fact]
    public void ProjectZero_in_the_wild_goes_public_at_7_days_or_30_after_a_fix_within_them()
    {
        var wild = Notified(Tuesday) with { ExploitedInTheWild = Notification };

        Assert.Equal(Day(Notification, 7), Public(ProjectZero, wild).At);
        Assert.Equal("7 days after notification (2026-01-06), exploited in the wild", Public(ProjectZero, wild).Rule);
        Assert.Equal(Day(Notification, 35), Public(ProjectZero, wild with { FixLanded = Day(Notification, 5) }).At);
        Assert.Equal(Day(Notification, 7), Public(ProjectZero, wild with { FixLanded = Day(Notification, 8) }).At);
        // A 3-day grace at most, and a fix in it goes public 30 days after the original 7.
        var graced = wild with { FixLanded = Day(Notification, 9), Extensions = [Extension(14, ExtensionVerdict.Approved)] };
        Assert.Equal(Day(Notification, 37), Public(ProjectZero, graced).At);
    }

    [Fact]
    public void Exploitation_found_later_restarts_a_7_day_clock_from_its_detection()
    {
        var timeline = Notified(Tuesday) with { ExploitedInTheWild = Day(Notification, 20) };

        var deadline = Public(ProjectZero, timeline);

        Assert.Equal(Day(Notification, 27), deadline.At);
        Assert.Equal("7 days after exploitation in the wild was detected (2026-01-26)", deadline.Rule);
        // Detected 2 days before the regular deadline: the regular deadline stays.
        Assert.Equal(Day(Notification, 90), Public(ProjectZero, timeline with { ExploitedInTheWild = Day(Notification, 88) }).At);
    }

    // ---- The coordinator profile

    [Fact]
    public void Coordinator_without_a_fix_publishes_case_and_details_at_90_days_and_escalates_at_30()
    {
        var deadlines = EmbargoClock.Compute(Coordinator, Notified(Tuesday), Early);

        Assert.Equal([DeadlineKind.PublicDisclosure, DeadlineKind.TechnicalDetails, DeadlineKind.Escalation], deadlines.Select(d => d.Kind));
        Assert.Equal(Day(Notification, 90), deadlines[0].At);
        Assert.Equal(Day(Notification, 90), deadlines[1].At);
        Assert.Equal("with the public disclosure, no fix having landed: 90 days after notification (2026-01-06)", deadlines[1].Rule);
        Assert.Equal(Day(Notification, 30), deadlines[2].At);
        Assert.Equal("30 days after notification (2026-01-06) without a maintainer response", deadlines[2].Rule);
    }

    [Fact]
    public void Coordinator_publishes_at_the_fix_and_holds_details_until_45_days_after_it()
    {
        var timeline = Notified(Tuesday) with { MaintainerFirstResponse = Day(Notification, 2), FixLanded = Day(Notification, 80) };

        var deadlines = EmbargoClock.Compute(Coordinator, timeline, Early);

        Assert.Equal(Day(Notification, 80), Only(deadlines, DeadlineKind.PublicDisclosure).At);
        var details = Only(deadlines, DeadlineKind.TechnicalDetails);
        Assert.Equal(Day(Notification, 125), details.At);
        Assert.Equal("45 days after the fix landed (2026-03-27)", details.Rule);
    }

    [Fact]
    public void Coordinator_details_after_a_fix_that_came_too_late_go_with_the_disclosure()
    {
        var deadlines = EmbargoClock.Compute(Coordinator, Notified(Tuesday) with { FixLanded = Day(Notification, 95) }, Early);

        var details = Only(deadlines, DeadlineKind.TechnicalDetails);
        Assert.Equal(Day(Notification, 90), details.At);
        Assert.StartsWith("with the public disclosure, the fix landed (2026-04-11) having come after the embargo ended", details.Rule);
    }

    [Fact]
    public void Coordinator_extension_approved_adds_14_days_and_says_when()
    {
        var timeline = Notified(Tuesday) with { Extensions = [Extension(14, ExtensionVerdict.Approved)] };

        var deadline = Public(Coordinator, timeline);

        Assert.Equal(Day(Notification, 104), deadline.At);
        Assert.Equal("90 days after notification (2026-01-06) + 14-day extension approved 2026-03-20", deadline.Rule);
    }

    [Fact]
    public void Coordinator_extension_refused_or_pending_changes_nothing()
    {
        Assert.Equal(Day(Notification, 90), Public(Coordinator, Notified(Tuesday) with { Extensions = [Extension(14, ExtensionVerdict.Refused)] }).At);
        Assert.Equal(Day(Notification, 90), Public(Coordinator, Notified(Tuesday) with { Extensions = [Extension(14, null)] }).At);
    }

    [Fact]
    public void Coordinator_extensions_over_the_cap_count_up_to_14_days()
    {
        var timeline = Notified(Tuesday) with
        {
            Extensions = [Extension(10, ExtensionVerdict.Approved, "2026-03-20T10:00Z"), Extension(10, ExtensionVerdict.Approved, "2026-03-30T10:00Z")],
        };

        var deadline = Public(Coordinator, timeline);

        Assert.Equal(Day(Notification, 104), deadline.At);
        Assert.Equal(
            "90 days after notification (2026-01-06) + 10-day extension approved 2026-03-20 + 10-day extension approved 2026-03-30, capped at 14 days by the coordinator profile",
            deadline.Rule);
        Assert.Equal(0, EmbargoClock.ExtensionDaysLeft(Coordinator, timeline));
        Assert.Equal(4, EmbargoClock.ExtensionDaysLeft(Coordinator, Notified(Tuesday) with { Extensions = [Extension(10, ExtensionVerdict.Approved)] }));
    }

    [Fact]
    public void Coordinator_with_a_fix_in_the_extension_publishes_at_the_fix()
    {
        var timeline = Notified(Tuesday) with { FixLanded = Day(Notification, 100), Extensions = [Extension(14, ExtensionVerdict.Approved)] };

        Assert.Equal(Day(Notification, 100), Public(Coordinator, timeline).At);
        Assert.Equal(Day(Notification, 145), Only(EmbargoClock.Compute(Coordinator, timeline, Early), DeadlineKind.TechnicalDetails).At);
    }

    [Fact]
    public void Coordinator_in_the_wild_is_7_days_plus_7_on_request()
    {
        var wild = Notified(Tuesday) with { ExploitedInTheWild = Notification };

        Assert.Equal(Day(Notification, 7), Public(Coordinator, wild).At);
        Assert.Equal(Day(Notification, 14), Public(Coordinator, wild with { Extensions = [Extension(7, ExtensionVerdict.Approved)] }).At);
        Assert.Equal(Day(Notification, 14), Public(Coordinator, wild with { Extensions = [Extension(14, ExtensionVerdict.Approved)] }).At);
        Assert.Equal(7, EmbargoClock.ExtensionDaysLeft(Coordinator, wild));
    }

    [Fact]
    public void OssFuzz_counts_no_extension_and_says_so()
    {
        var deadline = Public(OssFuzz, Notified(Tuesday) with { Extensions = [Extension(14, ExtensionVerdict.Approved)] });

        Assert.Equal(Day(Notification, 90), deadline.At);
        Assert.EndsWith("+ 14-day extension approved 2026-03-20, not counted: the oss-fuzz profile grants no extensions here", deadline.Rule);
    }

    [Fact]
    public void No_escalation_once_the_maintainer_responded_in_time()
    {
        var deadlines = EmbargoClock.Compute(Coordinator, Notified(Tuesday) with { MaintainerFirstResponse = Day(Notification, 29) }, Early);

        Assert.DoesNotContain(deadlines, d => d.Kind == DeadlineKind.Escalation);
    }

    [Fact]
    public void A_late_first_response_leaves_the_escalation_breached()
    {
        var response = Day(Notification, 35);
        var escalation = Only(EmbargoClock.Compute(Coordinator, Notified(Tuesday) with { MaintainerFirstResponse = response }, Day(Notification, 40)),
            DeadlineKind.Escalation);

        Assert.Equal((DeadlineStatus.Breached, response, false), (escalation.Status, escalation.DischargedAt, escalation.IsOpen));
    }

    // ---- Status relative to now

    [Theory]
    [InlineData(10, DeadlineStatus.Upcoming)]
    [InlineData(83, DeadlineStatus.Upcoming)]  // 7 days and a minute before
    [InlineData(84, DeadlineStatus.DueSoon)]   // 6 days before
    [InlineData(90, DeadlineStatus.Breached)]  // at the instant
    [InlineData(120, DeadlineStatus.Breached)]
    public void Status_follows_now(int nowDay, DeadlineStatus expected)
    {
        var now = Day(Notification, nowDay) - (nowDay == 83 ? TimeSpan.FromMinutes(1) : TimeSpan.Zero);

        Assert.Equal(expected, Public(Coordinator, Notified(Tuesday), now).Status);
    }

    [Fact]
    public void Disclosure_on_time_is_met_and_late_disclosure_stays_breached()
    {
        var onTime = Public(Coordinator, Notified(Tuesday) with { Disclosed = Day(Notification, 90) }, Day(Notification, 200));
        var late = Public(Coordinator, Notified(Tuesday) with { Disclosed = Day(Notification, 95) }, Day(Notification, 200));

        Assert.Equal((DeadlineStatus.Met, false), (onTime.Status, onTime.IsOpen));
        Assert.Equal((DeadlineStatus.Breached, false), (late.Status, late.IsOpen));
    }

    [Fact]
    public void Details_published_on_time_are_met()
    {
        var timeline = Notified(Tuesday) with { FixLanded = Day(Notification, 40), Disclosed = Day(Notification, 41), DetailsPublished = Day(Notification, 85) };

        var deadlines = EmbargoClock.Compute(Coordinator, timeline, Day(Notification, 100));

        Assert.Equal(DeadlineStatus.Met, Only(deadlines, DeadlineKind.TechnicalDetails).Status);
        Assert.Equal(DeadlineStatus.Breached, Only(deadlines, DeadlineKind.PublicDisclosure).Status); // a day late
    }

    [Fact]
    public void Instants_given_with_an_offset_are_computed_and_returned_in_UTC()
    {
        var deadline = Public(Coordinator, new CaseTimeline { Notified = At("2026-01-06T10:00+01:00") });

        Assert.Equal(TimeSpan.Zero, deadline.At.Offset);
        Assert.Equal(At("2026-04-06T09:00Z"), deadline.At);
    }
}
