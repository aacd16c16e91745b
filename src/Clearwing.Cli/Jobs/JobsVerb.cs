using System.CommandLine;
using Clearwing.Storage.Jobs;

namespace Clearwing.Cli.Jobs;

/// <summary>clearwing jobs list [--state S] [--json] | jobs retry ID — the durable queue and its dead letters.</summary>
public static class JobsVerb
{
    public static Command Create(CliIO io)
    {
        var state = new Option<JobState?>("--state") { Description = "Only jobs in this state: queued, running, done, dead" };
        var limit = new Option<int>("--limit") { Description = "At most this many", DefaultValueFactory = _ => 100 };
        var json = new Option<bool>("--json") { Description = "Print a JSON array" };
        var list = new Command("list", "List jobs, newest first.") { state, limit, json };
        list.SetAction(async (parsed, ct) =>
        {
            await using var backend = await Backend.OpenAsync(parsed, io, ct);
            var jobs = await backend.ListJobsAsync(parsed.GetValue(state), parsed.GetValue(limit), ct);
            if (parsed.GetValue(json))
            {
                await io.WriteJsonAsync(jobs);
                return ExitCode.Ok;
            }
            var table = new Listing(("id", Fit.Id), ("kind", Fit.Value), ("state", Fit.Value), ("attempts", Fit.Value), ("next run", Fit.Value),
                ("last error", Fit.Text));
            foreach (var j in jobs)
                table.Add(
                    j.Id, j.Kind, j.State.ToString().ToLowerInvariant(), $"{j.Attempts}/{j.MaxAttempts}", j.RunAfter.ToString("u"), j.LastError);
            table.Write(io);
            return ExitCode.Ok;
        });

        var id = new Argument<string>("job") { Description = "A dead job's id" };
        var retry = new Command("retry", "Put a dead-lettered job back in the queue with its attempts reset.") { id };
        retry.SetAction(async (parsed, ct) =>
        {
            await using var backend = await Backend.OpenAsync(parsed, io, ct);
            if (!await backend.RetryJobAsync(parsed.GetValue(id)!, ct))
            {
                await io.Error.WriteLineAsync($"error: no dead job {parsed.GetValue(id)}");
                return ExitCode.BadInput;
            }
            await io.Out.WriteLineAsync($"Requeued {parsed.GetValue(id)}.");
            return ExitCode.Ok;
        });
        return new Command("jobs", "The durable job queue.") { list, retry };
    }
}
