using System.CommandLine;
using Clearwing.Access;

namespace Clearwing.Cli.Access;

/// <summary>clearwing members list ORG [--json] | members add ORG LOGIN --role ROLE [--password-stdin] | members remove ORG LOGIN
/// | members password LOGIN (stdin)</summary>
public static class MembersVerb
{
    public static Command Create(CliIO io)
    {
        var org = new Argument<string>("org") { Description = "The org's name" };
        var json = new Option<bool>("--json") { Description = "Print a JSON array" };
        var list = new Command("list", "List an org's members.") { org, json };
        list.SetAction(async (parsed, ct) =>
        {
            await using var backend = await Backend.OpenAsync(parsed, io, ct);
            var members = await backend.ListMembersAsync(parsed.GetValue(org)!, ct);
            if (parsed.GetValue(json))
            {
                await io.WriteJsonAsync(members);
                return ExitCode.Ok;
            }
            var table = new Listing(("login", Fit.Id), ("role", Fit.Value), ("web login", Fit.Value), ("locked until", Fit.Value),
                ("created", Fit.Value));
            foreach (var m in members)
                table.Add(m.Login, m.Role.Name(), m.CanLogIn ? "yes" : "no", m.LockedUntil?.ToString("u"), m.CreatedAt.ToString("u"));
            table.Write(io);
            return ExitCode.Ok;
        });

        var login = new Argument<string>("login") { Description = "The member's login (an email address or user name)" };
        var role = new Option<string>("--role") { Description = "admin, triager or viewer", Required = true };
        var passwordStdin = new Option<bool>("--password-stdin") { Description = "Read a password for web login from standard input" };
        var add = new Command("add", "Add a member to an org.") { org, login, role, passwordStdin };
        add.SetAction(async (parsed, ct) =>
        {
            var memberRole = AccessNames.ParseRole(parsed.GetValue(role)!);
            var password = parsed.GetValue(passwordStdin) ? await io.ReadPasswordAsync() : null;
            await using var backend = await Backend.OpenAsync(parsed, io, ct);
            var member = await backend.AddMemberAsync(parsed.GetValue(org)!, parsed.GetValue(login)!, memberRole, password, ct);
            await io.Out.WriteLineAsync(
                $"Added {member.Role.Name()} '{member.Login}' to '{member.Org}'" +
                $"{(member.CanLogIn ? "" : " (no web login until a password is set)")}.");
            return ExitCode.Ok;
        });

        var remove = new Command("remove", "Remove a member from an org.") { org, login };
        remove.SetAction(async (parsed, ct) =>
        {
            await using var backend = await Backend.OpenAsync(parsed, io, ct);
            await backend.RemoveMemberAsync(parsed.GetValue(org)!, parsed.GetValue(login)!, ct);
            await io.Out.WriteLineAsync($"Removed '{parsed.GetValue(login)}' from '{parsed.GetValue(org)}'.");
            return ExitCode.Ok;
        });
        var memberOrg = new Option<string?>("--org") { Description = "The member's org, when the login is a member of several" };
        var password = new Command("password", "Set a member's password from standard input; every session of theirs ends.") { login, memberOrg };
        password.SetAction(async (parsed, ct) =>
        {
            var secret = await io.ReadPasswordAsync();
            await using var backend = await Backend.OpenAsync(parsed, io, ct);
            await backend.SetPasswordAsync(parsed.GetValue(login)!, parsed.GetValue(memberOrg), secret, ct);
            await io.Out.WriteLineAsync($"Password of '{parsed.GetValue(login)}' set; their sessions have ended.");
            return ExitCode.Ok;
        });
        return new Command("members", "An org's members and their roles.") { list, add, remove, password };
    }
}
