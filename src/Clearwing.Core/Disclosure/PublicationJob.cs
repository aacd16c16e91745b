using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using Clearwing.Storage.Jobs;

namespace Clearwing.Disclosure;

/// <summary>
/// A publication round as a queue job (docs/advisories.md, "Publication"): it publishes what is due — scheduled advisories and cases
/// past their public disclosure deadline — then queues the next round for the next instant something falls due, and at least
/// hourly (a deadline brought forward by a clock fact is found within the hour). Rounds are keyed by their minute, so one runs
/// per minute however many hosts queue it; a publication is one transaction, so a round run twice publishes nothing twice.
/// </summary>
public sealed class PublicationJob(AdvisoryStore store, JobQueue queue, TimeProvider time) : IJobHandler, IRecurringJob
{
    public const string JobKind = "publish";

    public string Kind => JobKind;

    public async Task RunAsync(Job job, CancellationToken ct)
    {
        await store.PublishDueAsync(time.GetUtcNow(), ct);
        await ScheduleAsync(ct);
    }

    public async Task ScheduleAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var hour = Minute(now.AddHours(1));
        var next = await store.NextDueAsync(now, ct) is { } due && Minute(due) < hour ? Minute(due) : hour;
        await queue.EnqueueAsync(JobKind, Payload(next), Options(next), ct);
    }

    /// <summary>Queues a round for <paramref name="at"/> inside the transaction that scheduled something for then.</summary>
    internal static Task EnqueueRoundAsync(JobQueue queue, DbConnection connection, DbTransaction tx, DateTimeOffset at, CancellationToken ct) =>
        queue.EnqueueAsync(connection, tx, JobKind, Payload(Minute(at)), Options(Minute(at)), ct);

    /// <summary>The first whole minute at or after <paramref name="at"/>: a round at 10:00:30 would find a 10:00:30 schedule due.</summary>
    static DateTimeOffset Minute(DateTimeOffset at)
    {
        var floor = new DateTimeOffset(at.UtcDateTime.Ticks / TimeSpan.TicksPerMinute * TimeSpan.TicksPerMinute, TimeSpan.Zero);
        return floor == at ? floor : floor.AddMinutes(1);
    }

    static string Stamp(DateTimeOffset at) => at.ToString("yyyy-MM-ddTHH:mmZ", CultureInfo.InvariantCulture);

    static string Payload(DateTimeOffset at) => JsonSerializer.Serialize(new { round = Stamp(at) });

    static EnqueueOptions Options(DateTimeOffset at) => new() { RunAfter = at, IdempotencyKey = "publish@" + Stamp(at), MaxAttempts = 3 };
}
