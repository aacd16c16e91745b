using System.CommandLine;
using Clearwing.Access;
using Clearwing.Cases;

namespace Clearwing.Cli.Cases;

/// <summary>clearwing extensions list CASE [--json] | extensions ask CASE --days N --reason R
/// | extensions decide ID --approve|--refuse [--note N] [--case CASE]</summary>
public static class ExtensionsVerb
{
    public static Command Create(CliIO io) =>
        new("extensions", "Embargo extensions: maintainers ask for more time, the coordinator approves or refuses.")
        {
            List(io), Ask(io), Decide(io),
        };

    static Command List(CliIO io)
    {
        var caseId = new Argument<string>("case") { Description = "The case's id" };
        var json = new Option<bool>("--json") { Description = "Print a JSON array, as the API does" };
        var command = new Command("list", "A case's extension requests with their decisions, oldest first.") { caseId, json };
        command.SetAction(async (parsed, ct) =>
        {
            await using var backend = await Backend.OpenAsync(parsed, io, ct);
            var extensions = await backend.ListExtensionsAsync(parsed.GetValue(caseId)!, ct);
            if (parsed.GetValue(json))
            {
                await io.WriteJsonAsync(extensions);
                return ExitCode.Ok;
            }
            var table = new Listing(("id", Fit.Id), ("days", Fit.Value), ("asked by", Fit.Id), ("asked", Fit.Value), ("state", Fit.Value),
                ("decided by", Fit.Id), ("decided", Fit.Value), ("reason", Fit.Text), ("note", Fit.Text));
            foreach (var e in extensions)
            {
                var (request, decision) = (e.Extension.Request, e.Extension.Decision);
                table.Add(e.Id, request.Days.ToString(System.Globalization.CultureInfo.InvariantCulture), $"{request.RequestedBy} ({e.Org})",
                    request.RequestedAt.ToString("u"), e.State, decision?.DecidedBy, decision?.DecidedAt.ToString("u"), request.Reason,
                    decision?.Note);
            }
            table.Write(io);
            return ExitCode.Ok;
        });
        return command;
    }

    /// <summary>
    /// Maintainers ask, so this works through --server with a token of the maintainer's org. On --db the command line
    /// is the coordinator's administrator, whom the store refuses; the refusal says how the maintainer asks instead.
    /// </summary>
    static Command Ask(CliIO io)
    {
        var caseId = new Argument<string>("case") { Description = "The case's id" };
        var days = new Option<int>("--days") { Description = "Days asked for (1 to 365)", Required = true };
        var reason = new Option<string>("--reason") { Description = "Why the maintainer needs them", Required = true };
        var command = new Command("ask", "Ask for more embargo time: a maintainer, through --server with their org's token.")
        {
            caseId, days, reason,
        };
        command.SetAction(async (parsed, ct) =>
        {
            var id = parsed.GetValue(caseId)!;
            await using var backend = await Backend.OpenAsync(parsed, io, ct);
            try
            {
                var asked = await backend.AskExtensionAsync(id, parsed.GetValue(days), parsed.GetValue(reason)!, ct);
                await io.Out.WriteLineAsync(
                    $"Asked for {asked.Extension.Request.Days} more days on case {asked.Case}: request {asked.Id}, " +
                    "pending the coordinator's decision.");
                return ExitCode.Ok;
            }
            catch (AccessDeniedException e)
            {
                await io.Error.WriteLineAsync($"""
                    error: {e.Message}
                    Extensions are asked by a maintainer admin or triager whose org has a grant on the case, as that org:
                    """ +
                    $"\n  CLEARWING_TOKEN=<a token of the maintainer's org> clearwing extensions ask {id} --days {parsed.GetValue(days)} " +
                    "--reason \"…\" --server <URL>\n" +
                    "(with --db the command line acts as the coordinator's administrator).");
                return ExitCode.Failure;
            }
        });
        return command;
    }

    static Command Decide(CliIO io)
    {
        var id = new Argument<string>("id") { Description = "The extension request's id (from 'extensions list')" };
        var approve = new Option<bool>("--approve") { Description = "Approve: the clock counts the days, up to the profile's cap" };
        var refuse = new Option<bool>("--refuse") { Description = "Refuse: the clock does not move" };
        var note = new Option<string?>("--note") { Description = "A note for the maintainer" };
        var caseId = new Option<string?>("--case") { Description = "The request's case (required with --server, checked with --db)" };
        var command = new Command("decide", "Approve or refuse a pending extension request.") { id, approve, refuse, note, caseId };
        command.SetAction(async (parsed, ct) =>
        {
            if (parsed.GetValue(approve) == parsed.GetValue(refuse))
            {
                await io.Error.WriteLineAsync("error: give exactly one of --approve and --refuse.");
                return ExitCode.BadInput;
            }
            var verdict = parsed.GetValue(approve) ? ExtensionVerdict.Approved : ExtensionVerdict.Refused;
            await using var backend = await Backend.OpenAsync(parsed, io, ct);
            var decided = await backend.DecideExtensionAsync(parsed.GetValue(caseId), parsed.GetValue(id)!, verdict, parsed.GetValue(note), ct);
            await io.Out.WriteLineAsync($"Extension {decided.Id} on case {decided.Case} ({decided.Extension.Request.Days} days): {decided.State}.");
            return ExitCode.Ok;
        });
        return command;
    }
}
