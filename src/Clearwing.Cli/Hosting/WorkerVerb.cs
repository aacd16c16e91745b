using System.CommandLine;
using Clearwing.Server.Jobs;
using Microsoft.Extensions.Hosting;

namespace Clearwing.Cli.Hosting;

/// <summary>clearwing worker [--workers N] — job workers only, for more processes beside `serve` on PostgreSQL.</summary>
public static class WorkerVerb
{
    public static Command Create(CliIO io)
    {
        var workers = new Option<int>("--workers") { Description = "Workers in this process", DefaultValueFactory = _ => 2 };
        var command = new Command("worker", "Run job workers without the web API.") { workers };
        command.SetAction(async (parsed, ct) =>
        {
            await using var db = await CliIO.OpenDatabaseAsync(parsed, ct);
            using var host = WorkerHost.Build(db, parsed.GetValue(workers));
            await io.Out.WriteLineAsync($"Job workers on {db.Display}; Ctrl-C stops them.");
            await host.RunAsync(ct);
            return ExitCode.Ok;
        });
        return command;
    }
}
