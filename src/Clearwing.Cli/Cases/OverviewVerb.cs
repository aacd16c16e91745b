using System.CommandLine;
using System.Globalization;
using Clearwing.Cases;
using Spectre.Console;

namespace Clearwing.Cli.Cases;

/// <summary>clearwing overview [--weeks N] [--window DAYS] [--json] (docs/overview.md)</summary>
public static class OverviewVerb
{
    public static Command Create(CliIO io)
    {
        var defaults = new OverviewOptions();
        var weeks = new Option<int>("--weeks")
        {
            Description = $"New and fixed cases for this many weeks, the current one included (1–{OverviewOptions.MaxWeeks})",
            DefaultValueFactory = _ => defaults.Weeks,
        };
        var window = new Option<int>("--window")
        {
            Description = $"Deadlines at risk: passed, or at most this many days away (0–{OverviewOptions.MaxWindowDays})",
            DefaultValueFactory = _ => defaults.WindowDays,
        };
        var json = new Option<bool>("--json") { Description = "Print the overview as JSON, as the API does" };
        var command = new Command("overview",
            "The program at a glance: the funnel from findings to disclosure, new and fixed cases per week, time in each state, " +
            "deadlines at risk, the biggest backlogs.")
        {
            weeks, window, json,
        };
        command.SetAction(async (parsed, ct) =>
        {
            await using var backend = await Backend.OpenAsync(parsed, io, ct);
            var overview = await backend.GetOverviewAsync(new OverviewOptions(parsed.GetValue(weeks), parsed.GetValue(window)), ct);
            if (parsed.GetValue(json))
            {
                await io.WriteJsonAsync(overview);
                return ExitCode.Ok;
            }
            await WriteAsync(io, overview);
            return ExitCode.Ok;
        });
        return command;
    }

    static async Task WriteAsync(CliIO io, ProgramOverview o)
    {
        await io.Out.WriteLineAsync("Funnel (cases in the vulnerability queue, not merged away)");
        var funnel = new Listing(("stage", Fit.Value), ("count", Fit.Value), ("moves on", Fit.Value));
        foreach (var step in o.Funnel)
            funnel.Add(Stage(step.Stage), step.Count is { } n ? N(n) : "-", step.Share is { } share ? Percent(share) : "");
        funnel.Write(io);

        await io.Out.WriteLineAsync();
        await io.Out.WriteLineAsync("New and fixed cases per week (weeks from Monday, UTC)");
        var activity = new Listing(("week", Fit.Value), ("opened", Fit.Value), ("fixed", Fit.Value));
        foreach (var w in o.Weeks) activity.Add(w.Week.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), N(w.Opened), N(w.Fixed));
        activity.Write(io);

        await io.Out.WriteLineAsync();
        await io.Out.WriteLineAsync("Time in each state (stays that ended)");
        var stages = new Listing(("state", Fit.Value), ("now", Fit.Value), ("left", Fit.Value), ("median", Fit.Value),
            ("90th percentile", Fit.Value));
        foreach (var s in o.Stages)
            stages.Add(Lifecycle.Name(s.State), N(s.Current), N(s.Left), Hours(s.MedianHours), Hours(s.P90Hours));
        stages.Write(io);

        await io.Out.WriteLineAsync();
        var d = o.Deadlines;
        await io.Out.WriteLineAsync(
            $"Deadlines at risk: {N(d.Count)} open cases with a deadline passed or within {d.WindowDays} days ({N(d.Passed)} passed)");
        if (d.Nearest.Count > 0)
        {
            var deadlines = new Listing(("case", Fit.Id), ("project", Fit.Value), ("state", Fit.Value), ("deadline", Fit.Value), ("when", Fit.Value),
                ("title", Fit.Text));
            foreach (var n in d.Nearest)
                deadlines.Add(n.Case, n.Project, Lifecycle.Name(n.State), DeadlinesVerb.Words(n.Kind),
                    n.At.ToString("u", CultureInfo.InvariantCulture), n.Title);
            deadlines.Write(io);
        }

        await BacklogsAsync(io, "Biggest backlogs by project (open cases)", "project", o.Projects);
        await BacklogsAsync(io, "Biggest backlogs by maintainer org (open cases granted to it)", "org", o.Orgs);
    }

    static async Task BacklogsAsync(CliIO io, string title, string column, IReadOnlyList<Backlog> backlogs)
    {
        await io.Out.WriteLineAsync();
        await io.Out.WriteLineAsync(title);
        if (backlogs.Count == 0)
        {
            await io.Out.WriteLineAsync("(none)");
            return;
        }
        var table = new Listing((column, Fit.Value), ("open", Fit.Value), ("new", Fit.Value), ("triage", Fit.Value), ("confirmed", Fit.Value),
            ("notified", Fit.Value), ("fix_in_progress", Fit.Value));
        foreach (var b in backlogs)
            table.Add(b.Name, new Cell(N(b.Open), new Style(decoration: Decoration.Bold)), N(b.New), N(b.Triage), N(b.Confirmed), N(b.Notified),
                N(b.FixInProgress));
        table.Write(io);
    }

    static string Stage(FunnelStage stage) => stage switch
    {
        FunnelStage.FixVerified => "fix verified",
        _ => stage.ToString().ToLowerInvariant(),
    };

    static string N(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

    static string Percent(double share) => share.ToString("0.0%", CultureInfo.InvariantCulture);

    /// <summary>"-" for none, else days and hours: "3d 4h", "5h", "0h".</summary>
    static string Hours(long? hours) => hours switch
    {
        null => "-",
        >= 24 => hours % 24 == 0 ? $"{hours / 24}d" : $"{hours / 24}d {hours % 24}h",
        _ => $"{hours}h",
    };
}
