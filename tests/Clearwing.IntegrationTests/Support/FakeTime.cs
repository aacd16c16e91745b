namespace Clearwing.IntegrationTests.Support;

/// <summary>
/// A clock that stands still until a test moves it. Only "now" is fake: timers (Task.Delay with this
/// provider) still run on real time, so a worker polls normally while its leases follow the fake clock.
/// </summary>
public sealed class FakeTime : TimeProvider
{
    /// <summary>A whole millisecond, so times survive the round trip through the store's Unix milliseconds.</summary>
    public static readonly DateTimeOffset Start = new(2026, 11, 2, 9, 0, 0, TimeSpan.Zero);

    long _ticks = Start.UtcTicks;

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
}
