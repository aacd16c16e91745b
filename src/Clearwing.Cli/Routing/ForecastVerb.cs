using System.CommandLine;
using System.Globalization;
using Clearwing.Routing;

namespace Clearwing.Cli.Routing;

/// <summary>clearwing forecast [--project P] [--json] — when the backlog clears, per project and overall (docs/forecast.md).</summary>
public static class ForecastVerb
{
    public static Command Create(CliIO io)
    {
        var project = new Option<string?>("--project") { Description = "One project's forecast (default: every project and overall)" };
        var json = new Option<bool>("--json") { Description = "Print the forecast as JSON, as the API does" };
        var command = new Command("forecast",
            "Whether fixing keeps up: the backlog, the weekly inflow of confirmed cases and of fixes, the date the backlog clears with an " +
            "80% band, and the deadlines predicted to be missed.") { project, json };
        command.SetAction(async (parsed, ct) =>
        {
            await using var backend = await Backend.OpenAsync(parsed, io, ct);
            var forecast = await backend.GetForecastAsync(parsed.GetValue(project), ct);
            if (parsed.GetValue(json))
            {
                await io.WriteJsonAsync(forecast);
                return ExitCode.Ok;
            }
            await WriteAsync(io, forecast);
            return ExitCode.Ok;
        });
        return command;
    }

    static async Task WriteAsync(CliIO io, Forecast f)
    {
        await io.Out.WriteLineAsync(
            $"{(f.Project is { } p ? $"Project {p}" : "Overall")}: backlog {f.Backlog}, {Rate(f.InflowPerWeek)} confirmed and " +
            $"{Rate(f.FixesPerWeek)} fixed a week over the last {f.WindowWeeks} weeks.");
        await io.Out.WriteLineAsync(f.ClearsOn is { } on
            ? $"Clears on {Date(on)} (80% between {Date(f.ClearsOnLow)} and {Date(f.ClearsOnHigh)}; {f.Trials} trials)."
            : $"Does not clear: {f.Reason}.");
        await io.Out.WriteLineAsync();
        var projects = new Listing(("project", Fit.Value), ("backlog", Fit.Value), ("inflow/week", Fit.Value), ("fixes/week", Fit.Value),
            ("clears on", Fit.Value), ("80% band", Fit.Value), ("deadlines at risk", Fit.Value), ("why not", Fit.Text));
        foreach (var x in f.Projects)
            projects.Add(x.Project, N(x.Backlog), Rate(x.InflowPerWeek), Rate(x.FixesPerWeek), Date(x.ClearsOn),
                x.ClearsOn is null ? "" : $"{Date(x.ClearsOnLow)} – {Date(x.ClearsOnHigh)}", N(x.AtRisk), x.Reason ?? "");
        projects.Write(io);
        await io.Out.WriteLineAsync();
        await io.Out.WriteLineAsync($"Deadlines predicted to be missed: {f.DeadlinesAtRiskTotal}");
        if (f.DeadlinesAtRisk.Count == 0) return;
        var risks = new Listing(("case", Fit.Id), ("project", Fit.Value), ("deadline", Fit.Value), ("predicted fix", Fit.Value),
            ("in queue", Fit.Value), ("title", Fit.Text));
        foreach (var r in f.DeadlinesAtRisk)
            risks.Add(r.Case, r.Project, r.Deadline.ToString("u", CultureInfo.InvariantCulture), r.PredictedFix is { } d ? Date(d) : "never",
                N(r.Position), r.Title);
        risks.Write(io);
    }

    static string N(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

    static string Rate(double perWeek) => perWeek.ToString("0.##", CultureInfo.InvariantCulture);

    static string Date(DateOnly? date) => date?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "-";
}
