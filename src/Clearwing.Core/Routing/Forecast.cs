using System.Data.Common;
using Clearwing.Access;
using Clearwing.Cases;
using Clearwing.Storage;
using Dapper;

namespace Clearwing.Routing;

/// <summary>A project's forecast (docs/forecast.md): its backlog, measured rates, when its backlog clears, how many deadlines are at risk.</summary>
/// <param name="InflowPerWeek">Cases confirmed a week over the window (the project's first scan left out: that is its stock).</param>
/// <param name="FixesPerWeek">Cases first moved to fixed a week over the window.</param>
/// <param name="InflowTrend">The inflow's fitted weekly change (−0.1: a tenth less each week); 0 unless significantly declining.</param>
/// <param name="ClearsOn">The median trial's date the backlog reaches zero; null when it does not within five years, with
/// <paramref name="Reason"/>.</param>
/// <param name="ClearsOnLow">The 10th percentile of the trials' dates (80% of them clear later).</param>
/// <param name="ClearsOnHigh">The 90th percentile; null when more than a tenth of the trials do not clear within five years.</param>
/// <param name="AtRisk">How many of its cases' public disclosure deadlines fall before their predicted fix.</param>
public sealed record ProjectForecast(
    string Project, long Backlog, double InflowPerWeek, double FixesPerWeek, double InflowTrend, DateOnly? ClearsOn, DateOnly? ClearsOnLow,
    DateOnly? ClearsOnHigh, string? Reason, int AtRisk);

/// <summary>A case on the clock whose public disclosure deadline falls before its predicted fix, given its place in its project's queue.</summary>
/// <param name="Position">Its place in its project's queue (1: fixed next): soonest deadline first.</param>
public sealed record DeadlineForecast(string Case, string Title, string Project, DateTimeOffset Deadline, DateOnly? PredictedFix, int Position);

/// <summary>The backlog at the end of a past week (<see cref="At"/>), reconstructed from the moves since.</summary>
public sealed record BacklogPoint(DateTimeOffset At, long Backlog);

/// <summary>The backlog the trials give for the end of a coming week: the median and the 10th and 90th percentiles.</summary>
public sealed record BacklogProjection(DateTimeOffset At, double Backlog, double Low, double High);

/// <summary>
/// Whether fixing keeps up (docs/forecast.md), as the caller may see it: the backlog (cases confirmed, notified or with a fix in
/// progress), the measured weekly inflow and fixes, when the backlog clears with an 80% band, its past and projected trajectory, and
/// the deadlines predicted to be missed; per project and overall (the overall backlog clears when every project's has).
/// </summary>
/// <param name="DeadlinesAtRisk">The 100 soonest deadlines predicted to be missed; <paramref name="DeadlinesAtRiskTotal"/> counts them all.</param>
public sealed record Forecast(
    DateTimeOffset MadeOn, int WindowWeeks, int Trials, string? Project, long Backlog, double InflowPerWeek, double FixesPerWeek,
    DateOnly? ClearsOn, DateOnly? ClearsOnLow, DateOnly? ClearsOnHigh, string? Reason, IReadOnlyList<DeadlineForecast> DeadlinesAtRisk,
    int DeadlinesAtRiskTotal, IReadOnlyList<BacklogPoint> History, IReadOnlyList<BacklogProjection> Projection,
    IReadOnlyList<ProjectForecast> Projects);

/// <summary>
/// Reads the forecast within the caller's need-to-know: the coordinator's covers every case; a maintainer's or validator's the cases
/// granted to it (so only their projects); a downstream org's nothing open (it sees disclosed cases only). The backlog is read from
/// the overview's tallies (<c>overview_cases</c>), the weeks' moves from <c>case_transitions</c>, the deadlines from the disclosure
/// clocks; the model is <see cref="ForecastModel"/>.
/// </summary>
public sealed class ForecastQueries(Database db, TimeProvider time)
{
    /// <summary>How many weeks back the rates are measured.</summary>
    public const int WindowWeeks = 8;

    /// <summary>How many weeks ahead the projected trajectory goes at most.</summary>
    const int ChartWeeks = 52;

    const int MaxListed = 100;
    const long WeekMs = 7 * 86_400_000L;

    static readonly string[] Backlogged = ["confirmed", "notified", "fix_in_progress"];

    /// <summary>The forecast of every project the caller may see, or of <paramref name="project"/> alone (not found when the caller
    /// sees no case of it).</summary>
    public async Task<Forecast> GetAsync(Caller caller, string? project = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var now = time.GetUtcNow();
        var nowMs = now.ToUnixTimeMilliseconds();
        await using var connection = await db.OpenAsync(ct);
        var history = caller.Kind == OrgKind.Downstream ? [] : await ProjectsAsync(connection, caller, nowMs, ct);
        if (project is not null)
        {
            history = [.. history.Where(h => h.Name == project)];
            if (history.Count == 0) throw new NotFoundException($"No project '{project}'.");
        }
        var random = new Random(ForecastModel.Seed);
        var paths = new double[ForecastModel.Trials, ChartWeeks];
        var overall = new double[ForecastModel.Trials];
        var projects = new List<ProjectForecast>();
        var fits = new Dictionary<string, RateFit>(StringComparer.Ordinal);
        // The inflow is the program's, fitted over every project's weeks together, each project taking its share of it: a finder's
        // decline shows in the whole program's counts long before it is significant in one project's few.
        var program = ForecastModel.Fit(ProgramPeriods(history));
        var inflow = ForecastModel.DrawInflow(program, random);
        var programInflow = history.Sum(h => h.Periods.Sum(p => p.Inflow));
        foreach (var h in history.OrderBy(h => h.Name, StringComparer.Ordinal))
        {
            var own = ForecastModel.Fit(h.Periods);
            var share = programInflow > 0 ? h.Periods.Sum(p => p.Inflow) / programInflow : 0;
            var fit = own with
            {
                Level = program.Level * share, Trend = program.Trend, InflowRatios = program.InflowRatios, InflowWeights = program.InflowWeights,
            };
            fits[h.Name] = fit;
            var cleared = ForecastModel.Simulate(fit, share, inflow, h.Backlog, random, paths);
            for (var t = 0; t < cleared.Length; t++) overall[t] = Math.Max(overall[t], cleared[t]);
            var (on, low, high) = Dates(now, cleared);
            projects.Add(new ProjectForecast(h.Name, h.Backlog, Round(fit.MeanInflow), Round(fit.Fixes), Round(Math.Exp(fit.Trend) - 1), on, low,
                high, on is null ? Why(fit, h.Backlog) : null, 0));
        }
        var risks = caller.Kind == OrgKind.Downstream ? [] : await AtRiskAsync(connection, caller, now, project, fits, ct);
        projects = [.. projects.Select(p => p with { AtRisk = risks.Count(r => r.Project == p.Project) })];
        var (clearsOn, clearsOnLow, clearsOnHigh) = Dates(now, overall);
        string? reason = null;
        if (clearsOn is null)
            reason = projects.FirstOrDefault(p => p.ClearsOn is null) is { } stuck
                ? (project is null ? $"project {stuck.Project}: " : "") + stuck.Reason
                : "in more than half the trials some project's backlog does not clear within five years";
        return new Forecast(now, WindowWeeks, ForecastModel.Trials, project, history.Sum(h => h.Backlog), Round(fits.Values.Sum(f => f.MeanInflow)),
            Round(fits.Values.Sum(f => f.Fixes)), clearsOn, clearsOnLow, clearsOnHigh, reason, [.. risks.Take(MaxListed)], risks.Count,
            Past(now, history), Projection(now, paths, overall, history.Sum(h => h.Backlog)), projects);
    }

    /// <summary>The program's weeks: every project's inflow and fixes summed per week ago, over the longest history among them.</summary>
    static List<ForecastPeriod> ProgramPeriods(IReadOnlyList<ProjectHistory> history) =>
    [
        .. history.SelectMany(h => h.Periods).GroupBy(p => p.Ago).OrderBy(g => g.Key)
            .Select(g => new ForecastPeriod(g.Key, g.Max(p => p.Weeks), g.Sum(p => p.Inflow), g.Sum(p => p.Fixes))),
    ];

    /// <summary>Why a project's backlog has no date: no fixes, fixes that do not outpace the inflow, or trials that run past five years.</summary>
    static string Why(RateFit fit, long backlog) =>
        fit.Fixes <= 0 ? $"no fixes in the last {WindowWeeks} weeks: at that rate the backlog of {backlog} never clears"
        : fit.Trend == 0 && fit.Fixes <= fit.Level
            ? $"fixes ({Round(fit.Fixes)} a week) do not outpace the inflow ({Round(fit.Level)} a week)"
            : "in more than half the trials the backlog does not clear within five years at the measured rates";

    internal static (DateOnly? On, DateOnly? Low, DateOnly? High) Dates(DateTimeOffset now, double[] cleared)
    {
        var sorted = cleared.Order().ToArray();
        DateOnly? Date(double q) => ForecastModel.Quantile(sorted, q) is var weeks && double.IsFinite(weeks)
            ? DateOnly.FromDateTime(now.AddDays(weeks * 7).UtcDateTime)
            : null;
        return (Date(0.5), Date(0.1), Date(0.9));
    }

    static double Round(double value) => Math.Round(value, 2);

    /// <summary>The backlog at the end of each past week of the window, oldest first, ending with now: the backlog now less each
    /// week's confirmations (first scans' too) plus its fixes, counted back.</summary>
    static List<BacklogPoint> Past(DateTimeOffset now, IReadOnlyList<ProjectHistory> history)
    {
        var points = new List<BacklogPoint>();
        double backlog = history.Sum(h => h.Backlog);
        for (var week = 0; week <= WindowWeeks; week++)
        {
            points.Add(new BacklogPoint(now.AddDays(-7 * week), (long)Math.Max(0, Math.Round(backlog))));
            backlog -= history.Sum(h => h.Confirmed.GetValueOrDefault(week) - h.Periods.Where(p => p.Ago == week + 0.5).Sum(p => p.Fixes));
        }
        points.Reverse();
        return points;
    }

    /// <summary>The trials' overall backlog at the end of each coming week, until the week after the 90th percentile clears.</summary>
    static List<BacklogProjection> Projection(DateTimeOffset now, double[,] paths, double[] overall, long backlog)
    {
        var sorted = overall.Order().ToArray();
        var high = ForecastModel.Quantile(sorted, 0.9);
        var weeks = backlog == 0 ? 0 : double.IsFinite(high) ? Math.Min(ChartWeeks, (int)Math.Ceiling(high) + 1) : ChartWeeks;
        var points = new List<BacklogProjection>();
        var column = new double[ForecastModel.Trials];
        for (var w = 0; w < weeks; w++)
        {
            for (var t = 0; t < column.Length; t++) column[t] = paths[t, w];
            Array.Sort(column);
            points.Add(new BacklogProjection(now.AddDays(7 * (w + 1)), Math.Round(ForecastModel.Quantile(column, 0.5)),
                Math.Round(ForecastModel.Quantile(column, 0.1)), Math.Round(ForecastModel.Quantile(column, 0.9))));
        }
        return points;
    }

    /// <summary>A project's backlog now and its weeks: the periods the rates are fitted to, and every confirmation per week ago.</summary>
    sealed record ProjectHistory(string Name, long Backlog, List<ForecastPeriod> Periods, Dictionary<int, double> Confirmed);

    static async Task<List<ProjectHistory>> ProjectsAsync(DbConnection connection, Caller caller, long now, CancellationToken ct)
    {
        // The overview's tally of cases by project and state: org 0 counts every case, an org's row its granted ones.
        var own = caller.Kind == OrgKind.Coordinator ? 0 : caller.OrgId;
        var backlogs = (await connection.QueryAsync<(long Project, long Cases)>(new CommandDefinition($"""
            SELECT project_id, CAST(sum(cases) AS BIGINT) FROM overview_cases
            WHERE org_id = @own AND state IN ({string.Join(", ", Backlogged.Select(s => $"'{s}'"))})
            GROUP BY project_id
            """, new { own }, cancellationToken: ct))).ToDictionary(r => r.Project, r => r.Cases);
        var since = now - WindowWeeks * WeekMs;
        // First confirmations and first fixes in the window, by project and week ago; a confirmation of a case the project's first
        // scan opened is its stock, not inflow. Sums are cast back to integers: PostgreSQL sums bigints as numeric.
        var moves = await connection.QueryAsync<(long Project, string To, long Ago, long Stock, long Cases)>(new CommandDefinition($"""
            SELECT c.project_id, t.to_state, (@now - t.at) / {WeekMs},
                   CASE WHEN c.first_seen <= (SELECT min(i.imported_at) FROM imports i WHERE i.project_id = c.project_id) THEN 1 ELSE 0 END,
                   count(*)
            FROM case_transitions t JOIN cases c ON c.seq = t.case_seq
            WHERE t.to_state IN ('confirmed', 'fixed') AND t.at > @since AND t.at <= @now
                  AND NOT EXISTS (SELECT 1 FROM case_transitions e WHERE e.case_seq = t.case_seq AND e.to_state = t.to_state AND e.id < t.id)
                  AND {OverviewTally.Population} AND {NeedToKnow.CaseFromGrants(caller)}
            GROUP BY 1, 2, 3, 4
            """, new { now, since, callerOrg = caller.OrgId }, cancellationToken: ct));
        var firstImports = (await connection.QueryAsync<(long Project, long At)>(new CommandDefinition(
            "SELECT project_id, min(imported_at) FROM imports GROUP BY project_id", cancellationToken: ct))).ToDictionary(r => r.Project, r => r.At);
        var names = (await connection.QueryAsync<(long Id, string Name)>(new CommandDefinition("SELECT id, name FROM projects",
            cancellationToken: ct))).ToDictionary(p => p.Id, p => p.Name);

        var byProject = moves.GroupBy(m => m.Project).ToDictionary(g => g.Key, g => g.ToList());
        var result = new List<ProjectHistory>();
        foreach (var id in backlogs.Keys.Union(byProject.Keys))
        {
            var rows = byProject.GetValueOrDefault(id) ?? [];
            var backlog = backlogs.GetValueOrDefault(id);
            if (backlog == 0 && rows.Count == 0) continue;
            // The window starts no earlier than the project's first scan: weeks before it saw no inflow because there was no project.
            var start = Math.Max(since, firstImports.GetValueOrDefault(id, since));
            var periods = new List<ForecastPeriod>();
            for (var ago = 0; ago < WindowWeeks; ago++)
            {
                var (from, to) = (now - (ago + 1) * WeekMs, now - ago * WeekMs);
                var covered = Math.Min(to, now) - Math.Max(from, start);
                if (covered <= 0) break;
                double Count(string to, long stock) => rows.Where(r => r.Ago == ago && r.To == to && r.Stock == stock).Sum(r => r.Cases);
                periods.Add(new ForecastPeriod(ago + 0.5, (double)covered / WeekMs, Count("confirmed", 0), Count("fixed", 0) + Count("fixed", 1)));
            }
            var confirmed = rows.Where(r => r.To == "confirmed").GroupBy(r => (int)r.Ago).ToDictionary(g => g.Key, g => (double)g.Sum(r => r.Cases));
            result.Add(new ProjectHistory(names.GetValueOrDefault(id, "?"), backlog, periods, confirmed));
        }
        return result;
    }

    /// <summary>
    /// The deadlines predicted to be missed: each project's cases on the clock (notified, fix in progress), soonest public disclosure
    /// deadline first, are fixed one after another at the project's measured rate; the k-th is predicted fixed k ÷ fixes-a-week weeks
    /// from now (never without fixes). Soonest deadline first.
    /// </summary>
    async Task<List<DeadlineForecast>> AtRiskAsync(DbConnection connection, Caller caller, DateTimeOffset now, string? project,
        Dictionary<string, RateFit> fits, CancellationToken ct)
    {
        var where = $"c.state IN ('notified', 'fix_in_progress') AND {OverviewTally.Population} AND {NeedToKnow.CaseFromGrants(caller)}" +
            (project is null ? "" : " AND c.project_id = (SELECT id FROM projects WHERE name = @project)");
        var onClock = new List<(string Case, string Project, DateTimeOffset Deadline)>();
        await foreach (var clock in ClockStore.ClocksWhereAsync(db, time.GetUtcNow(), where, new { callerOrg = caller.OrgId, project }, ct))
            if (clock.Deadlines.FirstOrDefault(d => d.Kind == DeadlineKind.PublicDisclosure && d.IsOpen) is { } d)
                onClock.Add((clock.Case, clock.Project, d.At));
        var risks = new List<(string Case, string Project, DateTimeOffset Deadline, DateOnly? Fix, int Position)>();
        foreach (var queue in onClock.GroupBy(c => c.Project))
        {
            var rate = fits.TryGetValue(queue.Key, out var fit) ? fit.Fixes : 0;
            var position = 0;
            foreach (var c in queue.OrderBy(c => c.Deadline).ThenBy(c => c.Case, StringComparer.Ordinal))
            {
                position++;
                DateTimeOffset? fix = rate > 0 ? now.AddDays(7 * position / rate) : null;
                if (fix is null || fix > c.Deadline)
                    risks.Add((c.Case, c.Project, c.Deadline, fix is { } f ? DateOnly.FromDateTime(f.UtcDateTime) : null, position));
            }
        }
        risks.Sort((a, b) => a.Deadline.CompareTo(b.Deadline) is var n && n != 0 ? n : string.CompareOrdinal(a.Case, b.Case));
        var listed = risks.Take(MaxListed).ToList();
        var titles = listed.Count == 0 ? [] : (await connection.QueryAsync<(string Id, string Title)>(new CommandDefinition(
            $"SELECT id, title FROM cases WHERE id IN ({string.Join(", ", listed.Select((_, i) => $"@c{i}"))})",
            Ids(listed.Select(r => r.Case)), cancellationToken: ct))).ToDictionary(r => r.Id, r => r.Title);
        return [.. risks.Select(r => new DeadlineForecast(r.Case, titles.GetValueOrDefault(r.Case, ""), r.Project, r.Deadline, r.Fix, r.Position))];
    }

    static DynamicParameters Ids(IEnumerable<string> ids)
    {
        var args = new DynamicParameters();
        foreach (var (id, i) in ids.Select((id, i) => (id, i))) args.Add($"c{i}", id);
        return args;
    }
}
