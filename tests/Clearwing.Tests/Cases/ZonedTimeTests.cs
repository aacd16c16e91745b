using Clearwing.Cases;
using static Clearwing.Tests.Cases.Some;

namespace Clearwing.Tests.Cases;

public sealed class ZonedTimeTests
{
    [Theory]
    [InlineData("UTC", "2026-04-06T09:00:00+00:00")]
    [InlineData("Europe/Berlin", "2026-04-06T11:00:00+02:00")]
    [InlineData("America/Los_Angeles", "2026-04-06T02:00:00-07:00")]
    [InlineData("Asia/Kolkata", "2026-04-06T14:30:00+05:30")]
    [InlineData("Pacific/Auckland", "2026-04-06T21:00:00+12:00")]
    public void An_instant_is_shown_in_the_zone_with_its_offset(string zone, string shown)
    {
        Assert.Equal(shown, ZonedTime.Format(At("2026-04-06T09:00Z"), Zone(zone)));
    }

    [Fact]
    public void The_shown_text_parses_back_to_the_same_instant()
    {
        var instant = At("2026-10-25T00:30Z");
        Assert.Equal(instant, DateTimeOffset.Parse(ZonedTime.Format(instant, Zone("Europe/Berlin")), System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void An_unknown_zone_is_refused_naming_it()
    {
        Assert.Equal("unknown time zone 'Europe/Atlantis' (expected an IANA id such as 'UTC' or 'Europe/Berlin')", ZonedTime.FindZone("Europe/Atlantis").Error);
        Assert.NotNull(ZonedTime.FindZone("").Error);
    }
}
