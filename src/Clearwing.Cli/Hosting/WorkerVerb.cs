using System.CommandLine;
using Clearwing.Server.Jobs;
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
        var jobs = new JobWorkerArguments(fewest: 1);
        var command = new Command("worker", "Run job workers without the web API.");
        foreach (var option in jobs.Options) command.Options.Add(option);
        command.SetAction(async (parsed, ct) =>
        {
            var options = jobs.Read(parsed);
            await using var db = await CliIO.OpenDatabaseAsync(parsed, ct);
            using var host = WorkerHost.Build(db, options);
            await io.Out.WriteLineAsync($"Job workers on {db.Display}; Ctrl-C stops them.");
            await host.RunAsync(ct);
            return ExitCode.Ok;
        });
        return command;
    }
}
