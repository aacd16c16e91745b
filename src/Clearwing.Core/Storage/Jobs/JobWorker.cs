namespace Clearwing.Storage.Jobs;

/// <summary>How a <see cref="JobWorker"/> leases and polls.</summary>
public sealed record JobWorkerOptions
{
    /// <summary>Names this worker in leases; unique per worker, default host:process:random.</summary>
    public string Owner { get; init; } = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>How long a claim lasts without a heartbeat: how soon another worker takes a crashed worker's job. Default 30 s.</summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How often the lease is renewed while a handler runs; well under the lease. Default a third of it.</summary>
    public TimeSpan? HeartbeatInterval { get; init; }

    /// <summary>The wait after finding nothing due (or after a storage error) before asking again. Default 1 s.</summary>
    public TimeSpan IdleDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The longest a handler may run before it is cancelled and the attempt fails as timed out: a handler that hangs (a receiver
    /// that never answers, a sandbox that never ends) would otherwise keep its lease alive by heartbeat for ever, its job neither
    /// done nor dead. Default 2 hours (a validation job builds a target for up to 20 minutes per reproducer).
    /// </summary>
    public TimeSpan MaxRunTime { get; init; } = TimeSpan.FromHours(2);

    /// <summary>
    /// How long a handler that ran past <see cref="MaxRunTime"/> has to stop once cancelled; one that does not is abandoned (its
    /// late writes are fenced off) and the attempt is failed, so the worker goes on. Default 30 s.
    /// </summary>
    public TimeSpan StopGrace { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Told of each storage error the worker survives (a failed claim, write or heartbeat), so the host can log it.</summary>
    public Action<Exception>? OnStorageError { get; init; }
}

/// <summary>
/// Claims jobs of the kinds it has handlers for and runs them one at a time until cancelled: completes a
/// job whose handler returns, fails (retry or dead letter) one whose handler throws, and renews the lease
/// while the handler runs. One job's failure, or a storage outage, never ends the loop.
/// </summary>
public sealed class JobWorker
{
    readonly JobQueue _queue;
    readonly Dictionary<string, IJobHandler> _handlers;
    readonly TimeProvider _time;
    readonly JobWorkerOptions _options;
    readonly TimeSpan _heartbeat;

    public JobWorker(JobQueue queue, IEnumerable<IJobHandler> handlers, TimeProvider time, JobWorkerOptions? options = null)
    {
        _queue = queue;
        _handlers = handlers.ToDictionary(h => h.Kind, StringComparer.Ordinal);
        _time = time;
        _options = options ?? new JobWorkerOptions();
        _heartbeat = _options.HeartbeatInterval ?? _options.LeaseDuration / 3;
        if (_heartbeat >= _options.LeaseDuration)
            throw new ArgumentException("The heartbeat interval must be shorter than the lease, or the lease lapses between beats.", nameof(options));
    }

    public string Owner => _options.Owner;

    /// <summary>Runs until <paramref name="ct"/> is cancelled, then returns once the job in hand is recorded.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                var job = await _queue.ClaimAsync(Owner, _handlers.Keys, _options.LeaseDuration, ct);
                if (job is null)
                    await Task.Delay(_options.IdleDelay, _time, ct);
                else
                    await RunOneAsync(job, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                _options.OnStorageError?.Invoke(e);
                // The store is unreachable or failed mid-claim; the job (if any) keeps its lease and comes back
                // when it lapses. Wait and ask again rather than end the worker.
                try { await Task.Delay(_options.IdleDelay, _time, ct); }
                catch (OperationCanceledException) { return; }
            }
        }
    }

    /// <summary>
    /// Runs one job this worker's owner claimed (the command line claims the job it asked for and runs it here) with its
    /// heartbeat and its time limit, and records the outcome as the loop does.
    /// </summary>
    public async Task RunOneAsync(Job job, CancellationToken ct)
    {
        using var running = CancellationTokenSource.CreateLinkedTokenSource(ct);
        using var stopHeartbeat = new CancellationTokenSource();
        var heartbeat = HeartbeatAsync(job, running, stopHeartbeat.Token);
        // On the thread pool, so that a handler that blocks without awaiting cannot hold the worker past its limit.
        var handler = Task.Run(() => _handlers[job.Kind].RunAsync(job, running.Token), CancellationToken.None);
        var (timedOut, abandoned) = await WaitWithinLimitAsync(handler, running);
        await stopHeartbeat.CancelAsync();
        await heartbeat;
        // The outcome is recorded even on shutdown: the handler's work is done or failed either way. When the
        // lease was lost these return false and change nothing; the job belongs to another worker now.
        if (abandoned)
        {
            // Observed, so that its eventual failure is not an unobserved exception; its writes to the queue are fenced.
            _ = handler.ContinueWith(t => t.Exception, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
            await _queue.FailAsync(job, Owner, $"hung: the handler ran longer than {_options.MaxRunTime} and did not stop within " +
                $"{_options.StopGrace} of being cancelled; it was abandoned", CancellationToken.None);
        }
        else if (handler.Exception?.InnerException is { } failure)
            await _queue.FailAsync(job, Owner, Describe(failure, running.IsCancellationRequested, timedOut), CancellationToken.None);
        else if (handler.IsCanceled)
            await _queue.FailAsync(job, Owner, Describe(new OperationCanceledException(), running.IsCancellationRequested, timedOut),
                CancellationToken.None);
        else
            await _queue.CompleteAsync(job, Owner, CancellationToken.None);
    }

    /// <summary>
    /// Waits for <paramref name="handler"/>; past <see cref="JobWorkerOptions.MaxRunTime"/> cancels it and waits
    /// <see cref="JobWorkerOptions.StopGrace"/> more. Abandoned: it did not stop even then.
    /// </summary>
    async Task<(bool TimedOut, bool Abandoned)> WaitWithinLimitAsync(Task handler, CancellationTokenSource running)
    {
        if (await FinishesWithinAsync(handler, _options.MaxRunTime)) return (false, false);
        await running.CancelAsync();
        return (true, !await FinishesWithinAsync(handler, _options.StopGrace));
    }

    async Task<bool> FinishesWithinAsync(Task task, TimeSpan limit)
    {
        using var stop = new CancellationTokenSource();
        var finished = await Task.WhenAny(task, Task.Delay(limit, _time, stop.Token)) == task;
        await stop.CancelAsync();
        return finished;
    }

    /// <summary>Renews the lease every interval; cancels the handler when the lease turns out to be lost.</summary>
    async Task HeartbeatAsync(Job job, CancellationTokenSource handler, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_heartbeat, _time, stop);
                if (!await _queue.ExtendLeaseAsync(job, Owner, _options.LeaseDuration, stop))
                {
                    await handler.CancelAsync();
                    return;
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                _options.OnStorageError?.Invoke(e);
                // A missed beat is not a lost lease; the next beat tries again while the lease still runs.
            }
        }
    }

    string Describe(Exception failure, bool cancelled, bool timedOut) =>
        cancelled && failure is OperationCanceledException
            ? timedOut
                ? $"timed out: the handler ran longer than {_options.MaxRunTime} and was cancelled"
                : "cancelled: the worker stopped or lost the lease before the handler finished"
            : failure.ToString();
}
