using System.CommandLine;
using Clearwing.Access;
using Clearwing.Scoring;

namespace Clearwing.Cli.Scoring;

/// <summary>clearwing feeds kev FILE [--json] | feeds epss FILE [--json] — import exploitation evidence (on --db, as a scheduled job
/// would).</summary>
public static class FeedsVerb
{
    public static Command Create(CliIO io) =>
        new("feeds", "Import outside exploitation evidence; cases match it by their aliases (clearwing cases aliases).")
        {
            Import(io, "kev", "Import the CISA Known Exploited Vulnerabilities catalog (JSON); listed cases become actively exploited.",
                (backend, file, ct) => backend.ImportKevAsync(file, ct)),
            Import(io, "epss", "Import a FIRST EPSS daily file (CSV, plain or gzip).", (backend, file, ct) => backend.ImportEpssAsync(file, ct)),
        };

    static Command Import(CliIO io, string name, string description, Func<Backend, string, CancellationToken, Task<FeedImport>> import)
    {
        var file = new Argument<FileInfo>("file") { Description = "The feed file" };
        var json = new Option<bool>("--json") { Description = "Print one JSON object" };
        var command = new Command(name, description) { file, json };
        command.SetAction(async (parsed, ct) =>
        {
            var path = parsed.GetValue(file)!;
            InputPaths.RequireFile(path);
            await using var backend = await Backend.OpenAsync(parsed, io, ct);
            var result = await import(backend, path.FullName, ct);
            if (parsed.GetValue(json)) await io.WriteJsonAsync(result);
            else await io.Out.WriteLineAsync($"{result.Feed} {result.Version}: {result.Entries:N0} entries" +
                (name == "kev" ? $"; {result.CasesMarkedExploited:N0} case(s) now marked actively exploited." : "."));
            return ExitCode.Ok;
        });
        return command;
    }
}
