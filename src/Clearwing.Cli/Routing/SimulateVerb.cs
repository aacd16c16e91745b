using System.CommandLine;
using System.Globalization;
using Clearwing.Hosting.Simulation;
using Clearwing.Storage;

namespace Clearwing.Cli.Routing;

/// <summary>
/// clearwing simulate [--weeks N] [--inflow PER_WEEK] [--projects N] [--capacity PER_DAY] [--fix-rate PER_WEEK] [--duplicates SHARE]
/// [--false-positives SHARE] [--seed N] [--pattern steady|bursty|declining] [--opening N] [--rates FILE] [--database DB] [--json] — a
/// campaign through the real pipeline on a simulated clock, and how the forecast made at its first quarter did (docs/forecast.md).
/// </summary>
public static class SimulateVerb
{
    /// <summary>The temporary database's files: SQLite's own and its write-ahead log's.</summary>
    static readonly string[] SqliteFiles = ["", "-wal", "-shm"];

    public static Command Create(CliIO io)
    {
        var d = new CampaignOptions();
        var weeks = new Option<int>("--weeks") { Description = "Weeks findings arrive for (1–260)", DefaultValueFactory = _ => d.Weeks };
        var inflow = new Option<int>("--inflow") { Description = "Findings a week, on average", DefaultValueFactory = _ => d.InflowPerWeek };
        var projects = new Option<int>("--projects") { Description = "Projects the findings are spread over", DefaultValueFactory = _ => d.Projects };
        var capacity = new Option<int>("--capacity")
            { Description = "New reports a day each project's intake policy accepts (1–100)", DefaultValueFactory = _ => d.CapacityPerDay };
        var fixRate = new Option<double>("--fix-rate")
            { Description = "Cases each project's maintainers fix a week", DefaultValueFactory = _ => d.FixRatePerWeek };
        var duplicates = new Option<double>("--duplicates")
            { Description = "Share of findings that re-report an earlier one", DefaultValueFactory = _ => d.Duplicates };
        var falsePositives = new Option<double>("--false-positives")
            { Description = "Share of new cases validation rejects as false positives", DefaultValueFactory = _ => d.FalsePositives };
        var seed = new Option<int>("--seed")
            { Description = "Seed of every draw: the same options and seed give the same report", DefaultValueFactory = _ => d.Seed };
        var pattern = new Option<string>("--pattern")
            { Description = "How findings arrive: steady, bursty or declining", DefaultValueFactory = _ => "steady" };
        pattern.AcceptOnlyFromAmong("steady", "bursty", "declining");
        var opening = new Option<int?>("--opening") { Description = "Findings of the projects' first scans (default: eight weeks of inflow)" };
        var rates = new Option<string?>("--rates")
        {
            Description = "Per-project capacity and fix rate: {\"projects\":[{\"name\":\"libpng\",\"capacity\":5,\"fixRate\":20},…]} " +
                "(sets the projects; what a project leaves out takes --capacity and --fix-rate)",
        };
        var database = new Option<string?>("--database")
        {
            Description = "An empty database to run on, kept afterwards (a SQLite file or a PostgreSQL connection string); " +
                "default a new temporary SQLite file, removed after",
        };
        var json = new Option<bool>("--json") { Description = "Print the report as JSON" };
        var command = new Command("simulate",
            "Simulate a campaign through the real pipeline on a simulated clock — import, dedup, validation verdicts, dispatch, fixes — " +
            "and report when the backlog cleared, the deadlines missed, the time to notification and fix per project, and how the " +
            "forecast made at a quarter of the campaign compared.")
        {
            weeks, inflow, projects, capacity, fixRate, duplicates, falsePositives, seed, pattern, opening, rates, database, json,
        };
        command.SetAction(async (parsed, ct) =>
        {
            var (cap, fix) = (parsed.GetValue(capacity), parsed.GetValue(fixRate));
            IReadOnlyList<SimulatedProject>? perProject = null;
            if (parsed.GetValue(rates) is { } file)
            {
                if (!File.Exists(file)) throw new BadInputException($"--rates {file}: no such file.");
                perProject = CampaignOptions.ReadRates(await File.ReadAllTextAsync(file, ct), file, cap, fix);
            }
            var options = new CampaignOptions(parsed.GetValue(weeks), parsed.GetValue(inflow), parsed.GetValue(projects), cap, fix,
                parsed.GetValue(duplicates), parsed.GetValue(falsePositives), parsed.GetValue(seed),
                Enum.Parse<InflowPattern>(parsed.GetValue(pattern)!, ignoreCase: true), parsed.GetValue(opening), perProject);
            options.Validate();
            var given = parsed.GetValue(database);
            var path = given ?? Path.Combine(PrivateFiles.Spool, $"simulation-{Guid.NewGuid():N}.db");
            SimulationReport report;
            try
            {
                await using var db = Database.Open(path);
                await Migrator.MigrateAsync(db, TimeProvider.System, ct);
                report = await CampaignSimulation.RunAsync(db, options, null, ct);
            }
            finally
            {
                if (given is null)
                    foreach (var suffix in SqliteFiles) File.Delete(path + suffix);
            }
            if (parsed.GetValue(json))
            {
                await io.WriteJsonAsync(report);
                return ExitCode.Ok;
            }
            await WriteAsync(io, report);
            return ExitCode.Ok;
        });
        return command;
    }

    static async Task WriteAsync(CliIO io, SimulationReport r)
    {
        var q = r.ForecastAtQuarter;
        await io.Out.WriteLineAsync(
            $"A {r.Pattern.ToString().ToLowerInvariant()} campaign of {r.Weeks} weeks from {Date(r.StartedOn)} (seed {r.Seed}): " +
            $"{N(r.Findings)} findings ({N(r.Duplicates)} re-reported), {N(r.Cases)} cases, {N(r.Rejected)} rejected, {N(r.Confirmed)} confirmed, " +
            $"{N(r.Notified)} notified, {N(r.Fixed)} fixed; the run ended on {Date(r.EndedOn)}.");
        await io.Out.WriteLineAsync(r.ClearedOn is { } c ? $"The backlog cleared on {Date(c)}." : "The backlog did not clear.");
        await io.Out.WriteLineAsync(
            $"Forecast made on {Date(DateOnly.FromDateTime(q.MadeOn.UtcDateTime))} (backlog {q.Backlog}, {q.InflowPerWeek} in and " +
            $"{q.FixesPerWeek} fixed a week): " +
            (q.ClearsOn is { } on ? $"clears on {Date(on)}, 80% between {Date(q.ClearsOnLow)} and {Date(q.ClearsOnHigh)}" : $"no date: {q.Reason}") +
            (q.Error is { } e ? $"; off by {e.ToString("+0.0%;-0.0%;0%", CultureInfo.InvariantCulture)} of the time to clearance" +
                (q.Within == true ? " (within ±10%)" : " (outside ±10%)") : "") + ".");
        await io.Out.WriteLineAsync($"Deadlines missed: {r.DeadlinesMissed}.");
        await io.Out.WriteLineAsync();
        var table = new Listing(("project", Fit.Value), ("capacity/day", Fit.Value), ("fixes/week", Fit.Value), ("confirmed", Fit.Value),
            ("fixed", Fit.Value), ("cleared on", Fit.Value), ("days to notify", Fit.Value), ("days to fix", Fit.Value),
            ("90% fixed within", Fit.Value), ("deadlines missed", Fit.Value));
        foreach (var p in r.Projects)
            table.Add(p.Name, N(p.CapacityPerDay), p.FixRatePerWeek.ToString("0.##", CultureInfo.InvariantCulture), N(p.Confirmed), N(p.Fixed),
                Date(p.ClearedOn), Days(p.MedianDaysToNotify), Days(p.MedianDaysToFix), Days(p.P90DaysToFix), N(p.DeadlinesMissed));
        table.Write(io);
    }

    static string N(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

    static string Days(double? days) => days?.ToString("0.0", CultureInfo.InvariantCulture) ?? "-";

    static string Date(DateOnly? date) => date?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "-";
}
