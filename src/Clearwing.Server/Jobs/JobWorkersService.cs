using Clearwing.Storage.Jobs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Clearwing.Server.Jobs;

/// <summary>Runs job workers inside a host: `clearwing serve` (with the web API) and `clearwing worker` (alone).</summary>
public sealed class JobWorkersService(
    JobQueue queue, IEnumerable<IJobHandler> handlers, TimeProvider time, ILogger<JobWorkersService> log, JobWorkersOptions options)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var handlerList = handlers.ToList();
        // The jobs that come round on their own start their rounds here, in every host that runs workers (one job per instant).
        foreach (var recurring in handlerList.OfType<IRecurringJob>())
            try
            {
                await recurring.ScheduleAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogWarning(e, "Could not schedule the next {Kind} job", ((IJobHandler)recurring).Kind);
            }
        log.LogInformation("Starting {Count} job worker(s) for kinds: {Kinds}", options.Workers,
            handlerList.Count == 0 ? "(none registered yet)" : string.Join(", ", handlerList.Select(h => h.Kind)));
        var workers = Enumerable.Range(0, options.Workers).Select(_ => new JobWorker(queue, handlerList, time, WorkerOptions()));
        await Task.WhenAll(workers.Select(w => w.RunAsync(stoppingToken)));
    }

    /// <summary>One worker's options: the host's lease and time limit, its storage errors logged.</summary>
    JobWorkerOptions WorkerOptions()
    {
        var worker = new JobWorkerOptions { OnStorageError = e => log.LogWarning(e, "Job worker survived a storage error") };
        return worker with { LeaseDuration = options.Lease ?? worker.LeaseDuration, MaxRunTime = options.MaxRunTime ?? worker.MaxRunTime };
    }
}

/// <summary>
/// How many workers a host runs (default 2: this machine class has two cores), how long their leases last (how soon another process
/// takes the job of one that died) and how long a job may run; null for <see cref="JobWorkerOptions"/>' defaults.
/// </summary>
public sealed record JobWorkersOptions(int Workers = 2, TimeSpan? Lease = null, TimeSpan? MaxRunTime = null);

public static class JobWorkersExtensions
{
    public static IServiceCollection AddJobWorkers(this IServiceCollection services, JobWorkersOptions options)
    {
        services.AddSingleton(options);
        return services.AddHostedService<JobWorkersService>();
    }
}
