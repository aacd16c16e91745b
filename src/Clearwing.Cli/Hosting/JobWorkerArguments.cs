using System.CommandLine;
using Clearwing.Server.Jobs;
using Clearwing.Storage.Jobs;

namespace Clearwing.Cli.Hosting;

/// <summary>The job workers' options, the same on <c>serve</c> and <c>worker</c>: how many, their leases, how long a job may run.</summary>
/// <param name="fewest">0 on <c>serve</c> (a web node only), 1 on <c>worker</c>.</param>
public sealed class JobWorkerArguments(int fewest)
{
    readonly Option<int> _workers = new("--workers")
    {
        Description = fewest == 0 ? "Job workers in this process (0: the web API only, workers elsewhere)" : "Job workers in this process",
        DefaultValueFactory = _ => 2,
    };
    readonly Option<int> _lease = new("--lease-seconds")
    {
        Description = "How long a job's lease lasts without a heartbeat: how soon another worker takes the job of a worker that died",
        DefaultValueFactory = _ => (int)new JobWorkerOptions().LeaseDuration.TotalSeconds,
    };
    readonly Option<int> _maxRun = new("--max-run-minutes")
    {
        Description = "How long one job may run before it is cancelled and fails as timed out (a hung handler)",
        DefaultValueFactory = _ => (int)new JobWorkerOptions().MaxRunTime.TotalMinutes,
    };

    public IEnumerable<Option> Options => [_workers, _lease, _maxRun];

    public JobWorkersOptions Read(ParseResult parsed)
    {
        var (workers, leaseSeconds, minutes) = (parsed.GetValue(_workers), parsed.GetValue(_lease), parsed.GetValue(_maxRun));
        if (workers < fewest || leaseSeconds < 2 || minutes < 1)
            throw new BadInputException($"--workers {workers} --lease-seconds {leaseSeconds} --max-run-minutes {minutes}: at least " +
                $"{fewest} worker(s), a lease of at least 2 s (it is renewed every third of it) and a run of at least a minute.");
        return new JobWorkersOptions(workers, TimeSpan.FromSeconds(leaseSeconds), TimeSpan.FromMinutes(minutes));
    }
}
