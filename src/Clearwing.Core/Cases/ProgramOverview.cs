using System.Data.Common;
using Clearwing.Access;
using Clearwing.Storage;
using Dapper;

namespace Clearwing.Cases;

/// <summary>What the overview covers: the last weeks (the current one included) and the deadlines at most the window's days away.</summary>
public sealed record OverviewOptions(int Weeks = 12, int WindowDays = 14)
{
    public const int MaxWeeks = 260;
    public const int MaxWindowDays = 365;
}

/// <summary>The stages of the funnel, in order: each counts cases that reached it (findings: results reported).</summary>
public enum FunnelStage
{
    /// <summary>Findings: every result every import stored (a result a later scan reports again counts again).</summary>
    Findings,
    /// <summary>Cases the overview counts: not merged away, in the vulnerability queue.</summary>
    Cases,
    /// <summary>Cases a decision moved out of triage (to confirmed or rejected), or a validation run answered for.</summary>
    Validated,
    /// <summary>Cases confirmed: in confirmed or any later state on its path.</summary>
    Confirmed,
    /// <summary>Cases whose maintainer was notified: in notified or any later state.</summary>
    Notified,
    /// <summary>Cases moved to fixed at least once.</summary>
    Fixed,
    /// <summary>Cases moved to fix verified at least once.</summary>
    FixVerified,
    /// <summary>Cases disclosed, whether or not their fix was verified first.</summary>
    Disclosed,
}

/// <summary>One stage of the funnel.</summary>
/// <param name="Count">How many reached the stage; null for findings when the caller does not see findings (downstream orgs).</param>
/// <param name="Share">Count ÷ the previous stage's count, rounded to four decimals; null for the first stage and when either count is
/// null or the previous 0. At most 1 for every stage but disclosed: cases can be disclosed before a fix was verified.</param>
public sealed record FunnelStep(FunnelStage Stage, long? Count, double? Share);

/// <summary>One week (from Monday 00:00 UTC): cases first seen in it, and cases first moved to fixed in it.</summary>
public sealed record WeekCounts(DateTimeOffset Week, long Opened, long Fixed);

/// <summary>Time in one state: how many cases are in it now, how many stays in it ended (each move out of it ends one), and the
/// nearest-rank median and 90th percentile of those stays, in hours (null when none ended): whole hours below two days, whole days
/// (24, 48, … hours) from two days on.</summary>
public sealed record StageTime(CaseState State, long Current, long Left, long? MedianHours, long? P90Hours);

/// <summary>Open cases on the clock (notified, or with the fix in progress) whose next open deadline has passed or is at most the
/// window's days away: how many, how many of them passed, and the ten nearest, soonest first.</summary>
public sealed record DeadlinesAtRisk(int WindowDays, long Count, long Passed, IReadOnlyList<DeadlineAtRisk> Nearest);

/// <summary>An open case and its next open deadline (docs/priority.md: the soonest open deadline of its disclosure clock).</summary>
public sealed record DeadlineAtRisk(string Case, string Title, string Project, CaseState State, DateTimeOffset At, DeadlineKind Kind);

/// <summary>Open cases of one project or maintainer org, in all and per open state.</summary>
public sealed record Backlog(string Name, long Open, long New, long Triage, long Confirmed, long Notified, long FixInProgress);

/// <summary>
/// The program at a glance (docs/overview.md), as the caller may see it: the funnel, new and fixed cases per week, time spent in
/// each state, deadlines at risk, and the biggest backlogs by project and by maintainer org (the ten largest of each).
/// </summary>
public sealed record ProgramOverview(
    IReadOnlyList<FunnelStep> Funnel, IReadOnlyList<WeekCounts> Weeks, IReadOnlyList<StageTime> Stages, DeadlinesAtRisk Deadlines,
    IReadOnlyList<Backlog> Projects, IReadOnlyList<Backlog> Orgs);

/// <summary>
/// Reads the program overview within the caller's need-to-know from the tallies the stores keep (<see cref="OverviewTally"/>): the
/// coordinator's those of every case, a downstream org's their disclosed part, a maintainer's or validator's those of the cases
/// granted to it. Every figure counts the same cases: not merged away, in the vulnerability queue, visible to the caller.
/// </summary>
public sealed class ProgramOverviewQueries(Database db, TimeProvider time, PriorityStore priority)
{
    const int Biggest = 10;

    /// <summary>Open states: not yet fixed, and neither rejected nor disclosed.</summary>
    static readonly CaseState[] Open = [CaseState.New, CaseState.Triage, CaseState.Confirmed, CaseState.Notified, CaseState.FixInProgress];

    static readonly CaseState[] ConfirmedPath =
        [CaseState.Confirmed, CaseState.Notified, CaseState.FixInProgress, CaseState.Fixed, CaseState.FixVerified, CaseState.Disclosed];

    public async Task<ProgramOverview> GetAsync(Caller caller, OverviewOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Weeks is < 1 or > OverviewOptions.MaxWeeks)
            throw new BadInputException($"weeks {options.Weeks}: give 1 to {OverviewOptions.MaxWeeks}.");
        if (options.WindowDays is < 0 or > OverviewOptions.MaxWindowDays)
            throw new BadInputException($"window {options.WindowDays}: give 0 to {OverviewOptions.MaxWindowDays} days.");
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var until = now + options.WindowDays * 86_400_000L;
        var args = new { callerOrg = caller.OrgId };
        var visible = $"{OverviewTally.Population} AND {NeedToKnow.CaseFromGrants(caller)}";
        // The deadlines are the priority's, exact once the stale ones among them are recomputed (which the tallies follow). The
        // state's index would read every case on the clock; the stale rows are few: "|| ''" keeps SQLite to them.
        await priority.RefreshAsync($"(c.state || '') IN ('notified', 'fix_in_progress') AND {visible}", args, ct);

        await using var connection = await db.OpenAsync(ct);
        // The coordinator's and downstream orgs' figures count every case (org 0), downstream orgs' only the disclosed ones; a
        // maintainer's or validator's count the cases granted to it.
        var own = caller.Kind is OrgKind.Coordinator or OrgKind.Downstream ? 0 : caller.OrgId;
        var counts = await CountsAsync(connection, caller, own, ct);
        long? findings = caller.Kind switch
        {
            OrgKind.Coordinator => await connection.ExecuteScalarAsync<long>(
                new CommandDefinition("SELECT coalesce(sum(results), 0) FROM imports", cancellationToken: ct)),
            // A maintainer's or validator's: the findings of its granted cases (NeedToKnow.Finding), counted on the cases.
            _ when NeedToKnow.SeesFindingsOfVisibleCases(caller) => await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                $"SELECT coalesce(sum(c.finding_count), 0) FROM cases c WHERE c.merged_into IS NULL AND {NeedToKnow.CaseFromGrants(caller)}",
                args, cancellationToken: ct)),
            _ => null,
        };
        // Downstream orgs see no open case.
        var (atRisk, passed) = caller.Kind == OrgKind.Downstream ? (0L, 0L) : await connection.QuerySingleAsync<(long, long)>(
            new CommandDefinition(
                """
                SELECT coalesce(sum(cases), 0), coalesce(sum(CASE WHEN deadline_at <= @now THEN cases ELSE 0 END), 0)
                FROM overview_deadlines WHERE org_id = @own AND deadline_at <= @until
                """, new { own, now, until }, cancellationToken: ct));
        var projects = (await connection.QueryAsync<(long Id, string Name)>(
            new CommandDefinition("SELECT id, name FROM projects", cancellationToken: ct))).ToDictionary(p => p.Id, p => p.Name);
        var orgs = (await connection.QueryAsync<(long Id, string Name)>(new CommandDefinition(
            "SELECT id, name FROM orgs WHERE kind = 'maintainer'", cancellationToken: ct))).ToDictionary(o => o.Id, o => o.Name);

        var cases = counts.Rows[OverviewTally.Cases];
        return new ProgramOverview(
            Funnel(counts, own, findings), Weeks(counts, own, now, options.Weeks),
            await StagesAsync(connection, counts, own, caller.Kind == OrgKind.Downstream, ct),
            new DeadlinesAtRisk(options.WindowDays, atRisk, passed,
                atRisk == 0 ? [] : await NearestAsync(connection, caller, visible, args, until, ct)),
            Backlogs(cases.Where(r => r.Key.O == own).Select(r => (projects.GetValueOrDefault(r.Key.A, "?"), r.Key.B, r.Value))),
            // By org: every maintainer org's granted cases to the coordinator, its own to a maintainer.
            Backlogs(cases.Where(r => r.Key.O != 0 && (caller.Kind == OrgKind.Coordinator || r.Key.O == caller.OrgId))
                .Where(r => orgs.ContainsKey(r.Key.O)).Select(r => (orgs[r.Key.O], r.Key.B, r.Value))));
    }

    /// <summary>
    /// The tallies' rows the caller's figures are made of: those of <paramref name="own"/> (0: every case), of downstream orgs only the
    /// disclosed cases'; the coordinator reads every org's cases too (the backlogs by org). The stays and deadlines, a row per hour and
    /// per deadline, are summed up in SQL (<see cref="StagesAsync"/>, <see cref="GetAsync"/>).
    /// </summary>
    static Task<OverviewTally.Counts> CountsAsync(DbConnection connection, Caller caller, long own, CancellationToken ct)
    {
        var disclosed = caller.Kind == OrgKind.Downstream;
        var sql = new Dictionary<OverviewTally.Table, string>
        {
            [OverviewTally.Cases] = OverviewTally.Stored(OverviewTally.Cases,
                caller.Kind == OrgKind.Coordinator ? "1 = 1" : $"org_id = {own}" + (disclosed ? " AND state = 'disclosed'" : "")),
            [OverviewTally.Weeks] = OverviewTally.Stored(OverviewTally.Weeks, $"org_id = {own}" + (disclosed ? " AND disclosed = 1" : "")),
        };
        return OverviewTally.ReadAsync(connection, null, [.. sql.Keys], t => sql[t], null, ct);
    }

    static long Sum(OverviewTally.Counts counts, OverviewTally.Table table, Func<OverviewTally.Key, bool> which) =>
        counts.Rows[table].Where(r => which(r.Key)).Sum(r => r.Value);

    static List<FunnelStep> Funnel(OverviewTally.Counts t, long own, long? findings)
    {
        long Cases(Func<OverviewTally.Key, bool> which) => Sum(t, OverviewTally.Cases, k => k.O == own && which(k));
        long Ever(string eventName) => Sum(t, OverviewTally.Weeks, k => k.O == own && k.B == eventName);
        var counts = new (FunnelStage, long?)[]
        {
            (FunnelStage.Findings, findings),
            (FunnelStage.Cases, Cases(_ => true)),
            (FunnelStage.Validated, Cases(k => k.C == 1)),
            (FunnelStage.Confirmed, Cases(k => ConfirmedPath.Contains(Lifecycle.Stored(k.B)))),
            (FunnelStage.Notified, Cases(k => ConfirmedPath.Skip(1).Contains(Lifecycle.Stored(k.B)))),
            (FunnelStage.Fixed, Ever("fixed")),
            (FunnelStage.FixVerified, Ever("fix_verified")),
            (FunnelStage.Disclosed, Cases(k => k.B == "disclosed")),
        };
        return [.. counts.Select((c, i) => new FunnelStep(c.Item1, c.Item2,
            i > 0 && counts[i - 1].Item2 is > 0 and var before && c.Item2 is { } count ? Math.Round((double)count / before, 4) : null))];
    }

    static List<WeekCounts> Weeks(OverviewTally.Counts t, long own, long now, int weeks)
    {
        var first = OverviewTally.WeekOf(now) - (weeks - 1) * OverviewTally.WeekMs;
        return [.. Enumerable.Range(0, weeks).Select(i => first + i * OverviewTally.WeekMs)
            .Select(w => new WeekCounts(DateTimeOffset.FromUnixTimeMilliseconds(w),
                Sum(t, OverviewTally.Weeks, k => k.O == own && k.A == w && k.B == "opened"),
                Sum(t, OverviewTally.Weeks, k => k.O == own && k.A == w && k.B == "fixed")))];
    }

    /// <summary>
    /// Time in each state: the cases in it now (from the counts), and of the stays that ended (<c>overview_stays</c>, counted per state
    /// and whole hour) how many, and the nearest-rank median and 90th percentile: the ⌈n/2⌉-th and ⌈0.9·n⌉-th shortest of n.
    /// </summary>
    static async Task<List<StageTime>> StagesAsync(DbConnection connection, OverviewTally.Counts t, long own, bool disclosed,
        CancellationToken ct)
    {
        // Sums are cast back to integers: PostgreSQL sums bigints as numeric, and the ranks divide.
        var ended = (await connection.QueryAsync<(string State, long Left, long Median, long P90)>(new CommandDefinition($"""
            WITH s AS (SELECT state, hours, CAST(sum(stays) AS BIGINT) AS n FROM overview_stays
                       WHERE org_id = @own AND stays <> 0 {(disclosed ? "AND disclosed = 1" : "")} GROUP BY state, hours),
                 r AS (SELECT state, hours, CAST(sum(n) OVER (PARTITION BY state ORDER BY hours ROWS UNBOUNDED PRECEDING) AS BIGINT) AS upto,
                              CAST(sum(n) OVER (PARTITION BY state) AS BIGINT) AS total FROM s)
            SELECT state, max(total), min(CASE WHEN upto >= (total + 1) / 2 THEN hours END),
                   min(CASE WHEN upto >= (9 * total + 9) / 10 THEN hours END)
            FROM r GROUP BY state
            """, new { own }, cancellationToken: ct))).ToDictionary(e => e.State);
        return [.. Enum.GetValues<CaseState>().Select(state =>
        {
            var name = Lifecycle.Name(state);
            var now = Sum(t, OverviewTally.Cases, k => k.O == own && k.B == name);
            return ended.TryGetValue(name, out var e) && e.Left > 0
                ? new StageTime(state, now, e.Left, e.Median, e.P90)
                : new StageTime(state, now, 0, null, null);
        })];
    }

    /// <summary>
    /// The ten soonest deadlines at risk. The coordinator's: from the deadlines, soonest first, to their cases (CROSS JOIN keeps SQLite to
    /// that order; the state's index would read every new case); a maintainer's or validator's: from its grants.
    /// </summary>
    static async Task<List<DeadlineAtRisk>> NearestAsync(DbConnection connection, Caller caller, string visible, object args, long until,
        CancellationToken ct)
    {
        var p = new DynamicParameters(args);
        p.Add("until", until);
        var from = caller.Kind == OrgKind.Coordinator
            ? "case_priority q CROSS JOIN cases c WHERE c.seq = q.case_seq"
            : "grants og CROSS JOIN cases c CROSS JOIN case_priority q WHERE og.org_id = @callerOrg AND c.seq = og.case_seq AND q.case_seq = c.seq";
        var nearest = await connection.QueryAsync<(string Id, string Title, string Project, string State, long At, string Kind)>(
            new CommandDefinition($"""
                SELECT c.id, c.title, (SELECT p.name FROM projects p WHERE p.id = c.project_id), c.state, q.deadline_at, q.deadline_kind
                FROM {from} AND q.deadline_at IS NOT NULL AND q.deadline_at <= @until AND {OverviewTally.OnTheClock} AND {visible}
                ORDER BY q.deadline_at, q.case_seq LIMIT {Biggest}
                """, p, cancellationToken: ct));
        return [.. nearest.Select(d => new DeadlineAtRisk(d.Id, d.Title, d.Project, Lifecycle.Stored(d.State),
            DateTimeOffset.FromUnixTimeMilliseconds(d.At), Enum.GetValues<DeadlineKind>().First(k => PriorityStore.KindName(k) == d.Kind)))];
    }

    /// <summary>The biggest backlogs among counts per name and state: open cases, most first, then by name.</summary>
    static List<Backlog> Backlogs(IEnumerable<(string Name, string State, long N)> counts) =>
    [
        .. counts.Where(c => Open.Contains(Lifecycle.Stored(c.State))).GroupBy(c => c.Name, StringComparer.Ordinal)
            .Select(g =>
            {
                long In(CaseState state) => g.Where(c => c.State == Lifecycle.Name(state)).Sum(c => c.N);
                return new Backlog(g.Key, g.Sum(c => c.N), In(CaseState.New), In(CaseState.Triage), In(CaseState.Confirmed),
                    In(CaseState.Notified), In(CaseState.FixInProgress));
            })
            .Where(b => b.Open > 0).OrderByDescending(b => b.Open).ThenBy(b => b.Name, StringComparer.Ordinal).Take(Biggest),
    ];
}
