using System.CommandLine;
using Clearwing.Validation;

namespace Clearwing.Cli.Validation;

/// <summary>clearwing reproducers add CASE FILE [--json] | reproducers list CASE [--json] (docs/validation.md)</summary>
public static class ReproducersVerb
{
    public static Command Create(CliIO io) =>
        new("reproducers", "A case's reproducers: attached to it, or brought by its findings.") { Add(io), List(io) };

    static Command Add(CliIO io)
    {
        var caseId = new Argument<string>("case") { Description = "The case's id" };
        var file = new Argument<FileInfo>("file") { Description = "A reproducer in the native format (docs/native-findings.md, \"Reproducers\")" };
        var json = new Option<bool>("--json") { Description = "Print the reproducer as stored, as the API does" };
        var command = new Command("add", "Attach a reproducer to a case; a case awaiting validation gets a run.") { caseId, file, json };
        command.SetAction(async (parsed, ct) =>
        {
            var path = parsed.GetValue(file)!;
            InputPaths.RequireFile(path);
            var text = await File.ReadAllTextAsync(path.FullName, ct);
            await using var backend = await Backend.OpenAsync(parsed, io, ct);
            var added = await backend.AddReproducerAsync(parsed.GetValue(caseId)!, text, path.Name, ct);
            if (parsed.GetValue(json)) await io.WriteJsonAsync(added);
            else await io.Out.WriteLineAsync($"Reproducer {added.Digest[..12]} attached to case {added.Case}.");
            return ExitCode.Ok;
        });
        return command;
    }

    static Command List(CliIO io)
    {
        var caseId = new Argument<string>("case") { Description = "The case's id" };
        var json = new Option<bool>("--json") { Description = "Print a JSON array, as the API does" };
        var command = new Command("list", "A case's reproducers: attached ones (oldest first), then its findings'.") { caseId, json };
        command.SetAction(async (parsed, ct) =>
        {
            await using var backend = await Backend.OpenAsync(parsed, io, ct);
            var reproducers = await backend.ListReproducersAsync(parsed.GetValue(caseId)!, ct);
            if (parsed.GetValue(json))
            {
                await io.WriteJsonAsync(reproducers);
                return ExitCode.Ok;
            }
            var table = new Listing(("reproducer", Fit.Id), ("source", Fit.Value), ("added by", Fit.Id), ("added", Fit.Value), ("command", Fit.Text));
            foreach (var r in reproducers)
                table.Add(r.Digest[..12], r.Source, r.AddedBy is null ? null : $"{r.AddedBy} ({r.AddedOrg})", r.AddedAt?.ToString("u"),
                    r.Reproducer.TryGetProperty("command", out var command) ? string.Join(' ', command.EnumerateArray()) : null);
            table.Write(io);
            return ExitCode.Ok;
        });
        return command;
    }
}
