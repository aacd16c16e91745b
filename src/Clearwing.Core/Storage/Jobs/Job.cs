namespace Clearwing.Storage.Jobs;

/// <summary>Where a <see cref="Job"/> is in its life: queued → running → done, or back to queued to retry, or dead.</summary>
public enum JobState { Queued, Running, Done, Dead }

/// <summary>
/// A durable unit of pipeline work (DESIGN.md "Job"), as read from the queue. The payload is JSON the
/// handler of <see cref="Kind"/> understands; keep it to ids, never embargoed text, because it is listed by the CLI.
/// <see cref="Attempts"/> counts claims and, with <see cref="LeaseOwner"/>, fences a lease: a worker may
/// complete or fail only the attempt it claimed.
/// </summary>
public sealed record Job(
    string Id,
    string Kind,
    string Payload,
    JobState State,
    int Attempts,
    int MaxAttempts,
    DateTimeOffset RunAfter,
    string? LeaseOwner,
    DateTimeOffset? LeaseExpires,
    string? LastError,
    string? IdempotencyKey,
    DateTimeOffset CreatedAt,
    DateTimeOffset? CompletedAt);

/// <summary>How to enqueue a <see cref="Job"/>.</summary>
public sealed record EnqueueOptions
{
    /// <summary>Not claimable before this time; default now.</summary>
    public DateTimeOffset? RunAfter { get; init; }

    /// <summary>Claims allowed before the job is dead-lettered; at least 1, default 5.</summary>
    public int MaxAttempts { get; init; } = 5;

    /// <summary>When given, a second enqueue of the same kind and key returns the first job's id and adds nothing.</summary>
    public string? IdempotencyKey { get; init; }
}

/// <summary>
/// Runs the jobs of one kind. Handlers are the process boundary (sandboxes, mail, HTTP), so they may run
/// more than once for one job (after a lost lease) and must be idempotent; only completion is exactly once.
/// </summary>
public interface IJobHandler
{
    string Kind { get; }

    /// <summary>Does the work; throwing fails the attempt. <paramref name="ct"/> fires on shutdown or when the lease is lost.</summary>
    Task RunAsync(Job job, CancellationToken ct);
}

/// <summary>
/// A handler whose jobs come round on their own (dispatch rounds): each host that runs workers asks it to queue its next job
/// when it starts, and the job queues the one after when it runs. The next job has an idempotency key of its own instant, so
/// however many hosts start, one job is queued per instant.
/// </summary>
public interface IRecurringJob
{
    /// <summary>Queues the next job unless it is queued already (or the schedule is off).</summary>
    Task ScheduleAsync(CancellationToken ct);
}
