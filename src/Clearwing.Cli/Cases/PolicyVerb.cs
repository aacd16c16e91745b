using System.CommandLine;

namespace Clearwing.Cli.Cases;

/// <summary>clearwing policy show [--json] | policy set PROFILE [--project P] | policy unset --project P</summary>
public static class PolicyVerb
{
    public static Command Create(CliIO io) =>
        new("policy", "Disclosure policy: the default profile and per-project overrides.") { Show(io), Set(io), Unset(io) };

    static Command Show(CliIO io)
    {
        var json = new Option<bool>("--json") { Description = "Print a JSON object, as the API does" };
        var command = new Command("show", "Show the default profile, the project overrides and the profiles there are.") { json };
        command.SetAction(async (parsed, ct) =>
        {
            await using var backend = await Backend.OpenAsync(parsed, io, ct);
            var settings = await backend.GetDisclosurePolicyAsync(ct);
            if (parsed.GetValue(json))
            {
                await io.WriteJsonAsync(settings);
                return ExitCode.Ok;
            }
            await io.Out.WriteLineAsync(settings.SetBy is null
                ? $"Default profile: {settings.DefaultProfile} (shipped default)"
                : $"Default profile: {settings.DefaultProfile} (set by {settings.SetBy} at {settings.SetAt:u})");
            var overrides = new Listing(("project", Fit.Id), ("profile", Fit.Value), ("set by", Fit.Id), ("set at", Fit.Value));
            foreach (var o in settings.Overrides) overrides.Add(o.Project, o.Profile, o.SetBy, o.SetAt.ToString("u"));
            if (settings.Overrides.Count > 0) overrides.Write(io);
            var profiles = new Listing(("profile", Fit.Id), ("rules", Fit.Text));
            foreach (var p in settings.Profiles) profiles.Add(p.Name, p.Summary);
            profiles.Write(io);
            return ExitCode.Ok;
        });
        return command;
    }

    static Command Set(CliIO io)
    {
        var profile = new Argument<string>("profile") { Description = "A profile name: coordinator, oss-fuzz or project-zero" };
        var project = new Option<string?>("--project") { Description = "Set this project's override instead of the default" };
        var command = new Command("set", "Set the default profile, or with --project a project's override.") { profile, project };
        command.SetAction(async (parsed, ct) =>
        {
            await using var backend = await Backend.OpenAsync(parsed, io, ct);
            if (parsed.GetValue(project) is { } p)
            {
                await backend.SetProjectProfileAsync(p, parsed.GetValue(profile)!, ct);
                await io.Out.WriteLineAsync($"Project {p} now follows the {parsed.GetValue(profile)} profile.");
            }
            else
            {
                var settings = await backend.SetDefaultProfileAsync(parsed.GetValue(profile)!, ct);
                await io.Out.WriteLineAsync($"The default profile is now {settings.DefaultProfile}.");
            }
            return ExitCode.Ok;
        });
        return command;
    }

    static Command Unset(CliIO io)
    {
        var project = new Option<string>("--project") { Description = "The project whose override to remove", Required = true };
        var command = new Command("unset", "Remove a project's override, so it follows the default profile again.") { project };
        command.SetAction(async (parsed, ct) =>
        {
            await using var backend = await Backend.OpenAsync(parsed, io, ct);
            var settings = await backend.SetProjectProfileAsync(parsed.GetValue(project)!, null, ct);
            await io.Out.WriteLineAsync($"Project {parsed.GetValue(project)} now follows the default profile ({settings.DefaultProfile}).");
            return ExitCode.Ok;
        });
        return command;
    }
}
