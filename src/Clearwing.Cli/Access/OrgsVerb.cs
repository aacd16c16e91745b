using System.CommandLine;
using Clearwing.Access;

namespace Clearwing.Cli.Access;

/// <summary>clearwing orgs list [--json] | orgs create NAME --kind KIND | orgs channels ORG [--webhook URL --secret-env VAR] [--email ADDR]</summary>
public static class OrgsVerb
{
    public static Command Create(CliIO io)
    {
        var json = new Option<bool>("--json") { Description = "Print a JSON array" };
        var list = new Command("list", "List orgs.") { json };
        list.SetAction(async (parsed, ct) =>
        {
            await using var backend = await Backend.OpenAsync(parsed, io, ct);
            var orgs = await backend.ListOrgsAsync(ct);
            if (parsed.GetValue(json))
            {
                await io.WriteJsonAsync(orgs);
                return ExitCode.Ok;
            }
            var table = new Listing(("name", Fit.Id), ("kind", Fit.Value), ("created", Fit.Value));
            foreach (var o in orgs) table.Add(o.Name, o.Kind.Name(), o.CreatedAt.ToString("u"));
            table.Write(io);
            return ExitCode.Ok;
        });

        var name = new Argument<string>("name") { Description = "The org's name" };
        var kind = new Option<string>("--kind") { Description = "coordinator, maintainer, validator or downstream", Required = true };
        var create = new Command("create", "Create an org.") { name, kind };
        create.SetAction(async (parsed, ct) =>
        {
            var orgKind = AccessNames.ParseKind(parsed.GetValue(kind)!);
            await using var backend = await Backend.OpenAsync(parsed, io, ct);
            var org = await backend.CreateOrgAsync(parsed.GetValue(name)!, orgKind, ct);
            await io.Out.WriteLineAsync($"Created {org.Kind.Name()} org '{org.Name}'.");
            return ExitCode.Ok;
        });
        return new Command("orgs", "Organizations: coordinator, maintainers, validators, downstream.") { list, create, Channels(io) };
    }

    /// <summary>An org's own channels: where a downstream org hears that an advisory naming its products is out.</summary>
    static Command Channels(CliIO io)
    {
        var org = new Argument<string>("org") { Description = "The org" };
        var webhook = new Option<string[]>("--webhook") { Description = "A webhook URL (https://; repeatable); replaces the org's channels" };
        var secretEnv = new Option<string?>("--secret-env") { Description = "The server's environment variable with the webhooks' signing secret" };
        var email = new Option<string[]>("--email") { Description = "An e-mail address (repeatable); replaces the org's channels" };
        var clear = new Option<bool>("--clear") { Description = "Remove all of the org's channels" };
        var json = new Option<bool>("--json") { Description = "Print the channels as JSON" };
        var command = new Command("channels", "Show an org's notification channels, or replace them (--webhook, --email, --clear).")
        {
            org, webhook, secretEnv, email, clear, json,
        };
        command.SetAction(async (parsed, ct) =>
        {
            var (hooks, addresses) = (parsed.GetValue(webhook) ?? [], parsed.GetValue(email) ?? []);
            var setting = parsed.GetValue(clear) || hooks.Length > 0 || addresses.Length > 0;
            if (hooks.Length > 0 && parsed.GetValue(secretEnv) is null)
                throw new BadInputException("--webhook needs --secret-env VAR: the server's environment variable that holds the signing secret.");
            if (parsed.GetValue(clear) && (hooks.Length > 0 || addresses.Length > 0))
                throw new BadInputException("Give --clear alone, or the channels to set.");
            await using var backend = await Backend.OpenAsync(parsed, io, ct);
            var channels = setting
                ? await backend.SetOrgChannelsAsync(parsed.GetValue(org)!,
                    [.. hooks.Select(h => new Clearwing.Routing.WebhookChannel(h, parsed.GetValue(secretEnv)!))], addresses, ct)
                : await backend.GetOrgChannelsAsync(parsed.GetValue(org)!, ct);
            if (parsed.GetValue(json))
            {
                await io.WriteJsonAsync(channels);
                return ExitCode.Ok;
            }
            if (channels.Webhooks.Count + channels.Email.Count == 0) await io.Out.WriteLineAsync($"{channels.Org} has no channels.");
            foreach (var h in channels.Webhooks) await io.Out.WriteLineAsync($"webhook {h.Url} (signed with ${h.SecretEnv})");
            foreach (var e in channels.Email) await io.Out.WriteLineAsync($"email {e}");
            return ExitCode.Ok;
        });
        return command;
    }
}
