using System.CommandLine;
using Clearwing.Access;

namespace Clearwing.Cli.Access;

/// <summary>clearwing admin init --org NAME --admin LOGIN [--password-stdin] [--json] — the first org, admin and token.</summary>
public static class AdminVerb
{
    public static Command Create(CliIO io)
    {
        var org = new Option<string>("--org") { Description = "The coordinator org's name", Required = true };
        var admin = new Option<string>("--admin") { Description = "The first admin's login (an email address or user name)", Required = true };
        var passwordStdin = new Option<bool>("--password-stdin")
        {
            Description = "Read the admin's password from standard input (else one is generated and shown once)",
        };
        var json = new Option<bool>("--json") { Description = "Print one JSON object" };
        var init = new Command("init", "On an empty database: create the coordinator org, its first admin and an admin API token.")
        {
            org, admin, passwordStdin, json,
        };
        init.SetAction(async (parsed, ct) =>
        {
            // The first token is made here, so no server can be asked yet: init works on the database itself.
            if (parsed.GetValue(CliApp.Server) is not null)
                throw new BadInputException("admin init works on the database (--db), before any server has a token to accept.");
            var password = parsed.GetValue(passwordStdin) ? await io.ReadPasswordAsync() : null;
            await using var app = await io.OpenServicesAsync(parsed, ct);
            var result = await app.Get<OrgStore>().InitAsync(parsed.GetValue(org)!, parsed.GetValue(admin)!, password, ct);
            if (parsed.GetValue(json))
            {
                await io.WriteJsonAsync(new
                {
                    org = result.Org.Name, admin = result.Admin.Login, password = result.Password, tokenId = result.Token.Token.Id,
                    token = result.Token.Secret,
                });
                return ExitCode.Ok;
            }
            await io.Out.WriteLineAsync($"Created coordinator org '{result.Org.Name}' with admin '{result.Admin.Login}'.");
            if (result.Password is not null) await io.Out.WriteLineAsync($"Admin password (shown once): {result.Password}");
            await io.Out.WriteLineAsync($"Admin API token {result.Token.Token.Id} (shown once): {result.Token.Secret}");
            await io.Out.WriteLineAsync(
                "Use it with: export CLEARWING_TOKEN=<token>; curl -H \"Authorization: Bearer $CLEARWING_TOKEN\" http://127.0.0.1:8080/api/v1/me");
            return ExitCode.Ok;
        });
        return new Command("admin", "Set up a new Clearwing database.") { init };
    }
}
