using System.CommandLine;
using Clearwing.Cases;
using Spectre.Console;

namespace Clearwing.Cli.Cases;

/// <summary>clearwing projects list [--json] · clearwing projects set NAME --non-security quality|cases [--json]</summary>
public static class ProjectsVerb
{
    public static Command Create(CliIO io) => new("projects", "Projects (created by imports) and their settings.") { List(io), Set(io) };

    static Command List(CliIO io)
    {
        var json = new Option<bool>("--json") { Description = "Print a JSON array" };
        var command = new Command("list", "List the projects and their settings.") { json };
        command.SetAction(async (parsed, ct) =>
        {
            await using var backend = await Backend.OpenAsync(parsed, io, ct);
            var projects = await backend.ListProjectsAsync(ct);
            if (parsed.GetValue(json))
            {
                await io.WriteJsonAsync(projects);
                return ExitCode.Ok;
            }
            var table = new Table().AddColumns("project", "created", "findings that are not security relevant");
            foreach (var p in projects)
                table.AddRow(Markup.Escape(p.Name), p.CreatedAt.ToString("u"), Describe(p.NonSecurity));
            io.Ansi.Write(table);
            return ExitCode.Ok;
        });
        return command;
    }

    static Command Set(CliIO io)
    {
        var name = new Argument<string>("project") { Description = "Project name" };
        var nonSecurity = new Option<string>("--non-security")
        {
            Description = "What to do with findings that are not security relevant: quality (keep them as quality findings, outside the " +
                "vulnerability queue; the default) or cases (open cases for them, ranked below every other case)",
            Required = true,
        };
        nonSecurity.AcceptOnlyFromAmong("quality", "cases");
        var json = new Option<bool>("--json") { Description = "Print the project as a JSON object" };
        var command = new Command("set", "Change a project's settings.") { name, nonSecurity, json };
        command.SetAction(async (parsed, ct) =>
        {
            await using var backend = await Backend.OpenAsync(parsed, io, ct);
            var project = await backend.SetNonSecurityAsync(
                parsed.GetValue(name)!, ProjectSettingsStore.Parse(parsed.GetValue(nonSecurity)!), ct);
            if (parsed.GetValue(json)) await io.WriteJsonAsync(project);
            else await io.Out.WriteLineAsync($"{project.Name}: findings that are not security relevant: {Describe(project.NonSecurity)}.");
            return ExitCode.Ok;
        });
        return command;
    }

    static string Describe(NonSecurityHandling handling) => handling == NonSecurityHandling.Cases
        ? "open cases in the vulnerability queue, ranked below the rest"
        : "kept as quality findings (cases list --signal not-security)";
}
