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
    /// heartbeat, and records the outcome as the loop does.
    /// </summary>
    public async Task RunOneAsync(Job job, CancellationToken ct)
    {
        using var running = CancellationTokenSource.CreateLinkedTokenSource(ct);
        using var stopHeartbeat = new CancellationTokenSource();
        var heartbeat = HeartbeatAsync(job, running, stopHeartbeat.Token);
        Exception? failure = null;
        try
        {
            await _handlers[job.Kind].RunAsync(job, running.Token);
        }
        catch (Exception e)
        {
            failure = e;
        }
        await stopHeartbeat.CancelAsync();
        await heartbeat;
        // The outcome is recorded even on shutdown: the handler's work is done or failed either way. When the
        // lease was lost these return false and change nothing; the job belongs to another worker now.
        if (failure is null)
            await _queue.CompleteAsync(job, Owner, CancellationToken.None);
        else
            await _queue.FailAsync(job, Owner, Describe(failure, running.IsCancellationRequested), CancellationToken.None);
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

    static string Describe(Exception failure, bool cancelled) =>
        cancelled && failure is OperationCanceledException
            ? "cancelled: the worker stopped or lost the lease before the handler finished"
            : failure.ToString();
}
