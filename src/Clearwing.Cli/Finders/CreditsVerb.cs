using System.CommandLine;
using System.Globalization;
using Clearwing.Finders.Campaigns;

namespace Clearwing.Cli.Finders;

/// <summary>
/// clearwing credits [ORG] [--json] | credits grant ORG AMOUNT [--currency C] [--note TEXT] — each org's usage credits: granted, spent
/// by its campaigns (per campaign, repository and model) and left (docs/campaigns.md, "Credits").
/// </summary>
public static class CreditsVerb
{
    public static Command Create(CliIO io)
    {
        var org = new Argument<string?>("org")
        {
            Description = "One org (default: every org you may see that has credits or campaigns)", Arity = ArgumentArity.ZeroOrOne,
        };
        var json = new Option<bool>("--json") { Description = "Print JSON (an array; one object with ORG)" };
        var command = new Command("credits", "Usage credits: what each org was granted, what its campaigns spent and where, what is left.")
        {
            org, json,
        };
        command.SetAction(async (parsed, ct) =>
        {
            await using var backend = await Backend.OpenAsync(parsed, io, ct);
            if (parsed.GetValue(org) is { } one)
            {
                var credits = await backend.GetCreditsAsync(one, ct);
                if (parsed.GetValue(json)) await io.WriteJsonAsync(credits);
                else await WriteAsync(io, credits, detail: true);
                return ExitCode.Ok;
            }
            var all = await backend.ListCreditsAsync(ct);
            if (parsed.GetValue(json))
            {
                await io.WriteJsonAsync(all);
                return ExitCode.Ok;
            }
            if (all.Count == 0) await io.Out.WriteLineAsync("No org has credits yet (clearwing credits grant ORG AMOUNT).");
            foreach (var credits in all) await WriteAsync(io, credits, detail: false);
            return ExitCode.Ok;
        });

        var grantOrg = new Argument<string>("org") { Description = "The org granted the credits" };
        var amount = new Argument<string>("amount") { Description = "How much (a negative amount takes some back), e.g. 250 or 12.5" };
        var currency = new Option<string>("--currency")
        {
            Description = "The unit (default USD); every grant of an org is in one", DefaultValueFactory = _ => "USD",
        };
        var note = new Option<string?>("--note") { Description = "Why (kept with the grant)" };
        var grantJson = new Option<bool>("--json") { Description = "Print the grant as JSON" };
        var grant = new Command("grant", "Grant an org usage credits (the coordinator's admins).") { grantOrg, amount, currency, note, grantJson };
        grant.SetAction(async (parsed, ct) =>
        {
            if (!decimal.TryParse(parsed.GetValue(amount), NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint,
                    CultureInfo.InvariantCulture, out var value))
                throw new BadInputException($"'{parsed.GetValue(amount)}' is not an amount: a number such as 250 or 12.5.");
            await using var backend = await Backend.OpenAsync(parsed, io, ct);
            var granted = await backend.GrantCreditsAsync(
                parsed.GetValue(grantOrg)!, value, parsed.GetValue(currency)!, parsed.GetValue(note), ct);
            if (parsed.GetValue(grantJson))
            {
                await io.WriteJsonAsync(granted);
                return ExitCode.Ok;
            }
            var credits = await backend.GetCreditsAsync(granted.Org, ct);
            await io.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"Granted {granted.Org} {granted.Amount:0.######} {granted.Currency}; " +
                $"its balance is {credits.Balance:0.######} {credits.Currency}."));
            return ExitCode.Ok;
        });
        command.Subcommands.Add(grant);
        return command;
    }

    static async Task WriteAsync(CliIO io, OrgCredits c, bool detail)
    {
        string Money(decimal amount) => string.Create(CultureInfo.InvariantCulture, $"{amount:0.######} {c.Currency}");
        await io.Out.WriteLineAsync($"{c.Org}: balance {Money(c.Balance)} (granted {Money(c.Granted)}, spent {Money(c.Spent)})");
        foreach (var m in c.Models)
            await io.Out.WriteLineAsync(
                $"  model {m.Model}: {Money(m.Spent)} ({m.Units:N0} units, {m.InputTokens:N0} in / {m.OutputTokens:N0} out tokens)");
        if (!detail) return;
        foreach (var campaign in c.Campaigns)
            await io.Out.WriteLineAsync($"  campaign {campaign.Campaign} '{campaign.Name}': {Money(campaign.Spent)}");
        foreach (var repository in c.Repositories) await io.Out.WriteLineAsync($"  repository {repository.Repository}: {Money(repository.Spent)}");
    }
}
