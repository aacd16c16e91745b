using System.CommandLine;
using System.Globalization;
using Clearwing.Routing;

namespace Clearwing.Cli.Routing;

/// <summary>
/// clearwing dispatch [--at ISO-8601] [--json] — one round: confirmed cases to their owners within each project's capacity ·
/// clearwing dispatch explain CASE [--json] — every decision about a case, with why (docs/dispatch.md).
/// </summary>
public static class DispatchVerb
{
    public static Command Create(CliIO io)
    {
        var at = new Option<string?>("--at") { Description = "The round's instant (ISO-8601, with its offset); default now" };
        var json = new Option<bool>("--json") { Description = "Print one JSON object" };
        var command = new Command("dispatch",
            "Send confirmed cases to their owners in priority order, within each project's capacity (one round).") { at, json, Explain(io) };
        command.SetAction(async (parsed, ct) =>
        {
            var instant = parsed.GetValue(at) is { } text ? CliIO.ParseInstant("--at", text) : (DateTimeOffset?)null;
            await using var backend = await Backend.OpenAsync(parsed, io, ct);
            var round = await backend.DispatchAsync(instant, ct);
            if (parsed.GetValue(json))
            {
                await io.WriteJsonAsync(round);
                return ExitCode.Ok;
            }
            foreach (var d in round.Decisions) await io.Out.WriteLineAsync($"{d.Case}  {d.Reason}");
            await io.Out.WriteLineAsync(
                $"Round of {round.At:u}: {round.Sent} sent, {round.Waiting} waiting, {round.Unresolved} unresolved, {round.Escalated} escalated.");
            return ExitCode.Ok;
        });
        return command;
    }

    static Command Explain(CliIO io)
    {
        var id = new Argument<string>("case") { Description = "Case id" };
        var json = new Option<bool>("--json") { Description = "Print a JSON array" };
        var command = new Command("explain", "Every dispatch decision about a case, oldest first: why it went when it went, or why it waits.")
            { id, json };
        command.SetAction(async (parsed, ct) =>
        {
            await using var backend = await Backend.OpenAsync(parsed, io, ct);
            var decisions = await backend.ExplainDispatchAsync(parsed.GetValue(id)!, ct);
            if (parsed.GetValue(json))
            {
                await io.WriteJsonAsync(decisions);
                return ExitCode.Ok;
            }
            if (decisions.Count == 0)
                await io.Out.WriteLineAsync("No round has decided about this case yet: it is not confirmed, or no round ran since.");
            foreach (var d in decisions) await io.Out.WriteLineAsync($"{d.At:u}  {d.Reason} (by {d.DecidedBy})");
            return ExitCode.Ok;
        });
        return command;
    }
}
