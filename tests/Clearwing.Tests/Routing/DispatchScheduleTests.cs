using Clearwing.Routing;
using CsCheck;

namespace Clearwing.Tests.Routing;

public sealed class DispatchScheduleTests
{
    [Fact]
    public void Rounds_fall_on_the_hour_the_same_for_every_host()
    {
        var hourly = DispatchSchedule.Hourly;
        Assert.Equal(new DateTimeOffset(2026, 12, 7, 10, 0, 0, TimeSpan.Zero), hourly.NextAfter(new DateTimeOffset(2026, 12, 7, 9, 5, 0, TimeSpan.Zero)));
        // On the hour itself, the next round is the next hour's: a round never queues itself again.
        Assert.Equal(new DateTimeOffset(2026, 12, 7, 11, 0, 0, TimeSpan.Zero), hourly.NextAfter(new DateTimeOffset(2026, 12, 7, 10, 0, 0, TimeSpan.Zero)));
        Assert.Null(new DispatchSchedule(null).NextAfter(DateTimeOffset.UnixEpoch));
    }

    [Fact]
    public void The_next_round_is_after_now_within_one_period_and_on_the_grid()
    {
        Gen.Select(Gen.Long[0, 4_000_000_000_000L], Gen.Int[1, 7 * 24 * 60]).Sample((ms, minutes) =>
        {
            var now = DateTimeOffset.FromUnixTimeMilliseconds(ms);
            var every = TimeSpan.FromMinutes(minutes);
            var next = new DispatchSchedule(every).NextAfter(now)!.Value;
            Assert.True(next > now && next - now <= every);
            Assert.Equal(0, (next - DateTimeOffset.UnixEpoch).Ticks % every.Ticks);
        }, iter: 10_000);
    }

    [Theory]
    [InlineData(null, 60)]
    [InlineData("", 60)]
    [InlineData("15", 15)]
    [InlineData(" 0 ", null)]
    public void The_schedule_comes_from_CLEARWING_DISPATCH_EVERY(string? value, int? minutes) =>
        Assert.Equal(minutes is { } m ? TimeSpan.FromMinutes(m) : null, DispatchSchedule.FromEnvironment(_ => value).Every);

    [Theory]
    [InlineData("hourly")]
    [InlineData("-5")]
    [InlineData("10081")]
    public void A_malformed_schedule_is_refused_naming_the_variable(string value)
    {
        var e = Assert.Throws<BadInputException>(() => DispatchSchedule.FromEnvironment(_ => value));
        Assert.StartsWith($"CLEARWING_DISPATCH_EVERY='{value}'", e.Message, StringComparison.Ordinal);
    }
}
