using System.CommandLine;
using Clearwing.Access;
using Clearwing.Finders;
using Clearwing.Packages;
using Clearwing.Routing;

namespace Clearwing.Cli.Finders;

/// <summary>
/// clearwing scan PATH --project NAME [--revision REV] [--json] — the dependency finder: lockfiles and SBOMs under PATH
/// matched against the imported OSV advisories (clearwing osv import), stored as findings of the project (docs/scan.md).
/// </summary>
public static class ScanVerb
{
    public static Command Create(CliIO io)
    {
        var path = new Argument<string>("path") { Description = "A folder (searched for lockfiles and SBOMs) or one lockfile or SBOM" };
        var project = new Option<string>("--project") { Description = "The project the findings belong to", Required = true };
        var revision = new Option<string?>("--revision") { Description = "The commit scanned" };
        var json = new Option<bool>("--json") { Description = "Print one JSON object" };
        var command = new Command("scan",
            "Find vulnerable dependencies: lockfiles and SBOMs matched against the imported OSV advisories, stored as findings.")
            { path, project, revision, json };
        command.SetAction(async (parsed, ct) =>
        {
            await using var backend = await Backend.OpenAsync(parsed, io, ct);
            var summary = await backend.ScanAsync(parsed.GetValue(path)!, parsed.GetValue(project)!, parsed.GetValue(revision), ct);
            await PickUpPolicyAsync(io, backend, parsed.GetValue(path)!, parsed.GetValue(project)!, ct);
            if (parsed.GetValue(json))
            {
                await io.WriteJsonAsync(summary);
                return ExitCode.Ok;
            }
            foreach (var problem in summary.Problems) await io.Error.WriteLineAsync($"{problem.Kind.ToString().ToLowerInvariant()}: {problem}");
            foreach (var u in summary.Unknown) await io.Error.WriteLineAsync($"unknown: {u.File}: {u.Package}: {u.Reason}");
            await io.Out.WriteLineAsync(
                $"{summary.Packages:N0} packages in {summary.Lockfiles} lockfile(s) and {summary.Sboms} SBOM(s): {summary.Matches:N0} vulnerable " +
                $"({summary.Advisories.Count} advisories{(summary.Advisories.Count > 0
                    ? ": " + string.Join(", ", summary.Advisories.Take(20)) + (summary.Advisories.Count > 20 ? ", …" : "")
                    : "")}); " +
                $"{summary.Unknown.Count} could not be checked.");
            if (summary.Import is { } import)
                await io.Out.WriteLineAsync(
                    $"Imported into {import.Project}: {import.New} new, {import.Unchanged} unchanged, " +
                    $"{import.Absent} absent, {import.NewCases} new cases.");
            return ExitCode.Ok;
        });
        return command;
    }

    /// <summary>
    /// The scanned tree's intake policy (docs/intake-policy.md), imported when it is the scanned project's. What goes wrong is said
    /// on the error stream and does not fail the scan, whose findings are stored by then.
    /// </summary>
    static async Task PickUpPolicyAsync(CliIO io, Backend backend, string path, string project, CancellationToken ct)
    {
        if (!Directory.Exists(path)) return;
        var file = IntakePolicyReader.FileNames.Select(name => Path.Combine(path, name)).FirstOrDefault(File.Exists);
        if (file is null) return;
        var shown = Path.GetRelativePath(path, file);
        try
        {
            var named = IntakePolicyReader.Read(await File.ReadAllTextAsync(file, ct), shown).Project;
            if (named != project)
            {
                await io.Error.WriteLineAsync($"intake policy {shown} not imported: it is project '{named}''s, not '{project}''s.");
                return;
            }
            var entry = await backend.ImportProjectPolicyAsync(file, ct);
            await io.Error.WriteLineAsync($"Imported the intake policy {shown} of {entry.Project} (owner {entry.Owner}).");
        }
        catch (Exception e) when (ErrorKinds.Of(e) is ErrorKind.BadInput or ErrorKind.Forbidden or ErrorKind.Conflict or ErrorKind.TooLarge)
        {
            await io.Error.WriteLineAsync($"intake policy {shown} not imported: {e.Message}");
        }
    }
}
