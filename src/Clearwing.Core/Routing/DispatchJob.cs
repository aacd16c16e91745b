using System.Text.Json;
using Clearwing.Access;
using Clearwing.Storage.Jobs;

namespace Clearwing.Routing;

/// <summary>How often the server runs a dispatch round on its own (docs/dispatch.md, "Rounds"); null: never, rounds are run by
/// hand (<c>clearwing dispatch</c>).</summary>
public sealed record DispatchSchedule(TimeSpan? Every)
{
    /// <summary>Hourly: a round is cheap, and a case confirmed at 9:05 reaches its maintainer before 10.</summary>
    public static DispatchSchedule Hourly { get; } = new(TimeSpan.FromHours(1));

    /// <summary>The schedule <c>CLEARWING_DISPATCH_EVERY</c> sets, in minutes (unset or empty: hourly; 0: rounds by hand only);
    /// a malformed value is refused, naming the variable.</summary>
    public static DispatchSchedule FromEnvironment(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (environment("CLEARWING_DISPATCH_EVERY") is not { Length: > 0 } text) return Hourly;
        return int.TryParse(text.Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var minutes)
            && minutes <= 7 * 24 * 60
            ? new DispatchSchedule(minutes == 0 ? null : TimeSpan.FromMinutes(minutes))
            : throw new BadInputException($"CLEARWING_DISPATCH_EVERY='{text}': expected minutes between rounds, from 0 (none) to 10080 (a week).");
    }

    /// <summary>The first instant after <paramref name="now"/> on the schedule's grid (whole multiples of it since the Unix epoch),
    /// so that every host computes the same next round.</summary>
    public DateTimeOffset? NextAfter(DateTimeOffset now) =>
        Every is { Ticks: > 0 } every
            ? DateTimeOffset.UnixEpoch.AddTicks(((now - DateTimeOffset.UnixEpoch).Ticks / every.Ticks + 1) * every.Ticks)
            : null;
}

/// <summary>
/// A dispatch round as a queue job (<see cref="JobKind"/>): it runs as Clearwing's own triager, then queues the next round on the
/// schedule. Run twice (a worker killed after the round), it is just one more round: rounds record only what changed.
/// </summary>
public sealed class DispatchJob(Dispatcher dispatcher, JobQueue queue, TimeProvider time, DispatchSchedule schedule) : IJobHandler, IRecurringJob
{
    public const string JobKind = "dispatch";

    /// <summary>Who runs the scheduled rounds, as decisions and the audit chain name it.</summary>
    internal static readonly Caller Rounds = new(0, "clearwing", OrgKind.Coordinator, Role.Triager, "clearwing:dispatch");

    public string Kind => JobKind;

    public async Task RunAsync(Job job, CancellationToken ct)
    {
        await dispatcher.RunAsync(Rounds, null, ct);
        await ScheduleAsync(ct);
    }

    public async Task ScheduleAsync(CancellationToken ct)
    {
        if (schedule.NextAfter(time.GetUtcNow()) is not { } next) return;
        var at = next.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
        await queue.EnqueueAsync(JobKind, JsonSerializer.Serialize(new { round = at }),
            new EnqueueOptions { RunAfter = next, IdempotencyKey = "round@" + at, MaxAttempts = 3 }, ct);
    }
}
