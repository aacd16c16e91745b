using System.CommandLine;
using Clearwing.Access;

namespace Clearwing.Cli.Access;

/// <summary>clearwing grants list CASE [--json] | grants add CASE ORG --reason R | grants revoke CASE ORG</summary>
public static class GrantsVerb
{
    public static Command Create(CliIO io)
    {
        var caseId = new Argument<string>("case") { Description = "The case's id" };
        var json = new Option<bool>("--json") { Description = "Print a JSON array" };
        var list = new Command("list", "The orgs with need-to-know on a case.") { caseId, json };
        list.SetAction(async (parsed, ct) =>
        {
            await using var backend = await Backend.OpenAsync(parsed, io, ct);
            var grants = await backend.ListGrantsAsync(parsed.GetValue(caseId)!, ct);
            if (parsed.GetValue(json))
            {
                await io.WriteJsonAsync(grants);
                return ExitCode.Ok;
            }
            var table = new Listing(("org", Fit.Id), ("kind", Fit.Value), ("access", Fit.Value), ("granted by", Fit.Id),
                ("reason", Fit.Text), ("granted", Fit.Value));
            foreach (var g in grants) table.Add(g.Org, g.Kind.Name(), g.Access, g.GrantedBy, g.Reason, g.GrantedAt.ToString("u"));
            table.Write(io);
            return ExitCode.Ok;
        });

        var org = new Argument<string>("org") { Description = "A maintainer or validator org" };
        var reason = new Option<string>("--reason") { Description = "Why this org needs to know (recorded)", Required = true };
        var add = new Command("add", "Give an org need-to-know on a case.") { caseId, org, reason };
        add.SetAction(async (parsed, ct) =>
        {
            await using var backend = await Backend.OpenAsync(parsed, io, ct);
            var grant = await backend.GrantAsync(parsed.GetValue(caseId)!, parsed.GetValue(org)!, parsed.GetValue(reason)!, ct);
            await io.Out.WriteLineAsync($"Granted {grant.Org} ({grant.Access}) need-to-know on case {grant.Case}.");
            return ExitCode.Ok;
        });

        var revoke = new Command("revoke", "Take an org's need-to-know on a case away.") { caseId, org };
        revoke.SetAction(async (parsed, ct) =>
        {
            await using var backend = await Backend.OpenAsync(parsed, io, ct);
            await backend.RevokeGrantAsync(parsed.GetValue(caseId)!, parsed.GetValue(org)!, ct);
            await io.Out.WriteLineAsync($"Revoked {parsed.GetValue(org)}'s grant on case {parsed.GetValue(caseId)}.");
            return ExitCode.Ok;
        });
        return new Command("grants", "Need-to-know: which orgs see which cases.") { list, add, revoke };
    }
}
