using System.Globalization;
using System.Text.Json;
using Clearwing.Access;
using Clearwing.Cases;
using Clearwing.Scoring;
using Clearwing.Storage;
using Dapper;

namespace Clearwing.Routing;

/// <summary>What a round decided about a confirmed case.</summary>
public enum DispatchDecision
{
    /// <summary>Sent: its owner org was granted the case and the case moved to notified (the embargo clock starts).</summary>
    Sent,
    /// <summary>Waits for its project's capacity; ranked again next round, never dropped.</summary>
    Waits,
    /// <summary>Left to the coordinator: nobody owns it yet (<see cref="OwnerResolution.Unresolved"/> says why).</summary>
    Unresolved,
}

/// <summary>One decision about one case, with why.</summary>
/// <param name="Bypass">Why the project's capacity did not hold the case back (exploited in the wild, critical); null when it did apply.</param>
public sealed record DispatchRecord(
    string Case, string Title, string? Project, string? Org, DispatchDecision Decision, string? Bypass, int Priority, string Reason,
    DateTimeOffset At, string DecidedBy);

/// <summary>A round: what it decided about each confirmed case, highest priority first.</summary>
public sealed record DispatchRound(DateTimeOffset At, int Sent, int Waiting, int Unresolved, IReadOnlyList<DispatchRecord> Decisions);

/// <summary>
/// Dispatch (docs/dispatch.md): confirmed cases go to their owners in priority order, each project taking at most what its intake
/// policy says it absorbs in a day and a week (counting what was sent to it in the 24 hours and 7 days before the round); what
/// does not fit waits and is ranked again next round. A case exploited in the wild or critical goes at once, past the capacity,
/// and says so. Sending grants the owner org need-to-know and moves the case to notified, which starts its embargo clock, in one
/// transaction per case. Every decision is recorded with its reason (<see cref="ExplainAsync"/>).
/// </summary>
public sealed class Dispatcher(Database db, TimeProvider time, CaseQueries cases, OwnerResolver owners, ProjectRegistry registry,
    CaseLifecycle lifecycle, GrantStore grants, NotificationStore notifications)
{
    static readonly TimeSpan Day = TimeSpan.FromDays(1), Week = TimeSpan.FromDays(7);

    /// <summary>Runs one round as of <paramref name="at"/> (now when null): the coordinator's admins and triagers.</summary>
    public async Task<DispatchRound> RunAsync(Caller caller, DateTimeOffset? at = null, CancellationToken ct = default)
    {
        caller.RequireCoordinatorWriter("dispatch cases");
        var now = at ?? time.GetUtcNow();
        var confirmed = await ConfirmedAsync(caller, ct);
        var decisions = new List<DispatchRecord>();
        var budgets = new Dictionary<string, (int Day, int Week, IntakeLimits Limits)>(StringComparer.Ordinal);
        await using var connection = await db.OpenAsync(ct);
        foreach (var c in confirmed)
        {
            var owner = await owners.ResolveAsync(caller, c.Id, ct);
            if (owner.Unresolved is { } why)
            {
                decisions.Add(
                    await RecordAsync(connection, null, c, owner, DispatchDecision.Unresolved, null, $"unresolved: {why}", now, caller, ct));
                continue;
            }
            var project = owner.Project!;
            if (!budgets.TryGetValue(project, out var budget))
                budgets[project] = budget = await BudgetAsync(connection, caller, project, now, ct);
            var bypass = Bypass(c);
            if (bypass is null && (budget.Day <= 0 || budget.Week <= 0))
            {
                var reason = budget.Day <= 0
                    ? $"waits: project {project} takes {budget.Limits.PerDay} new reports a day and has had them in the last 24 hours"
                    : $"waits: project {project} takes {budget.Limits.PerWeek} new reports a week and has had them in the last 7 days";
                decisions.Add(await RecordAsync(connection, null, c, owner, DispatchDecision.Waits, null, reason, now, caller, ct));
                continue;
            }
            try
            {
                decisions.Add(await SendAsync(connection, caller, c, owner, bypass, now, ct));
            }
            catch (Exception e) when (ErrorKinds.Of(e) == ErrorKind.Conflict)
            {
                // Moved by someone else since it was listed (its transaction took nothing): the next round sees it as it is now.
                continue;
            }
            budgets[project] = (budget.Day - 1, budget.Week - 1, budget.Limits);
        }
        // The round's sends were left pending in their transactions; grouped, they are queued as notifications in one more.
        await notifications.QueueAsync(caller, Group, ct);
        return new DispatchRound(now, decisions.Count(d => d.Decision == DispatchDecision.Sent),
            decisions.Count(d => d.Decision == DispatchDecision.Waits), decisions.Count(d => d.Decision == DispatchDecision.Unresolved), decisions);
    }

    /// <summary>Sent cases that go out together, in one notification per channel: for now those of one owner org and project.</summary>
    public static IReadOnlyList<IReadOnlyList<DispatchRecord>> Group(IReadOnlyList<DispatchRecord> sent) =>
        [.. sent.GroupBy(d => (d.Org, d.Project)).Select(g => (IReadOnlyList<DispatchRecord>)[.. g])];

    /// <summary>Every decision rounds recorded about a case, oldest first: why it went when it went, or why it waits.</summary>
    public async Task<IReadOnlyList<DispatchRecord>> ExplainAsync(Caller caller, string caseId, CancellationToken ct = default)
    {
        if (!caller.IsCoordinator) throw new NotFoundException($"No case {caseId}.");
        await using var connection = await db.OpenAsync(ct);
        var rows = (await connection.QueryAsync<Row>(new CommandDefinition($"""
            SELECT {Columns} FROM dispatch_decisions d JOIN cases c ON c.seq = d.case_seq
            LEFT JOIN projects p ON p.id = d.project_id LEFT JOIN orgs o ON o.id = d.org_id
            WHERE c.id = @caseId ORDER BY d.id
            """, new { caseId }, cancellationToken: ct))).ToList();
        if (rows.Count == 0 && await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                "SELECT count(*) FROM cases WHERE id = @caseId", new { caseId }, cancellationToken: ct)) == 0)
            throw new NotFoundException($"No case {caseId}.");
        return [.. rows.Select(r => r.ToRecord())];
    }

    /// <summary>The confirmed cases in the vulnerability queue, highest priority first.</summary>
    async Task<List<CaseSummary>> ConfirmedAsync(Caller caller, CancellationToken ct)
    {
        var all = new List<CaseSummary>();
        string? after = null;
        do
        {
            var page = await cases.ListAsync(caller, new CaseFilter(State: CaseState.Confirmed, Limit: CaseQueries.MaxLimit, After: after), ct);
            all.AddRange(page.Items);
            after = page.Next;
        } while (after is not null);
        return all;
    }

    /// <summary>Exploited in the wild, or critical: such a case does not wait for capacity.</summary>
    static string? Bypass(CaseSummary c)
    {
        var factors = c.Priority.Factors;
        if (factors.Any(f => f.Name == "exploitation" && f.Value == "active"))
            return "exploited in the wild: " + factors.First(f => f.Name == "exploitation").Basis;
        var cvss = factors.FirstOrDefault(f => f.Name == "cvss")?.Value;
        if (cvss is not null && decimal.TryParse(cvss, NumberStyles.Number, CultureInfo.InvariantCulture, out var score) && score >= 9.0m)
            return $"critical: CVSS {cvss}";
        return c.HighestSeverity == ReportedSeverity.Critical ? "critical: a finder reported it critical" : null;
    }

    /// <summary>What the project may still take as of the round: its policy's day and week less what was sent to it before.</summary>
    async Task<(int Day, int Week, IntakeLimits Limits)> BudgetAsync(System.Data.Common.DbConnection connection, Caller caller,
        string project, DateTimeOffset now, CancellationToken ct)
    {
        var limits = (await registry.GetAsync(caller, project, ct)).Intake;
        var sent = await connection.QuerySingleAsync<(long Day, long Week)>(new CommandDefinition("""
            SELECT coalesce(sum(CASE WHEN d.decided_at > @dayAgo THEN 1 ELSE 0 END), 0), count(*)
            FROM dispatch_decisions d JOIN projects p ON p.id = d.project_id
            WHERE p.name = @project AND d.decision = 'sent' AND d.decided_at > @weekAgo AND d.decided_at <= @now
            """, new
        {
            project, now = now.ToUnixTimeMilliseconds(), dayAgo = (now - Day).ToUnixTimeMilliseconds(),
            weekAgo = (now - Week).ToUnixTimeMilliseconds(),
        }, cancellationToken: ct));
        return (limits.PerDay - (int)sent.Day, limits.PerWeek - (int)sent.Week, limits);
    }

    async Task<DispatchRecord> SendAsync(System.Data.Common.DbConnection connection, Caller caller, CaseSummary c, OwnerResolution owner,
        string? bypass, DateTimeOffset now, CancellationToken ct)
    {
        var reason = $"sent to {owner.Owner}, the owner of project {owner.Project} (by {owner.Basis}), at priority {c.Priority.Score}" +
            (bypass is null ? ", within the project's capacity" : $", past the project's capacity: {bypass}");
        await using var tx = await db.BeginAsync(connection, ct);
        var seq = await connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT seq FROM cases WHERE id = @id", new { id = c.Id }, tx,
            cancellationToken: ct));
        await grants.GiveAsync(connection, tx, caller, seq, c.Id, owner.Owner!, "dispatched: the owner of project " + owner.Project, ct);
        await lifecycle.MoveAsync(connection, tx, caller, c.Id, new TransitionRequest(CaseState.Notified, reason), null, null, ct);
        var record = await RecordAsync(connection, tx, c, owner, DispatchDecision.Sent, bypass, reason, now, caller, ct);
        await NotificationStore.PendAsync(connection, tx, record, ct);
        await tx.CommitAsync(ct);
        return record;
    }

    /// <summary>Stores a decision unless it repeats the case's last one (a case waiting round after round is recorded once).</summary>
    static async Task<DispatchRecord> RecordAsync(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction? tx,
        CaseSummary c, OwnerResolution owner, DispatchDecision decision, string? bypass, string reason, DateTimeOffset now, Caller caller,
        CancellationToken ct)
    {
        var name = JsonNamingPolicy.CamelCase.ConvertName(decision.ToString());
        var args = new
        {
            id = c.Id, decision = name, bypass, project = owner.Project, org = owner.Owner, priority = c.Priority.Score, reason,
            at = now.ToUnixTimeMilliseconds(), actor = caller.Actor,
        };
        var last = await connection.QuerySingleOrDefaultAsync<LastRow>(new CommandDefinition("""
            SELECT d.decision, d.reason FROM dispatch_decisions d JOIN cases c ON c.seq = d.case_seq WHERE c.id = @id ORDER BY d.id DESC LIMIT 1
            """, args, tx, cancellationToken: ct));
        if (last is null || last.decision != name || last.reason != reason)
            await connection.ExecuteAsync(new CommandDefinition("""
                INSERT INTO dispatch_decisions (case_seq, decided_at, decision, bypass, project_id, org_id, priority, reason, decided_by)
                SELECT c.seq, @at, @decision, @bypass, (SELECT id FROM projects WHERE name = @project), (SELECT id FROM orgs WHERE name = @org),
                       @priority, @reason, @actor
                FROM cases c WHERE c.id = @id
                """, args, tx, cancellationToken: ct));
        return new DispatchRecord(c.Id, c.Title, owner.Project, owner.Owner, decision, bypass, c.Priority.Score, reason, now, caller.Actor);
    }

    sealed record LastRow(string decision, string reason);

    const string Columns = """
        c.id, d.decision, d.bypass, p.name AS project, o.name AS org, d.priority, d.reason, d.decided_at, d.decided_by,
        (SELECT title FROM cases WHERE seq = d.case_seq) AS title
        """;

    sealed record Row(string id, string decision, string? bypass, string? project, string? org, long priority, string reason, long decided_at,
        string decided_by, string? title)
    {
        public DispatchRecord ToRecord() => new(id, title ?? "", project, org,
            Enum.Parse<DispatchDecision>(decision, ignoreCase: true), bypass, (int)priority, reason,
            DateTimeOffset.FromUnixTimeMilliseconds(decided_at), decided_by);
    }
}
