using System.CommandLine;
using Clearwing.Findings;
using Spectre.Console;

namespace Clearwing.Cli.Findings;

/// <summary>clearwing import FILE... --project NAME [--revision REV] [--source-root DIR] [--json]</summary>
public static class ImportVerb
{
    public static Command Create(CliIO io)
    {
        var files = new Argument<FileInfo[]>("files")
        {
            Description = "SARIF 2.1.0 logs or native findings files of one analysis run",
            Arity = ArgumentArity.OneOrMore,
        };
        var project = new Option<string>("--project") { Description = "Project the findings belong to (created on first import)", Required = true };
        var revision = new Option<string?>("--revision")
        {
            Description = "Revision (commit) analysed; default: the log's own, else the content hash",
        };
        var sourceRoot = new Option<string?>("--source-root")
        {
            Description = "Where the analysed sources were checked out (need not exist here): absolute paths under it are stored " +
                "relative to it; when it exists here, it gives the line hashes a log lacks",
        };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of a summary" };
        var command = new Command("import", "Import findings: classify them against the project's baseline and cluster them into cases.")
        {
            files, project, revision, sourceRoot, json,
        };
        command.SetAction(async (parsed, ct) =>
        {
            var inputs = parsed.GetValue(files)!;
            foreach (var f in inputs)
                InputPaths.RequireFile(f);
            await using var backend = await Backend.OpenAsync(parsed, io, ct);
            var request = new ImportRequest(parsed.GetValue(project)!, inputs.Select(f => new ImportFile(f.FullName, f.Name)).ToList(),
                parsed.GetValue(revision), SourceRoot(parsed.GetValue(sourceRoot)));

            ImportSummary summary;
            if (io.Interactive && !parsed.GetValue(json))
            {
                summary = await io.Ansi.Progress().AutoClear(true)
                    .Columns(new SpinnerColumn(), new TaskDescriptionColumn(), new ElapsedTimeColumn())
                    .StartAsync(async progress =>
                {
                    var task = progress.AddTask("Importing", maxValue: 1);
                    task.IsIndeterminate = true;
                    var reporter = new Progress<long>(n => task.Description = $"Importing: {n:N0} results read");
                    return await backend.ImportAsync(request, reporter, ct);
                });
            }
            else summary = await backend.ImportAsync(request, null, ct);
            foreach (var warning in summary.Warnings) await io.Error.WriteLineAsync("warning: " + warning);

            if (parsed.GetValue(json))
            {
                await io.WriteJsonAsync(new
                {
                    results = summary.Results, @new = summary.New, unchanged = summary.Unchanged, updated = summary.Updated,
                    absent = summary.Absent, suppressed = summary.Suppressed, newCases = summary.NewCases,
                    importId = summary.ImportId, project = summary.Project, revision = summary.Revision, alreadyImported = summary.AlreadyImported,
                    pathBases = summary.PathBases, warnings = summary.Warnings, signals = summary.Signals,
                });
                return ExitCode.Ok;
            }
            if (summary.AlreadyImported)
                await io.Out.WriteLineAsync($"Already imported into {summary.Project} (import {summary.ImportId}); nothing added.");
            await io.Out.WriteLineAsync(
                $"{summary.Results:N0} results into {summary.Project} at {summary.Revision}: " +
                $"{summary.New:N0} new, {summary.Unchanged:N0} unchanged, " +
                $"{summary.Updated:N0} updated, {summary.Absent:N0} absent, {summary.Suppressed:N0} suppressed; {summary.NewCases:N0} new cases.");
            var s = summary.Signals;
            if (s.NotSecurity > 0 || s.Security > 0)
                await io.Out.WriteLineAsync($"Signal: {s.Security:N0} security, {s.Unknown:N0} unknown, {s.NotSecurity:N0} not security " +
                    "(kept as quality findings unless the project opens cases for them: clearwing projects set).");
            foreach (var b in summary.PathBases)
                await io.Out.WriteLineAsync($"Paths under {b.Folder} stored relative to it ({Describe(b.Source)}).");
            return ExitCode.Ok;
        });
        return command;
    }

    /// <summary>A folder as given; a relative one is taken from here. A Windows or URI form is kept as the log would write it.</summary>
    static string? SourceRoot(string? value) =>
        string.IsNullOrWhiteSpace(value) ? null : value.Contains(':') || Path.IsPathRooted(value) ? value : Path.GetFullPath(value);

    static string Describe(PathBaseSource source) => source switch
    {
        PathBaseSource.SourceRoot => "--source-root",
        PathBaseSource.OriginalUriBaseIds => "the log's originalUriBaseIds",
        PathBaseSource.VersionControl => "the log's versionControlProvenance",
        _ => "the folder common to the run's files; pass --source-root to choose it",
    };
}
