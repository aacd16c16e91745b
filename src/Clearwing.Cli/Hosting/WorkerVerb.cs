using System.CommandLine;
using Clearwing.Server.Jobs;
using Clearwing.Storage.Jobs;
using Microsoft.Extensions.Hosting;

namespace Clearwing.Cli.Hosting;

/// <summary>
/// clearwing worker [--workers N] [--lease-seconds S] [--max-run-minutes M] — job workers only, for more processes beside `serve` on
/// PostgreSQL.
/// </summary>
public static class WorkerVerb
{
    public static Command Create(CliIO io)
    {
        var workers = new Option<int>("--workers") { Description = "Workers in this process", DefaultValueFactory = _ => 2 };
        var lease = new Option<int>("--lease-seconds")
        {
            Description = "How long a job's lease lasts without a heartbeat: how soon another worker takes the job of a worker that died",
            DefaultValueFactory = _ => (int)new JobWorkerOptions().LeaseDuration.TotalSeconds,
        };
        var maxRun = new Option<int>("--max-run-minutes")
        {
            Description = "How long one job may run before it is cancelled and fails as timed out (a hung handler)",
            DefaultValueFactory = _ => (int)new JobWorkerOptions().MaxRunTime.TotalMinutes,
        };
        var command = new Command("worker", "Run job workers without the web API.") { workers, lease, maxRun };
        command.SetAction(async (parsed, ct) =>
        {
            var (leaseSeconds, minutes) = (parsed.GetValue(lease), parsed.GetValue(maxRun));
            if (leaseSeconds < 2 || minutes < 1)
                throw new BadInputException($"--lease-seconds {leaseSeconds} --max-run-minutes {minutes}: the lease must be at least 2 s " +
                    "(it is renewed every third of it) and the run at least a minute.");
            await using var db = await CliIO.OpenDatabaseAsync(parsed, ct);
            using var host = WorkerHost.Build(db, new JobWorkersOptions(parsed.GetValue(workers), TimeSpan.FromSeconds(leaseSeconds),
                TimeSpan.FromMinutes(minutes)));
            await io.Out.WriteLineAsync($"Job workers on {db.Display}; Ctrl-C stops them.");
            await host.RunAsync(ct);
            return ExitCode.Ok;
        });
        return command;
    }
}
