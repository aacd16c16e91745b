using System.Text.Json;
using Clearwing.Access;
using Clearwing.Cases;
using Clearwing.Findings;
using Clearwing.Routing;
using Clearwing.Storage;
using Clearwing.Validation;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace Clearwing.Hosting.Simulation;

/// <summary>The forecast made a quarter of the way through the campaign, and how far its date fell from the simulated clearance.</summary>
/// <param name="Error">(forecast − cleared) ÷ (cleared − made), in days; null when either date is missing or clearance came first.</param>
/// <param name="Within">Whether <paramref name="Error"/> is within ±10%, the check.</param>
public sealed record QuarterForecast(
    DateTimeOffset MadeOn, long Backlog, double InflowPerWeek, double FixesPerWeek, DateOnly? ClearsOn, DateOnly? ClearsOnLow,
    DateOnly? ClearsOnHigh, string? Reason, double? Error, bool? Within, IReadOnlyList<ProjectForecast> Projects);

/// <summary>How one project fared: its confirmed cases, when its backlog first cleared, the days from finding to notification and to
/// fix (median and 90th percentile, nearest rank), and the fixes that came after their public disclosure deadline.</summary>
public sealed record ProjectOutcome(
    string Name, int CapacityPerDay, double FixRatePerWeek, int Confirmed, int Fixed, DateOnly? ClearedOn, double? MedianDaysToNotify,
    double? MedianDaysToFix, double? P90DaysToFix, int DeadlinesMissed);

/// <summary>
/// What a simulated campaign did (docs/forecast.md "The simulation"): when the backlog cleared (every project's, at least once after its
/// first scan; null when it had not within a year after the campaign), the forecast made at a quarter of the campaign, the deadlines
/// missed, the counts through the pipeline and each project's outcome.
/// </summary>
public sealed record SimulationReport(
    InflowPattern Pattern, int Weeks, int Seed, DateOnly StartedOn, DateOnly EndedOn, DateOnly? ClearedOn, QuarterForecast ForecastAtQuarter,
    int DeadlinesMissed, long Findings, long Duplicates, long Cases, long Rejected, long Confirmed, long Notified, long Fixed,
    IReadOnlyList<ProjectOutcome> Projects);

/// <summary>
/// Runs a campaign through the real pipeline on a simulated clock (docs/forecast.md): the stores wired by
/// <see cref="ClearwingServices.AddClearwing"/> on the database given, a clock that moves day by day. Each day: each project's
/// findings are imported as native findings (dedup by fingerprint is the importer's), every new case gets a validation verdict
/// through the validator queue (false positives drawn at the campaign's share), one dispatch round runs, and each project's
/// maintainers fix the cases notified to them, oldest first, at their rate, with the lifecycle's moves. At a quarter of the
/// campaign the real forecast is read from the database as it stands.
/// </summary>
public sealed class CampaignSimulation
{
    /// <summary>Every simulated campaign starts on this Monday, so that the same options give the same dates.</summary>
    public static readonly DateTimeOffset Start = new(2027, 1, 4, 0, 0, 0, TimeSpan.Zero);

    /// <summary>After the campaign's weeks, how long the fixing may go on before the run stops without clearance.</summary>
    const int DrainDays = 365;

    readonly IServiceProvider _app;
    readonly ReplayClock _clock;
    readonly CampaignOptions _options;
    readonly IReadOnlyList<SimulatedProject> _projects;
    readonly Random _random;
    readonly Dictionary<string, List<string>> _fingerprints = [];
    readonly Dictionary<string, Track> _cases = new(StringComparer.Ordinal);
    readonly Dictionary<string, Queue<string>> _notified = [];
    readonly Dictionary<string, Caller> _maintainers = [];
    readonly Dictionary<string, double> _budget = [];
    readonly Dictionary<string, DateOnly?> _cleared = [];
    static readonly Caller Coordinator = Caller.Local with { Actor = "simulation" };
    long _findings, _duplicates, _rejected;
    int _serial;

    sealed class Track(string project, DateTimeOffset found)
    {
        public string Project { get; } = project;
        public DateTimeOffset Found { get; } = found;
        public bool Confirmed { get; set; }
        public DateTimeOffset? Notified { get; set; }
        public DateTimeOffset? Fixed { get; set; }
        public bool Missed { get; set; }
    }

    CampaignSimulation(IServiceProvider app, ReplayClock clock, CampaignOptions options)
    {
        (_app, _clock, _options, _projects, _random) = (app, clock, options, options.ProjectList, new Random(options.Seed));
        foreach (var p in _projects)
        {
            _fingerprints[p.Name] = [];
            _notified[p.Name] = new Queue<string>();
            _budget[p.Name] = 0;
        }
    }

    /// <summary>Runs <paramref name="options"/> on <paramref name="db"/> (migrated, and empty: refused otherwise).</summary>
    public static async Task<SimulationReport> RunAsync(Database db, CampaignOptions options, IProgress<int>? days = null,
        CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        await RequireEmptyAsync(db, ct);
        var clock = new ReplayClock(Start);
        await using var app = new ServiceCollection().AddSingleton<TimeProvider>(clock).AddClearwing(db).BuildServiceProvider();
        var simulation = new CampaignSimulation(app, clock, options);
        return await simulation.RunAsync(db, days, ct);
    }

    static async Task RequireEmptyAsync(Database db, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        var held = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT (SELECT count(*) FROM orgs) + (SELECT count(*) FROM projects) + (SELECT count(*) FROM cases)", cancellationToken: ct));
        if (held > 0)
            throw new BadInputException($"A simulation runs on an empty database, and {db.Display} holds data; nothing was changed.");
    }

    async Task<SimulationReport> RunAsync(Database db, IProgress<int>? progress, CancellationToken ct)
    {
        await SetUpAsync(db, ct);
        var arrivals = Arrivals();
        var campaignDays = _options.Weeks * 7;
        var quarterDay = (int)Math.Round(campaignDays / 4.0, MidpointRounding.AwayFromZero);
        Forecast? atQuarter = null;
        var day = 0;
        for (; day < campaignDays + DrainDays; day++)
        {
            if (day == quarterDay)
            {
                _clock.Now = Start.AddDays(day);
                atQuarter = await _app.GetRequiredService<ForecastQueries>().GetAsync(Coordinator, null, ct);
            }
            await DayAsync(day, day < campaignDays ? arrivals[day] : [], ct);
            progress?.Report(day);
            if (day >= campaignDays - 1 && day >= quarterDay && _cleared.Count == _projects.Count && Backlog() == 0) break;
        }
        await UnfixedPastDeadlineAsync(ct);
        var endedOn = DateOnly.FromDateTime(Start.AddDays(day).UtcDateTime);
        atQuarter ??= await _app.GetRequiredService<ForecastQueries>().GetAsync(Coordinator, null, ct);
        DateOnly? clearedOn = _cleared.Count == _projects.Count ? _cleared.Values.Max() : null;
        return new SimulationReport(_options.Pattern, _options.Weeks, _options.Seed, DateOnly.FromDateTime(Start.UtcDateTime), endedOn, clearedOn,
            Quarter(atQuarter, clearedOn), _cases.Values.Count(c => c.Missed), _findings, _duplicates, _cases.Count, _rejected,
            _cases.Values.Count(c => c.Confirmed), _cases.Values.Count(c => c.Notified is not null), _cases.Values.Count(c => c.Fixed is not null),
            [.. _projects.Select(Outcome)]);
    }

    static QuarterForecast Quarter(Forecast f, DateOnly? cleared)
    {
        var made = DateOnly.FromDateTime(f.MadeOn.UtcDateTime);
        double? error = f.ClearsOn is { } on && cleared is { } c && c > made
            ? Math.Round((double)(on.DayNumber - c.DayNumber) / (c.DayNumber - made.DayNumber), 4)
            : null;
        return new QuarterForecast(f.MadeOn, f.Backlog, f.InflowPerWeek, f.FixesPerWeek, f.ClearsOn, f.ClearsOnLow, f.ClearsOnHigh, f.Reason, error,
            error is { } e ? Math.Abs(e) <= 0.1 : null, f.Projects);
    }

    ProjectOutcome Outcome(SimulatedProject p)
    {
        var mine = _cases.Values.Where(c => c.Project == p.Name).ToList();
        static double? Rank(List<double> sorted, double q) =>
            sorted.Count == 0 ? null : Math.Round(sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Count) - 1, 0, sorted.Count - 1)], 1);
        var notify = mine.Where(c => c.Notified is not null).Select(c => (c.Notified!.Value - c.Found).TotalDays).Order().ToList();
        var fix = mine.Where(c => c.Fixed is not null).Select(c => (c.Fixed!.Value - c.Found).TotalDays).Order().ToList();
        return new ProjectOutcome(p.Name, p.CapacityPerDay, p.FixRatePerWeek, mine.Count(c => c.Confirmed), fix.Count,
            _cleared.GetValueOrDefault(p.Name), Rank(notify, 0.5), Rank(fix, 0.5), Rank(fix, 0.9), mine.Count(c => c.Missed));
    }

    /// <summary>The maintainer org of each project and its intake policy (the day's and week's capacity), imported as a coordinator
    /// imports one.</summary>
    async Task SetUpAsync(Database db, CancellationToken ct)
    {
        _clock.Now = Start.AddHours(-1);
        var orgs = _app.GetRequiredService<OrgStore>();
        var registry = _app.GetRequiredService<ProjectRegistry>();
        await using var connection = await db.OpenAsync(ct);
        foreach (var p in _projects)
        {
            var org = $"{p.Name}-maintainers";
            await orgs.CreateOrgAsync(Coordinator, org, OrgKind.Maintainer, ct);
            var id = await connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT id FROM orgs WHERE name = @org", new { org },
                cancellationToken: ct));
            _maintainers[p.Name] = new Caller(id, org, OrgKind.Maintainer, Role.Triager, "simulation:" + org);
            var policy = $"project: {p.Name}\nowner: {org}\nintake:\n  perDay: {p.CapacityPerDay}\n" +
                $"  perWeek: {Math.Min(700, 7 * p.CapacityPerDay)}\n";
            await registry.ImportAsync(Coordinator, policy, $"{p.Name}/SECURITY-INTAKE.yaml", ct);
        }
    }

    /// <summary>The findings arriving each day, per project: day 0 starts with each project's first scan (the opening findings).</summary>
    List<Dictionary<string, int>> Arrivals()
    {
        var days = _options.Weeks * 7;
        var perDay = new double[days];
        var mean = (double)_options.InflowPerWeek;
        var decay = Math.Pow(0.1, 1.0 / Math.Max(1, _options.Weeks - 1));
        // Declining: mean·c·decay^w with c so that the weeks add up to the mean's.
        var scale = _options.Weeks * (1 - decay) / (1 - Math.Pow(decay, _options.Weeks));
        for (var week = 0; week < _options.Weeks; week++)
        {
            switch (_options.Pattern)
            {
                case InflowPattern.Steady:
                    for (var d = 0; d < 7; d++) perDay[week * 7 + d] = mean / 7;
                    break;
                case InflowPattern.Bursty:
                    var burst = week % 4 == 3;
                    for (var d = 0; d < 7; d++) perDay[week * 7 + d] = 0.4 * mean / 7;
                    if (burst) perDay[week * 7 + _random.Next(7)] += 2.4 * mean;
                    break;
                case InflowPattern.Declining:
                    for (var d = 0; d < 7; d++) perDay[week * 7 + d] = mean * scale * Math.Pow(decay, week) / 7;
                    break;
            }
        }
        var arrivals = new List<Dictionary<string, int>>();
        var carry = 0.0;
        for (var d = 0; d < days; d++)
        {
            // Whole findings: the fractions carried to the next day, so a week brings what its pattern says.
            carry += perDay[d];
            var count = (int)Math.Floor(carry + 1e-9);
            carry -= count;
            var today = _projects.ToDictionary(p => p.Name, _ => 0);
            for (var i = 0; i < count; i++) today[_projects[_random.Next(_projects.Count)].Name]++;
            arrivals.Add(today);
        }
        return arrivals;
    }

    async Task DayAsync(int day, Dictionary<string, int> arrivals, CancellationToken ct)
    {
        var morning = Start.AddDays(day);
        if (day == 0)
        {
            _clock.Now = morning.AddHours(7);
            var opening = _projects.ToDictionary(p => p.Name, _ => 0);
            for (var i = 0; i < _options.OpeningFindings; i++) opening[_projects[_random.Next(_projects.Count)].Name]++;
            foreach (var p in _projects) await ImportAsync(p.Name, opening[p.Name], day, "first-scan", ct);
        }
        _clock.Now = morning.AddHours(8);
        foreach (var p in _projects) await ImportAsync(p.Name, arrivals.GetValueOrDefault(p.Name), day, "scan", ct);
        _clock.Now = morning.AddHours(9);
        await ValidateAsync(ct);
        _clock.Now = morning.AddHours(10);
        var round = await _app.GetRequiredService<Dispatcher>().RunAsync(Coordinator, null, ct);
        foreach (var sent in round.Decisions.Where(d => d.Decision == DispatchDecision.Sent))
        {
            _cases[sent.Case].Notified = round.At;
            _notified[_cases[sent.Case].Project].Enqueue(sent.Case);
        }
        _clock.Now = morning.AddHours(17);
        foreach (var p in _projects) await FixAsync(p, ct);
        var date = DateOnly.FromDateTime(morning.UtcDateTime);
        foreach (var p in _projects)
            if (!_cleared.ContainsKey(p.Name) && Backlog(p.Name) == 0) _cleared[p.Name] = date;
    }

    int Backlog(string? project = null) =>
        _cases.Values.Count(c => c.Confirmed && c.Fixed is null && (project is null || c.Project == project));

    /// <summary>One scan of a project: its new findings and, at the campaign's share, findings re-reporting one it reported before.</summary>
    async Task ImportAsync(string project, int count, int day, string kind, CancellationToken ct)
    {
        if (count == 0) return;
        var known = _fingerprints[project];
        var findings = new List<object>();
        var fresh = 0;
        for (var i = 0; i < count; i++)
        {
            string fingerprint;
            int n;
            if (known.Count > 0 && _random.NextDouble() < _options.Duplicates)
            {
                fingerprint = known[_random.Next(known.Count)];
                n = int.Parse(fingerprint[(fingerprint.LastIndexOf('-') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
                _duplicates++;
            }
            else
            {
                n = ++_serial;
                fingerprint = $"sim-{project}-{n}";
                known.Add(fingerprint);
                fresh++;
            }
            // Every flaw its own rule, file and words, so that no matching pass or cross-finder join takes one for another.
            findings.Add(new
            {
                rule = $"sim-flaw-{n}", cwe = "CWE-787", severity = "high", fingerprint,
                message = $"Out-of-bounds write number {n} in {project}.",
                location = new { file = $"src/module{n}/write{n}.c", startLine = 10 + n % 500, function = $"write_{n}" },
            });
        }
        _findings += count;
        var file = PrivateFiles.NewSpoolFile("simulation");
        await File.WriteAllTextAsync(file, JsonSerializer.Serialize(new
        {
            format = "clearwing-findings", version = "1.0", tool = new { name = "simulated-finder", model = "campaign" },
            revision = $"{kind}-day-{day}", findings,
        }), ct);
        try
        {
            var summary = await _app.GetRequiredService<Importer>().ImportAsync(
                new ImportRequest(project, [new ImportFile(file, $"{project}-{kind}-day-{day}.json")], $"{kind}-day-{day}", By: Coordinator),
                null, ct);
            if (summary.NewCases != fresh)
                throw new InvalidOperationException($"Import of {project} on day {day} opened {summary.NewCases} cases for {fresh} new flaws.");
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>Every new case gets its verdict through the validator queue, as a validator's decision: a false positive at the
    /// campaign's share, else confirmed. Drawn in a fixed order (project, title), so the same seed gives the same verdicts.</summary>
    async Task ValidateAsync(CancellationToken ct)
    {
        var queries = _app.GetRequiredService<CaseQueries>();
        var fresh = new List<CaseSummary>();
        string? after = null;
        do
        {
            var page = await queries.ListAsync(Coordinator, new CaseFilter(State: CaseState.New, Limit: CaseQueries.MaxLimit, After: after), ct);
            fresh.AddRange(page.Items);
            after = page.Next;
        } while (after is not null);
        var queue = _app.GetRequiredService<ValidatorQueue>();
        foreach (var c in fresh.OrderBy(c => c.Project, StringComparer.Ordinal).ThenBy(c => c.Title, StringComparer.Ordinal))
        {
            var track = _cases[c.Id] = new Track(c.Project, c.FirstSeen);
            if (_random.NextDouble() < _options.FalsePositives)
            {
                await queue.DecideAsync(Coordinator, c.Id,
                    new QueueDecision(false, Rejection.FalsePositive, "Simulated verdict: the reproducer did not crash (false positive)."), ct);
                _rejected++;
            }
            else
            {
                await queue.DecideAsync(Coordinator, c.Id, new QueueDecision(true, null, "Simulated verdict: reproduced."), ct);
                track.Confirmed = true;
            }
        }
    }

    /// <summary>A case still unfixed when the run ends has missed its deadline if that has passed.</summary>
    async Task UnfixedPastDeadlineAsync(CancellationToken ct)
    {
        var clocks = _app.GetRequiredService<ClockStore>();
        foreach (var (id, track) in _cases.Where(c => c.Value.Notified is not null && c.Value.Fixed is null))
        {
            var clock = await clocks.GetClockAsync(Coordinator, id, ct);
            track.Missed = clock.Deadlines.First(d => d.Kind == DeadlineKind.PublicDisclosure).At < _clock.Now;
        }
    }

    /// <summary>The project's maintainers fix what was notified to them, oldest first, as many as their rate allows today (capacity
    /// they had no case for is not saved up). A fix after the case's public disclosure deadline counts as a deadline missed.</summary>
    async Task FixAsync(SimulatedProject p, CancellationToken ct)
    {
        var queue = _notified[p.Name];
        var budget = _budget[p.Name] + p.FixRatePerWeek / 7;
        var lifecycle = _app.GetRequiredService<CaseLifecycle>();
        var clocks = _app.GetRequiredService<ClockStore>();
        var maintainer = _maintainers[p.Name];
        while (budget >= 1 && queue.Count > 0)
        {
            var id = queue.Dequeue();
            var clock = await clocks.GetClockAsync(maintainer, id, ct);
            var deadline = clock.Deadlines.First(d => d.Kind == DeadlineKind.PublicDisclosure);
            await lifecycle.TransitionAsync(maintainer, id, new TransitionRequest(CaseState.FixInProgress), ct);
            await lifecycle.TransitionAsync(maintainer, id, new TransitionRequest(CaseState.Fixed, FixCommit: $"sim-fix-{id[..8]}"), ct);
            _cases[id].Fixed = _clock.Now;
            _cases[id].Missed = _clock.Now > deadline.At;
            budget--;
        }
        _budget[p.Name] = queue.Count == 0 ? budget - Math.Floor(budget) : budget;
    }
}
