using System.CommandLine;
using Clearwing.Access;

namespace Clearwing.Cli.Access;

/// <summary>clearwing orgs list [--json] | orgs create NAME --kind KIND</summary>
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
        return new Command("orgs", "Organizations: coordinator, maintainers, validators, downstream.") { list, create };
    }
}
