using System.CommandLine;
using Clearwing.Cases;
using Spectre.Console;

namespace Clearwing.Cli.Cases;

/// <summary>clearwing deadlines [--status S] [--tz ZONE] [--limit N] [--offset N] [--json]</summary>
public static class DeadlinesVerb
{
    public static Command Create(CliIO io)
    {
        var status = new Option<string?>("--status") { Description = "Only deadlines with this status: upcoming, due-soon or breached" };
        var tz = new Option<string?>("--tz") { Description = "Show instants in this IANA zone (e.g. Europe/Berlin); default UTC" };
        var limit = new Option<int>("--limit") { Description = "At most this many (max 1000)", DefaultValueFactory = _ => 100 };
        var offset = new Option<int>("--offset") { Description = "Skip this many", DefaultValueFactory = _ => 0 };
        var json = new Option<bool>("--json") { Description = "Print the page as JSON: {items, total, offset, limit}, as the API does" };
        var command = new Command("deadlines", "Open deadlines of the notified, undisclosed cases, soonest first (breached ones lead).")
        {
            status, tz, limit, offset, json,
        };
        command.SetAction(async (parsed, ct) =>
        {
            var zone = ZonedDeadlines.Zone(parsed.GetValue(tz));
            var filter = new DeadlineFilter(
                parsed.GetValue(status) is { } s ? DeadlineFilter.ParseStatus(s) : null, parsed.GetValue(offset), parsed.GetValue(limit));
            await using var backend = await Backend.OpenAsync(parsed, io, ct);
            var page = await backend.ListDeadlinesAsync(filter, zone.Id, ct);
            if (parsed.GetValue(json))
            {
                await io.WriteJsonAsync(page);
                return ExitCode.Ok;
            }
            var table = new Listing(("case", Fit.Id), ("project", Fit.Value), ("deadline", Fit.Value), ("when", Fit.Value), ("status", Fit.Value),
                ("rule", Fit.Text));
            foreach (var d in page.Items) table.Add(d.Case, d.Project, Words(d.Kind), d.At, Styled(d.Status), d.Rule);
            table.Write(io);
            await io.Out.WriteLineAsync($"{page.Items.Count} of {page.Total:N0} open deadlines; times in {zone.Id}.");
            return ExitCode.Ok;
        });
        return command;
    }

    /// <summary>"public disclosure", "technical details", "escalation".</summary>
    internal static string Words(DeadlineKind kind) => kind switch
    {
        DeadlineKind.PublicDisclosure => "public disclosure",
        DeadlineKind.TechnicalDetails => "technical details",
        _ => "escalation",
    };

    static Cell Styled(DeadlineStatus status) => status switch
    {
        DeadlineStatus.Breached => new Cell("breached", new Style(Color.Red)),
        DeadlineStatus.DueSoon => new Cell("due soon", new Style(Color.Yellow)),
        DeadlineStatus.Met => "met",
        _ => "upcoming",
    };
}
