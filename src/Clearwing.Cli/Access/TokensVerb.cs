using System.CommandLine;
using Clearwing.Access;

namespace Clearwing.Cli.Access;

/// <summary>clearwing tokens list ORG [--json] | tokens create ORG --name N --role R [--expires-days D] [--for LOGIN] [--json]
/// | tokens revoke ID</summary>
public static class TokensVerb
{
    public static Command Create(CliIO io)
    {
        var org = new Argument<string>("org") { Description = "The org the token is bound to" };
        var json = new Option<bool>("--json") { Description = "Print JSON" };
        var list = new Command("list", "List an org's API tokens (never their secrets).") { org, json };
        list.SetAction(async (parsed, ct) =>
        {
            await using var backend = await Backend.OpenAsync(parsed, io, ct);
            var tokens = await backend.ListTokensAsync(parsed.GetValue(org)!, ct);
            if (parsed.GetValue(json))
            {
                await io.WriteJsonAsync(tokens);
                return ExitCode.Ok;
            }
            var table = new Listing(("id", Fit.Id), ("name", Fit.Text), ("role", Fit.Value), ("created", Fit.Value), ("expires", Fit.Value),
                ("revoked", Fit.Value), ("last used", Fit.Value));
            foreach (var t in tokens)
                table.Add(t.Id, t.Name, t.Role.Name(), t.CreatedAt.ToString("u"), t.ExpiresAt?.ToString("u") ?? "never", t.RevokedAt?.ToString("u"),
                    t.LastUsedAt?.ToString("u"));
            table.Write(io);
            return ExitCode.Ok;
        });

        var name = new Option<string>("--name") { Description = "What the token is for (a finder, a script, a person)", Required = true };
        var role = new Option<string>("--role") { Description = "admin, triager or viewer", Required = true };
        var days = new Option<int?>("--expires-days") { Description = "Expire after this many days (default: 90; 0 = never)" };
        var member = new Option<string?>("--for")
        {
            Description = "The member of the org the token speaks for: removing them revokes it (default: the member you speak for)",
        };
        var create = new Command("create", "Create an API token; its secret is printed once.") { org, name, role, days, member, json };
        create.SetAction(async (parsed, ct) =>
        {
            var tokenRole = AccessNames.ParseRole(parsed.GetValue(role)!);
            var expiresDays = parsed.GetValue(days) ?? 90;
            if (expiresDays < 0) throw new BadInputException($"--expires-days {expiresDays}: expected 0 (never) or more.");
            await using var backend = await Backend.OpenAsync(parsed, io, ct);
            var token = await backend.CreateTokenAsync(
                parsed.GetValue(org)!, parsed.GetValue(name)!, tokenRole, expiresDays, parsed.GetValue(member), ct);
            if (parsed.GetValue(json))
            {
                await io.WriteJsonAsync(
                    new { token.Token.Id, token.Token.Org, token.Token.Name, token.Token.Role, token.Token.ExpiresAt, secret = token.Secret });
                return ExitCode.Ok;
            }
            await io.Out.WriteLineAsync(
                $"Token {token.Token.Id} for '{token.Token.Org}' ({token.Token.Role.Name()}, " +
                $"expires {token.Token.ExpiresAt?.ToString("u") ?? "never"}).");
            await io.Out.WriteLineAsync($"Secret (shown once): {token.Secret}");
            return ExitCode.Ok;
        });

        var id = new Argument<string>("id") { Description = "The token's id (from tokens list)" };
        var revoke = new Command("revoke", "Revoke a token at once.") { id };
        revoke.SetAction(async (parsed, ct) =>
        {
            await using var backend = await Backend.OpenAsync(parsed, io, ct);
            var token = await backend.RevokeTokenAsync(parsed.GetValue(id)!, ct);
            await io.Out.WriteLineAsync($"Revoked token {token.Id} ({token.Name}) of '{token.Org}'.");
            return ExitCode.Ok;
        });
        return new Command("tokens", "API tokens: 256 random bits, bound to one org, stored only as a hash.") { list, create, revoke };
    }
}
