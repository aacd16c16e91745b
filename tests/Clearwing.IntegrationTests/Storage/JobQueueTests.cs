using System.Collections.Concurrent;
using Clearwing.IntegrationTests.Support;
using Clearwing.Storage;
using Clearwing.Storage.Jobs;

namespace Clearwing.IntegrationTests.Storage;

/// <summary>The job queue's contract, run against both engines.</summary>
public sealed class JobQueueTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;
    static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);
    const string Payload = """{"caseId":"c1"}""";

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task An_enqueued_job_is_claimed_once_and_completed_once(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var time = new FakeTime();
        var queue = new JobQueue(db, time);

        var id = await queue.EnqueueAsync("notify", Payload, ct: Ct);
        var job = await queue.ClaimAsync("w1", null, Lease, Ct);

        Assert.NotNull(job);
        Assert.Equal((id, "notify", Payload, JobState.Running, 1, "w1"), (job.Id, job.Kind, job.Payload, job.State, job.Attempts, job.LeaseOwner));
        Assert.Equal(FakeTime.Start + Lease, job.LeaseExpires);
        Assert.Null(await queue.ClaimAsync("w2", null, Lease, Ct));
        Assert.True(await queue.CompleteAsync(job, "w1", Ct));
        Assert.False(await queue.CompleteAsync(job, "w1", Ct));
        var done = await queue.GetAsync(id, Ct);
        Assert.Equal((JobState.Done, FakeTime.Start), (done!.State, done.CompletedAt));
        Assert.Null(await queue.ClaimAsync("w2", null, Lease, Ct));
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_claim_takes_only_due_jobs_of_the_requested_kinds_longest_due_first(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var time = new FakeTime();
        var queue = new JobQueue(db, time);
        var later = await queue.EnqueueAsync("verify", Payload, new EnqueueOptions { RunAfter = FakeTime.Start.AddMinutes(5) }, Ct);
        var notify = await queue.EnqueueAsync("notify", Payload, ct: Ct);
        time.Advance(TimeSpan.FromSeconds(1));
        var verify = await queue.EnqueueAsync("verify", Payload, ct: Ct);

        Assert.Null(await queue.ClaimAsync("w1", ["publish"], Lease, Ct));
        Assert.Null(await queue.ClaimAsync("w1", [], Lease, Ct));
        var first = await queue.ClaimAsync("w1", ["verify"], Lease, Ct);
        Assert.Equal(verify, first?.Id);
        Assert.Null(await queue.ClaimAsync("w1", ["verify"], Lease, Ct));
        var second = await queue.ClaimAsync("w1", null, Lease, Ct);
        Assert.Equal(notify, second?.Id);
        Assert.True(await queue.CompleteAsync(first!, "w1", Ct) && await queue.CompleteAsync(second!, "w1", Ct));
        time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(later, (await queue.ClaimAsync("w1", ["notify", "verify"], Lease, Ct))?.Id);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_failing_job_is_retried_after_backoff_and_dead_lettered_with_its_error_after_max_attempts(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var time = new FakeTime();
        var queue = new JobQueue(db, time);
        var id = await queue.EnqueueAsync("reproduce", Payload, new EnqueueOptions { MaxAttempts = 3 }, Ct);

        for (var attempt = 1; attempt <= 3; attempt++)
        {
            var job = await queue.ClaimAsync("w1", null, Lease, Ct);
            Assert.Equal((id, attempt), (job?.Id, job?.Attempts));
            Assert.True(await queue.FailAsync(job!, "w1", $"boom {attempt}", Ct));
            var failed = (await queue.GetAsync(id, Ct))!;
            Assert.Equal($"boom {attempt}", failed.LastError);
            if (attempt == 3)
            {
                Assert.Equal((JobState.Dead, time.GetUtcNow()), (failed.State, failed.CompletedAt));
                break;
            }
            var backoff = TimeSpan.FromSeconds(Math.Pow(2, attempt));
            Assert.Equal(JobState.Queued, failed.State);
            Assert.InRange(failed.RunAfter, time.GetUtcNow() + backoff / 2, time.GetUtcNow() + backoff);
            Assert.Null(await queue.ClaimAsync("w1", null, Lease, Ct));
            time.Advance(backoff);
        }

        time.Advance(TimeSpan.FromDays(1));
        Assert.Null(await queue.ClaimAsync("w1", null, Lease, Ct));
        Assert.Equal([id], (await queue.ListAsync(JobState.Dead, ct: Ct)).Select(j => j.Id));
        Assert.Equal(1, (await queue.CountAsync(Ct))[JobState.Dead]);

        Assert.True(await queue.RetryDeadAsync(id, Ct));
        Assert.False(await queue.RetryDeadAsync(id, Ct));
        var retried = await queue.ClaimAsync("w1", null, Lease, Ct);
        Assert.Equal((id, 1), (retried?.Id, retried?.Attempts));
    }

    [Fact]
    public void Backoff_doubles_per_attempt_is_capped_and_jitters_between_half_and_all_of_it()
    {
        Assert.Equal(TimeSpan.FromSeconds(1), JobQueue.Backoff(1, 0));
        Assert.Equal(TimeSpan.FromSeconds(8), JobQueue.Backoff(4, 0));
        Assert.Equal(TimeSpan.FromSeconds(6), JobQueue.Backoff(3, 0.5));
        Assert.InRange(JobQueue.Backoff(40, 0.999999999), JobQueue.MaxBackoff - TimeSpan.FromMilliseconds(1), JobQueue.MaxBackoff);
        Assert.Equal(JobQueue.MaxBackoff / 2, JobQueue.Backoff(1000, 0));
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task An_idempotency_key_dedups_enqueues_of_the_same_kind_only(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var queue = new JobQueue(db, new FakeTime());
        var once = new EnqueueOptions { IdempotencyKey = "case-c1-notify" };

        var first = await queue.EnqueueAsync("notify", Payload, once, Ct);
        var again = await queue.EnqueueAsync("notify", """{"caseId":"other"}""", once, Ct);
        var otherKind = await queue.EnqueueAsync("publish", Payload, once, Ct);
        var noKey1 = await queue.EnqueueAsync("notify", Payload, ct: Ct);
        var noKey2 = await queue.EnqueueAsync("notify", Payload, ct: Ct);

        Assert.Equal(first, again);
        Assert.Equal(4, new[] { first, otherKind, noKey1, noKey2 }.Distinct().Count());
        Assert.Equal(4, (await queue.CountAsync(Ct))[JobState.Queued]);
        Assert.Equal(Payload, (await queue.GetAsync(first, Ct))!.Payload);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_worker_killed_mid_job_loses_its_lease_and_another_finishes_the_job(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var time = new FakeTime();
        var queue = new JobQueue(db, time);
        var id = await queue.EnqueueAsync("verify", Payload, ct: Ct);
        var killed = (await queue.ClaimAsync("killed", null, Lease, Ct))!;

        time.Advance(Lease - TimeSpan.FromMilliseconds(1));
        Assert.Null(await queue.ClaimAsync("survivor", null, Lease, Ct));
        time.Advance(TimeSpan.FromMilliseconds(1));
        var taken = await queue.ClaimAsync("survivor", null, Lease, Ct);

        Assert.Equal((id, 2, "survivor"), (taken?.Id, taken?.Attempts, taken?.LeaseOwner));
        Assert.False(await queue.ExtendLeaseAsync(killed, "killed", Lease, Ct));
        Assert.False(await queue.CompleteAsync(killed, "killed", Ct));
        Assert.False(await queue.FailAsync(killed, "killed", "late", Ct));
        Assert.True(await queue.CompleteAsync(taken!, "survivor", Ct));
        var done = (await queue.GetAsync(id, Ct))!;
        Assert.Equal((JobState.Done, "survivor", (string?)null), (done.State, done.LeaseOwner, done.LastError));
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_heartbeat_keeps_the_lease_and_a_lapsed_lease_cannot_be_renewed(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var time = new FakeTime();
        var queue = new JobQueue(db, time);
        await queue.EnqueueAsync("verify", Payload, ct: Ct);
        var job = (await queue.ClaimAsync("w1", null, Lease, Ct))!;

        time.Advance(Lease * 2 / 3);
        Assert.True(await queue.ExtendLeaseAsync(job, "w1", Lease, Ct));
        time.Advance(Lease * 2 / 3);
        Assert.Null(await queue.ClaimAsync("w2", null, Lease, Ct));
        time.Advance(Lease);
        Assert.False(await queue.ExtendLeaseAsync(job, "w1", Lease, Ct));
        Assert.False(await queue.CompleteAsync(job, "w1", Ct));
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_job_whose_last_attempt_loses_its_lease_is_dead_lettered(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var time = new FakeTime();
        var queue = new JobQueue(db, time);
        var id = await queue.EnqueueAsync("reproduce", Payload, new EnqueueOptions { MaxAttempts = 1 }, Ct);
        await queue.ClaimAsync("crashes-every-time", null, Lease, Ct);

        time.Advance(Lease);
        Assert.Null(await queue.ClaimAsync("w2", null, Lease, Ct));
        var dead = (await queue.GetAsync(id, Ct))!;
        Assert.Equal(JobState.Dead, dead.State);
        Assert.Contains("lease expired", dead.LastError);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_worker_finishes_in_real_time_the_job_of_a_worker_killed_mid_job(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var queue = new JobQueue(db, TimeProvider.System);
        var id = await queue.EnqueueAsync("verify", Payload, ct: Ct);
        var killed = (await queue.ClaimAsync("killed", null, TimeSpan.FromMilliseconds(300), Ct))!;
        var handler = new CountingHandler("verify");
        var worker = new JobWorker(queue, [handler], TimeProvider.System, Fast);

        await RunUntilAsync(worker, async () => (await queue.GetAsync(id, Ct))!.State == JobState.Done);

        Assert.False(await queue.CompleteAsync(killed, "killed", Ct));
        var done = (await queue.GetAsync(id, Ct))!;
        Assert.Equal((2, worker.Owner, 1), (done.Attempts, done.LeaseOwner, handler.Runs[id]));
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_worker_heartbeats_the_lease_while_a_long_handler_runs(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var time = new FakeTime();
        var queue = new JobQueue(db, time);
        var id = await queue.EnqueueAsync("reproduce", Payload, ct: Ct);
        var handler = new BlockingHandler("reproduce");
        var worker = new JobWorker(queue, [handler], time, Beating);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var running = worker.RunAsync(stop.Token);
        await handler.Started.Task.WaitAsync(Ct);

        for (var i = 0; i < 3; i++)
        {
            time.Advance(Lease * 2 / 3);
            var now = time.GetUtcNow();
            await Eventually(async () => (await queue.GetAsync(id, Ct))!.LeaseExpires >= now + Lease);
        }
        Assert.Null(await queue.ClaimAsync("thief", null, Lease, Ct));
        handler.Release.SetResult();
        await Eventually(async () => (await queue.GetAsync(id, Ct))!.State == JobState.Done);
        await stop.CancelAsync();
        await running;

        Assert.Equal(1, (await queue.GetAsync(id, Ct))!.Attempts);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_worker_that_loses_its_lease_cancels_its_handler_and_records_nothing_for_that_attempt(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var time = new FakeTime();
        var queue = new JobQueue(db, time);
        var id = await queue.EnqueueAsync("reproduce", Payload, ct: Ct);
        var handler = new BlockingHandler("reproduce");
        var worker = new JobWorker(queue, [handler], time, Beating);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var running = worker.RunAsync(stop.Token);
        await handler.Started.Task.WaitAsync(Ct);

        time.Advance(Lease);
        await handler.Cancelled.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        handler.Release.SetResult();
        await Eventually(async () => (await queue.GetAsync(id, Ct))!.State == JobState.Done);
        await stop.CancelAsync();
        await running;

        var done = (await queue.GetAsync(id, Ct))!;
        Assert.Equal((2, (string?)null), (done.Attempts, done.LastError));
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_worker_isolates_a_failing_job_and_runs_the_rest(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var queue = new JobQueue(db, TimeProvider.System);
        var bad = await queue.EnqueueAsync("publish", Payload, new EnqueueOptions { MaxAttempts = 1 }, Ct);
        for (var i = 0; i < 3; i++) await queue.EnqueueAsync("notify", Payload, ct: Ct);
        var worker = new JobWorker(queue, [new CountingHandler("notify"), new ThrowingHandler("publish")], TimeProvider.System, Fast);

        await RunUntilAsync(worker, async () => (await queue.CountAsync(Ct)) is var c && c[JobState.Done] == 3 && c[JobState.Dead] == 1);

        Assert.Contains("publisher unreachable", (await queue.GetAsync(bad, Ct))!.LastError);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_handler_that_hangs_past_the_time_limit_is_cancelled_its_attempt_fails_as_timed_out_and_the_retry_finishes(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var time = new FakeTime();
        var queue = new JobQueue(db, time);
        var id = await queue.EnqueueAsync("reproduce", Payload, new EnqueueOptions { MaxAttempts = 2 }, Ct);
        var handler = new HangingHandler("reproduce", honoursCancellation: true);
        var worker = new JobWorker(queue, [handler], time, Limited);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var running = worker.RunAsync(stop.Token);

        await Eventually(async () => (await queue.GetAsync(id, Ct))!.State == JobState.Queued && handler.Runs == 1);
        Assert.StartsWith("timed out: the handler ran longer than 00:00:00.3000000 and was cancelled", (await queue.GetAsync(id, Ct))!.LastError);
        time.Advance(TimeSpan.FromSeconds(2));
        await Eventually(async () => (await queue.GetAsync(id, Ct))!.State == JobState.Done);
        await stop.CancelAsync();
        await running;

        Assert.Equal((2, 2), ((await queue.GetAsync(id, Ct))!.Attempts, handler.Runs));
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_handler_that_ignores_cancellation_is_abandoned_its_job_dead_lettered_as_hung_and_the_worker_goes_on(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var time = new FakeTime();
        var queue = new JobQueue(db, time);
        var hung = await queue.EnqueueAsync("reproduce", Payload, new EnqueueOptions { MaxAttempts = 1 }, Ct);
        var handler = new HangingHandler("reproduce", honoursCancellation: false);
        var next = new CountingHandler("notify");
        var worker = new JobWorker(queue, [handler, next], time, Limited);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var running = worker.RunAsync(stop.Token);
        try
        {
            await Eventually(async () => (await queue.GetAsync(hung, Ct))!.State == JobState.Dead);
            var later = await queue.EnqueueAsync("notify", Payload, ct: Ct);
            await Eventually(async () => (await queue.GetAsync(later, Ct))!.State == JobState.Done);

            Assert.Equal("hung: the handler ran longer than 00:00:00.3000000 and did not stop within 00:00:00.3000000 of being cancelled; " +
                "it was abandoned", (await queue.GetAsync(hung, Ct))!.LastError);
            Assert.Equal([later], next.Runs.Keys);
        }
        finally
        {
            handler.Release.TrySetResult();
            await stop.CancelAsync();
            await running;
        }
        Assert.Equal(JobState.Dead, (await queue.GetAsync(hung, Ct))!.State);
    }

    [Fact]
    public async Task A_worker_survives_an_unreachable_store_and_stops_on_cancellation()
    {
        var missing = Path.Combine(Path.GetTempPath(), "clearwing-tests", "missing-" + Guid.NewGuid().ToString("N"), "jobs.db");
        await using var db = Database.Open(missing);
        var errors = 0;
        var worker = new JobWorker(new JobQueue(db, TimeProvider.System), [new CountingHandler("verify")], TimeProvider.System,
            Fast with { OnStorageError = _ => Interlocked.Increment(ref errors) });

        await RunUntilAsync(worker, () => Task.FromResult(Volatile.Read(ref errors) >= 3));
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task Concurrent_claimers_on_separate_connections_complete_every_job_exactly_once(Engine engine)
    {
        const int Claimers = 6, Jobs = 150;
        await using var db = await TestDatabases.CreateAsync(engine);
        var queue = new JobQueue(db, TimeProvider.System);
        for (var i = 0; i < Jobs; i++) await queue.EnqueueAsync("verify", $$"""{"n":{{i}}}""", ct: Ct);
        var claimed = new ConcurrentBag<string>();
        var completions = 0;

        await Task.WhenAll(Enumerable.Range(0, Claimers).Select(n => Task.Run(async () =>
        {
            var owner = $"claimer-{n}";
            while (await queue.ClaimAsync(owner, null, Lease, Ct) is { } job)
            {
                claimed.Add(job.Id);
                if (await queue.CompleteAsync(job, owner, Ct)) Interlocked.Increment(ref completions);
            }
        }, Ct)));

        Assert.Equal(Jobs, completions);
        Assert.Equal(Jobs, claimed.Count);
        Assert.Equal(Jobs, claimed.Distinct().Count());
        Assert.Equal(Jobs, (await queue.CountAsync(Ct))[JobState.Done]);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task Concurrent_workers_run_every_job_exactly_once(Engine engine)
    {
        const int Workers = 4, Jobs = 80;
        await using var db = await TestDatabases.CreateAsync(engine);
        var queue = new JobQueue(db, TimeProvider.System);
        var ids = new List<string>();
        for (var i = 0; i < Jobs; i++) ids.Add(await queue.EnqueueAsync("verify", $$"""{"n":{{i}}}""", ct: Ct));
        var handler = new CountingHandler("verify");
        var workers = Enumerable.Range(0, Workers).Select(_ => new JobWorker(queue, [handler], TimeProvider.System, Fast)).ToArray();

        await RunUntilAsync(workers, async () => (await queue.CountAsync(Ct))[JobState.Done] == Jobs);

        Assert.Equal(ids.Order(), handler.Runs.Keys.Order());
        Assert.All(handler.Runs.Values, runs => Assert.Equal(1, runs));
    }

    static readonly JobWorkerOptions Fast = new() { LeaseDuration = TimeSpan.FromSeconds(10), IdleDelay = TimeSpan.FromMilliseconds(20) };

    /// <summary>Beats every 20 ms of real time against a 30 s lease on the test's clock.</summary>
    static readonly JobWorkerOptions Beating = new() { LeaseDuration = Lease, HeartbeatInterval = TimeSpan.FromMilliseconds(20), IdleDelay = TimeSpan.FromMilliseconds(20) };

    /// <summary>A run limit of 300 ms of real time, and as long again to stop once cancelled.</summary>
    static readonly JobWorkerOptions Limited = Beating with { MaxRunTime = TimeSpan.FromMilliseconds(300), StopGrace = TimeSpan.FromMilliseconds(300) };

    static async Task Eventually(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not hold within 30 s");
            await Task.Delay(10, Ct);
        }
    }

    static Task RunUntilAsync(JobWorker worker, Func<Task<bool>> done) => RunUntilAsync([worker], done);

    /// <summary>Runs the workers until <paramref name="done"/> holds (or 30 s pass), then stops them and waits for them to return.</summary>
    static async Task RunUntilAsync(JobWorker[] workers, Func<Task<bool>> done)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var running = workers.Select(w => Task.Run(() => w.RunAsync(stop.Token), Ct)).ToArray();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await done() && DateTime.UtcNow < deadline) await Task.Delay(20, Ct);
        await stop.CancelAsync();
        await Task.WhenAll(running);
        Assert.True(await done(), "the workers did not finish in 30 s");
    }

    sealed class CountingHandler(string kind) : IJobHandler
    {
        public ConcurrentDictionary<string, int> Runs { get; } = new();
        public string Kind => kind;

        public async Task RunAsync(Job job, CancellationToken ct)
        {
            Runs.AddOrUpdate(job.Id, 1, (_, n) => n + 1);
            await Task.Yield();
        }
    }

    /// <summary>Blocks its first run until released or cancelled; later runs finish at once.</summary>
    sealed class BlockingHandler(string kind) : IJobHandler
    {
        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public TaskCompletionSource Cancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public string Kind => kind;

        public async Task RunAsync(Job job, CancellationToken ct)
        {
            if (!Started.TrySetResult()) return;
            try
            {
                await Release.Task.WaitAsync(ct);
            }
            catch (OperationCanceledException)
            {
                Cancelled.SetResult();
                throw;
            }
        }
    }

    /// <summary>
    /// Hangs on its first run — until cancelled, or, when it ignores cancellation, until <see cref="Release"/> — and finishes at once
    /// on later runs.
    /// </summary>
    sealed class HangingHandler(string kind, bool honoursCancellation) : IJobHandler
    {
        int _runs;
        public int Runs => Volatile.Read(ref _runs);
        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public string Kind => kind;

        public async Task RunAsync(Job job, CancellationToken ct)
        {
            if (Interlocked.Increment(ref _runs) > 1) return;
            await (honoursCancellation ? Task.Delay(Timeout.Infinite, ct) : Release.Task);
        }
    }

    sealed class ThrowingHandler(string kind) : IJobHandler
    {
        public string Kind => kind;
        public Task RunAsync(Job job, CancellationToken ct) => throw new InvalidOperationException("publisher unreachable");
    }
}
