using System.CommandLine;

namespace Clearwing.Cli.Routing;

/// <summary>clearwing cases owner CASE [--json] — whose a case is, from the project registry (docs/intake-policy.md, "Owners").</summary>
public static class CaseOwnerVerb
{
    public static Command Create(CliIO io)
    {
        var id = new Argument<string>("case") { Description = "Case id" };
        var json = new Option<bool>("--json") { Description = "Print one JSON object" };
        var command = new Command("owner",
            "Whose a case is: the project and maintainer org its packages or its project's intake policy name, and its paths' owners.")
            { id, json };
        command.SetAction(async (parsed, ct) =>
        {
            await using var backend = await Backend.OpenAsync(parsed, io, ct);
            var owner = await backend.ResolveOwnerAsync(parsed.GetValue(id)!, ct);
            if (parsed.GetValue(json))
            {
                await io.WriteJsonAsync(owner);
                return ExitCode.Ok;
            }
            if (owner.Unresolved is { } reason)
            {
                await io.Out.WriteLineAsync($"{owner.Case}: unresolved, for the coordinator's triage: {reason}.");
                return ExitCode.Ok;
            }
            await io.Out.WriteLineAsync($"{owner.Case}: {owner.Owner}, the owner of project {owner.Project} (by {owner.Basis}).");
            foreach (var path in owner.Paths)
                await io.Out.WriteLineAsync(path.Pattern is null
                    ? $"  {path.Path}: no path owner"
                    : $"  {path.Path}: {(path.Owners.Count == 0 ? "no owner" : string.Join(" ", path.Owners))} ({path.Pattern})");
            return ExitCode.Ok;
        });
        return command;
    }
}
