using System.CommandLine;
using Clearwing.Cases;
using Clearwing.Routing;

namespace Clearwing.Cli.Cases;

/// <summary>
/// clearwing projects list [--json] · clearwing projects set NAME [--non-security quality|cases] [--cross-finder-joins on|off]
/// [--auto-confirm on|off] [--json] · clearwing projects import FILE [--json] · clearwing projects show NAME [--json]
/// </summary>
public static class ProjectsVerb
{
    public static Command Create(CliIO io) =>
        new("projects", "Projects (created by imports or their intake policies) and their settings.") { List(io), Set(io), Import(io), Show(io) };

    static Command Import(CliIO io)
    {
        var file = new Argument<string>("file") { Description = "The project's intake policy (docs/intake-policy.md): SECURITY-INTAKE.yaml" };
        var json = new Option<bool>("--json") { Description = "Print the project as a JSON object" };
        var command = new Command("import", "Import a project's security intake policy, creating the project if it is new.") { file, json };
        command.SetAction(async (parsed, ct) =>
        {
            await using var backend = await Backend.OpenAsync(parsed, io, ct);
            var entry = await backend.ImportProjectPolicyAsync(parsed.GetValue(file)!, ct);
            if (parsed.GetValue(json)) await io.WriteJsonAsync(entry);
            else await WriteAsync(io, entry);
            return ExitCode.Ok;
        });
        return command;
    }

    static Command Show(CliIO io)
    {
        var name = new Argument<string>("project") { Description = "Project name" };
        var json = new Option<bool>("--json") { Description = "Print the project as a JSON object" };
        var command = new Command("show", "Show a project as the registry has it: its intake policy, defaults filled in.") { name, json };
        command.SetAction(async (parsed, ct) =>
        {
            await using var backend = await Backend.OpenAsync(parsed, io, ct);
            var entry = await backend.GetProjectAsync(parsed.GetValue(name)!, ct);
            if (parsed.GetValue(json)) await io.WriteJsonAsync(entry);
            else await WriteAsync(io, entry);
            return ExitCode.Ok;
        });
        return command;
    }

    static async Task WriteAsync(CliIO io, ProjectEntry p)
    {
        var lines = new List<string>
        {
            $"{p.Project}: owner {p.Owner ?? "(none: no intake policy imported)"}; disclosure profile {p.Disclosure}" +
                (p.TimeZone is null ? "" : $"; time zone {p.TimeZone}"),
            $"  intake: {p.Intake.PerDay} new reports a day, {p.Intake.PerWeek} a week; AI findings {Name(p.Intake.AiFindings)}, " +
                $"AI patches {Name(p.Intake.AiPatches)}",
        };
        if (p.Packages.Count > 0) lines.Add($"  packages: {string.Join(", ", p.Packages)}");
        if (p.Repositories.Count > 0) lines.Add($"  repositories: {string.Join(", ", p.Repositories)}");
        if (p.Contacts.Count > 0) lines.Add($"  contacts: {string.Join(", ", p.Contacts)}");
        foreach (var rule in p.PathOwners)
            lines.Add($"  path owners: {rule.Pattern} → {(rule.Owners.Count == 0 ? "(no owner)" : string.Join(" ", rule.Owners))}");
        foreach (var hook in p.Channels.Webhooks) lines.Add($"  webhook: {hook.Url} (secret in ${hook.SecretEnv})");
        foreach (var mail in p.Channels.Email) lines.Add($"  e-mail: {mail.Address}{(mail.Digest is null ? "" : $" ({mail.Digest} digest)")}");
        if (p.Policy is { } source)
            lines.Add($"  policy: {source.Source}, sha256 {source.Digest[..12]}…, imported {source.ImportedAt:u} by {source.ImportedBy}");
        foreach (var line in lines) await io.Out.WriteLineAsync(line);
    }

    static string Name(Acceptance acceptance) => acceptance == Acceptance.Accept ? "accepted" : "refused";

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
            var table = new Listing(("project", Fit.Id), ("created", Fit.Value), ("findings that are not security relevant", Fit.Text),
                ("cross-finder joins", Fit.Value), ("auto-confirm", Fit.Value));
            foreach (var p in projects)
                table.Add(p.Name, p.CreatedAt.ToString("u"), Describe(p.NonSecurity), OnOff(p.CrossFinderJoins), OnOff(p.AutoConfirm));
            table.Write(io);
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
        };
        nonSecurity.AcceptOnlyFromAmong("quality", "cases");
        var joins = new Option<string>("--cross-finder-joins")
        {
            Description = "on (the default): a new finding joins the case of another finder's finding about the same flaw (same file, " +
                "overlapping lines, same CWE, or a shared CVE/GHSA alias); off: it opens a case of its own",
        };
        joins.AcceptOnlyFromAmong("on", "off");
        var autoConfirm = new Option<string>("--auto-confirm")
        {
            Description = "on (the default): a case whose reproducer reproduced in the sandbox is confirmed without a person, with the run " +
                "as its evidence; off: it waits in the validator queue",
        };
        autoConfirm.AcceptOnlyFromAmong("on", "off");
        var json = new Option<bool>("--json") { Description = "Print the project as a JSON object" };
        var command = new Command("set", "Change a project's settings.") { name, nonSecurity, joins, autoConfirm, json };
        command.SetAction(async (parsed, ct) =>
        {
            await using var backend = await Backend.OpenAsync(parsed, io, ct);
            var change = new ProjectSettings(
                parsed.GetValue(nonSecurity) is { } handling ? ProjectSettingsStore.Parse(handling) : null,
                parsed.GetValue(joins) is { } on ? on == "on" : null,
                parsed.GetValue(autoConfirm) is { } confirm ? confirm == "on" : null);
            var project = await backend.SetProjectAsync(parsed.GetValue(name)!, change, ct);
            if (parsed.GetValue(json)) await io.WriteJsonAsync(project);
            else
                await io.Out.WriteLineAsync($"{project.Name}: findings that are not security relevant: {Describe(project.NonSecurity)}; " +
                    $"cross-finder joins {OnOff(project.CrossFinderJoins)}; auto-confirm {OnOff(project.AutoConfirm)}.");
            return ExitCode.Ok;
        });
        return command;
    }

    static string OnOff(bool on) => on ? "on" : "off";

    static string Describe(NonSecurityHandling handling) => handling == NonSecurityHandling.Cases
        ? "open cases in the vulnerability queue, ranked below the rest"
        : "kept as quality findings (cases list --signal not-security)";
}
