using System.CommandLine;
using System.Globalization;
using System.Text;
using Clearwing.Validation;

namespace Clearwing.Cli.Validation;

/// <summary>
/// clearwing patches add CASE FILE [--author model:NAME|person:LOGIN] [--json] [--no-wait] — offers a candidate patch and runs
/// its ladder (with --db in this process, with --server on the server's workers); --json prints
/// {"id","case","author","applies","builds","reproducersStopped","testsPass","verdict","error","alsoDisarms"}. Exits 0 once the
/// ladder ran, whatever its verdict, and 1 when it could not be tried (verdict error), as validate does.
/// clearwing patches list CASE [--json] — the case's patches, newest first (--json: the same summary for each).
/// </summary>
public static class PatchesVerb
{
    public static Command Create(CliIO io) =>
        new("patches", "Candidate patches of a case, each checked by a ladder in the sandbox.") { Add(io), List(io) };

    static Command Add(CliIO io)
    {
        var caseId = new Argument<string>("case") { Description = "The case's id" };
        var file = new Argument<FileInfo>("file") { Description = "A unified diff (git diff, diff -u) against the case's targets" };
        var author = new Option<string?>("--author")
        {
            Description = "Who wrote the patch: model:NAME or person:LOGIN (default: you, as a person)",
        };
        var json = new Option<bool>("--json")
        {
            Description = "Print {applies, builds, reproducersStopped, testsPass, verdict, …} as JSON",
        };
        var noWait = new Option<bool>("--no-wait") { Description = "Queue the ladder and print the patch without waiting for it" };
        var command = new Command("add",
            "Offer a candidate patch for a case and check it: it applies to every target, they build, every reproducer stops " +
            "reproducing, and the targets' test commands pass — stopping at the first step that fails.")
        {
            caseId, file, author, json, noWait,
        };
        command.SetAction(async (parsed, ct) =>
        {
            var path = parsed.GetValue(file)!;
            InputPaths.RequireFile(path);
            var diff = await File.ReadAllTextAsync(path.FullName, ct);
            await using var backend = await Backend.OpenAsync(parsed, io, ct);
            var patch = await backend.AddPatchAsync(parsed.GetValue(caseId)!, diff, parsed.GetValue(author), path.Name, ct);
            if (!parsed.GetValue(noWait)) patch = await backend.AwaitPatchAsync(patch, ct);
            if (parsed.GetValue(json)) await io.WriteJsonAsync(Summary(patch));
            else await io.Out.WriteAsync(Describe(patch));
            return patch.Verdict == "error" ? ExitCode.Failure : ExitCode.Ok;
        });
        return command;
    }

    static Command List(CliIO io)
    {
        var caseId = new Argument<string>("case") { Description = "The case's id" };
        var json = new Option<bool>("--json") { Description = "Print each patch's summary as a JSON array (the API adds the diff and logs)" };
        var command = new Command("list", "A case's candidate patches, newest first, with how far each got.") { caseId, json };
        command.SetAction(async (parsed, ct) =>
        {
            await using var backend = await Backend.OpenAsync(parsed, io, ct);
            var patches = await backend.ListPatchesAsync(parsed.GetValue(caseId)!, ct);
            if (parsed.GetValue(json))
            {
                await io.WriteJsonAsync(patches.Select(Summary));
                return ExitCode.Ok;
            }
            var table = new Listing(("patch", Fit.Id), ("author", Fit.Id), ("status", Fit.Value), ("verdict", Fit.Value), ("added by", Fit.Id),
                ("added", Fit.Value), ("also disarms", Fit.Text));
            foreach (var p in patches)
                table.Add(p.Id, p.Author, p.Status, p.Verdict, $"{p.AddedBy} ({p.AddedOrg})", p.AddedAt.ToString("u", CultureInfo.InvariantCulture),
                    p.AlsoDisarms.Count == 0 ? null : string.Join(", ", p.AlsoDisarms));
            table.Write(io);
            return ExitCode.Ok;
        });
        return command;
    }

    /// <summary>The patch without its diff and logs: what the verdict rests on, for scripts.</summary>
    static object Summary(CandidatePatch patch) => new
    {
        id = patch.Id, @case = patch.Case, author = patch.Author, status = patch.Status, applies = patch.Applies, builds = patch.Builds,
        reproducersStopped = patch.ReproducersStopped, testsPass = patch.TestsPass, verdict = patch.Verdict, error = patch.Error,
        alsoDisarms = patch.AlsoDisarms,
    };

    static string Describe(CandidatePatch patch)
    {
        static string Step(bool? passed) => passed switch { true => "yes", false => "no", null => "-" };
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"patch:               {patch.Id} by {patch.Author}\n");
        text.Append(CultureInfo.InvariantCulture, $"case:                {patch.Case}\n");
        text.Append(CultureInfo.InvariantCulture, $"verdict:             {patch.Verdict ?? patch.Status}\n");
        if (patch.Status == "done")
        {
            text.Append(CultureInfo.InvariantCulture, $"applies:             {Step(patch.Applies)}\n");
            text.Append(CultureInfo.InvariantCulture, $"builds:              {Step(patch.Builds)}\n");
            text.Append(CultureInfo.InvariantCulture, $"reproducers stopped: {Step(patch.ReproducersStopped)}\n");
            text.Append(CultureInfo.InvariantCulture, $"tests pass:          {Step(patch.TestsPass)}\n");
        }
        if (patch.Error is not null) text.Append("error:               ").Append(patch.Error).Append('\n');
        if (patch.AlsoDisarms.Count > 0)
            text.Append("also disarms:        ").AppendJoin(", ", patch.AlsoDisarms)
                .Append(" (likely the same root cause; not merged)\n");
        return text.ToString();
    }
}
