using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using Clearwing.Access;
using Clearwing.Cases;
using Clearwing.Scoring;
using Clearwing.Storage;
using Dapper;

namespace Clearwing.Routing;

/// <summary>What a round decided about a case.</summary>
public enum DispatchDecision
{
    /// <summary>Sent: its owner org was granted the case and the case moved to notified (the embargo clock starts).</summary>
    Sent,
    /// <summary>Waits for its project's capacity, or for a similar case's fix to be verified; ranked again next round, never dropped.</summary>
    Waits,
    /// <summary>Left to the coordinator: nobody owns it yet (<see cref="OwnerResolution.Unresolved"/> says why).</summary>
    Unresolved,
    /// <summary>Its maintainer org has not answered by the case's escalation deadline: the coordinator takes it up.</summary>
    Escalated,
}

/// <summary>One decision about one case, with why.</summary>
/// <param name="Bypass">Why the project's capacity did not hold the case back (exploited in the wild, critical); null when it did apply.</param>
public sealed record DispatchRecord(
    string Case, string Title, string? Project, string? Org, DispatchDecision Decision, string? Bypass, int Priority, string Reason,
    DateTimeOffset At, string DecidedBy)
{
    /// <summary>The case whose notification this one went out in, with its related cases (itself, for the one that led them);
    /// null when it went alone or did not go.</summary>
    public string? TogetherWith { get; init; }
}

/// <summary>A round: what it decided about each confirmed case, highest priority first, then the escalations.</summary>
public sealed record DispatchRound(DateTimeOffset At, int Sent, int Waiting, int Unresolved, IReadOnlyList<DispatchRecord> Decisions)
{
    /// <summary>Cases escalated in this round (each is escalated once).</summary>
    public int Escalated { get; init; }
}

/// <summary>
/// Dispatch (docs/dispatch.md): confirmed cases go to their owners in priority order, each project taking at most what its intake
/// policy says it absorbs in a day and a week (counting the notifications sent to it in the 24 hours and 7 days before the
/// round); what does not fit waits and is ranked again next round. Related cases (same project and component, or the same
/// crash) go out together, as one notification and one report against the capacity. A case like one fixed in the last 48 hours
/// waits until that fix is verified. A case exploited in the wild or critical goes at once, past the capacity, and says so.
/// Sending grants the owner org need-to-know and moves the case to notified, which starts its embargo clock, in one transaction
/// per case. A case whose maintainer has not answered by its escalation deadline is escalated to the coordinator. Every
/// decision is recorded with its reason (<see cref="ExplainAsync"/>).
/// </summary>
public sealed class Dispatcher(Database db, TimeProvider time, CaseQueries cases, OwnerResolver owners, ProjectRegistry registry,
    CaseLifecycle lifecycle, GrantStore grants, NotificationStore notifications)
{
    static readonly TimeSpan Day = TimeSpan.FromDays(1), Week = TimeSpan.FromDays(7), FixHold = TimeSpan.FromHours(48);

    /// <summary>At most this many related cases in one notification: a maintainer reads it as one report.</summary>
    public const int MostTogether = 25;

    /// <summary>Runs one round as of <paramref name="at"/> (now when null): the coordinator's admins and triagers.</summary>
    public async Task<DispatchRound> RunAsync(Caller caller, DateTimeOffset? at = null, CancellationToken ct = default)
    {
        caller.RequireCoordinatorWriter("dispatch cases");
        var now = at ?? time.GetUtcNow();
        var confirmed = await ConfirmedAsync(caller, ct);
        var decisions = new List<DispatchRecord>();
        var budgets = new Dictionary<string, (int Day, int Week, IntakeLimits Limits)>(StringComparer.Ordinal);
        await using var connection = await db.OpenAsync(ct);
        var (relations, fixes) = await RelationsAsync(connection, now, ct);
        // A case confirmed since the queue was read is not among them: it relates to nothing this round.
        Relation Related(string id) => relations.TryGetValue(id, out var r) ? r : new Relation(id, -1, null, null, null);
        var resolved = new Dictionary<string, OwnerResolution>(StringComparer.Ordinal);
        foreach (var c in confirmed) resolved[c.Id] = await owners.ResolveAsync(caller, c.Id, ct);
        var gone = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < confirmed.Count; i++)
        {
            var c = confirmed[i];
            if (gone.Contains(c.Id)) continue;
            var owner = resolved[c.Id];
            if (owner.Unresolved is { } why)
            {
                decisions.Add(await RecordAsync(connection, null, Subject.Of(c), owner, DispatchDecision.Unresolved, null, $"unresolved: {why}", now,
                    caller, null, ct));
                continue;
            }
            if (Held(Related(c.Id), fixes) is { } hold)
            {
                decisions.Add(await RecordAsync(connection, null, Subject.Of(c), owner, DispatchDecision.Waits, null, hold, now, caller, null, ct));
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
                decisions.Add(await RecordAsync(connection, null, Subject.Of(c), owner, DispatchDecision.Waits, null, reason, now, caller, null, ct));
                continue;
            }
            // The related cases further down the queue that go with it, whatever their own rank: same owner, not held.
            var group = confirmed.Skip(i + 1)
                .Where(o => !gone.Contains(o.Id) && resolved[o.Id] is { Unresolved: null } r && r.Project == project && r.Owner == owner.Owner
                    && Held(Related(o.Id), fixes) is null)
                .Select(o => (Case: o, Why: Related(c.Id).SharedWith(Related(o.Id))))
                .Where(o => o.Why is not null).Take(MostTogether - 1).ToList();
            var lead = group.Count == 0 ? null : c;
            var with = group.Count == 0 ? "" : $", with {group.Count} related case{(group.Count == 1 ? "" : "s")} in one notification";
            try
            {
                var how = (bypass is null ? ", within the project's capacity" : $", past the project's capacity: {bypass}") + with;
                decisions.Add(await SendAsync(connection, caller, c, owner, bypass, how, lead, now, ct));
            }
            catch (Exception e) when (ErrorKinds.Of(e) == ErrorKind.Conflict)
            {
                // Moved by someone else since it was listed (its transaction took nothing): the next round sees it as it is now.
                continue;
            }
            gone.Add(c.Id);
            foreach (var (other, shared) in group)
                try
                {
                    decisions.Add(await SendAsync(connection, caller, other, resolved[other.Id], null,
                        $", together with case {c.Id} ({shared}) in one notification", lead, now, ct));
                    gone.Add(other.Id);
                }
                catch (Exception e) when (ErrorKinds.Of(e) == ErrorKind.Conflict)
                {
                    // As above: moved since it was listed; the group goes without it.
                }
            budgets[project] = (budget.Day - 1, budget.Week - 1, budget.Limits);
        }
        // The round's sends were left pending in their transactions; grouped, they are queued as notifications in one more.
        await notifications.QueueAsync(caller, Group, ct);
        var escalated = await EscalateAsync(connection, caller, now, ct);
        decisions.AddRange(escalated);
        return new DispatchRound(now, decisions.Count(d => d.Decision == DispatchDecision.Sent),
            decisions.Count(d => d.Decision == DispatchDecision.Waits), decisions.Count(d => d.Decision == DispatchDecision.Unresolved), decisions)
        {
            Escalated = escalated.Count,
        };
    }

    /// <summary>Sent cases that go out together, in one notification per channel: related cases a round sent together (the
    /// case that led them names the group); any other case alone.</summary>
    public static IReadOnlyList<IReadOnlyList<DispatchRecord>> Group(IReadOnlyList<DispatchRecord> sent) =>
        [.. sent.GroupBy(d => (d.Org, d.Project, d.TogetherWith ?? d.Case)).Select(g => (IReadOnlyList<DispatchRecord>)[.. g])];

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

    /// <summary>What the project may still take as of the round: its policy's day and week less the notifications sent to it before
    /// (related cases sent together are one).</summary>
    async Task<(int Day, int Week, IntakeLimits Limits)> BudgetAsync(DbConnection connection, Caller caller, string project, DateTimeOffset now,
        CancellationToken ct)
    {
        var limits = (await registry.GetAsync(caller, project, ct)).Intake;
        var sent = await connection.QuerySingleAsync<(long Day, long Week)>(new CommandDefinition("""
            SELECT count(DISTINCT CASE WHEN d.decided_at > @dayAgo THEN coalesce(d.together_with, d.case_seq) END),
                   count(DISTINCT coalesce(d.together_with, d.case_seq))
            FROM dispatch_decisions d JOIN projects p ON p.id = d.project_id
            WHERE p.name = @project AND d.decision = 'sent' AND d.decided_at > @weekAgo AND d.decided_at <= @now
            """, new
        {
            project, now = now.ToUnixTimeMilliseconds(), dayAgo = (now - Day).ToUnixTimeMilliseconds(),
            weekAgo = (now - Week).ToUnixTimeMilliseconds(),
        }, cancellationToken: ct));
        return (limits.PerDay - (int)sent.Day, limits.PerWeek - (int)sent.Week, limits);
    }

    /// <param name="how">How it went, after its priority: within or past the capacity, alone or with others.</param>
    /// <param name="lead">The case whose notification it goes out in, when it goes with related cases.</param>
    async Task<DispatchRecord> SendAsync(DbConnection connection, Caller caller, CaseSummary c, OwnerResolution owner, string? bypass,
        string how, CaseSummary? lead, DateTimeOffset now, CancellationToken ct)
    {
        var reason = $"sent to {owner.Owner}, the owner of project {owner.Project} (by {owner.Basis}), at priority {c.Priority.Score}{how}";
        await using var tx = await db.BeginAsync(connection, ct);
        var seq = await connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT seq FROM cases WHERE id = @id", new { id = c.Id }, tx,
            cancellationToken: ct));
        await grants.GiveAsync(connection, tx, caller, seq, c.Id, owner.Owner!, "dispatched: the owner of project " + owner.Project, ct);
        await lifecycle.MoveAsync(connection, tx, caller, c.Id, new TransitionRequest(CaseState.Notified, reason), null, null, ct);
        var record = await RecordAsync(connection, tx, Subject.Of(c), owner, DispatchDecision.Sent, bypass, reason, now, caller, lead?.Id, ct);
        await NotificationStore.PendAsync(connection, tx, record, ct);
        await tx.CommitAsync(ct);
        return record;
    }

    /// <summary>What a decision is about: the case as the queue ranks it.</summary>
    sealed record Subject(string Id, string Title, int Priority)
    {
        public static Subject Of(CaseSummary c) => new(c.Id, c.Title, c.Priority.Score);
    }

    /// <summary>Stores a decision unless it repeats the case's last one (a case waiting round after round is recorded once).</summary>
    static async Task<DispatchRecord> RecordAsync(DbConnection connection, DbTransaction? tx, Subject c, OwnerResolution owner,
        DispatchDecision decision, string? bypass, string reason, DateTimeOffset now, Caller caller, string? togetherWith, CancellationToken ct)
    {
        var name = JsonNamingPolicy.CamelCase.ConvertName(decision.ToString());
        var args = new
        {
            id = c.Id, decision = name, bypass, project = owner.Project, org = owner.Owner, priority = c.Priority, reason,
            at = now.ToUnixTimeMilliseconds(), actor = caller.Actor, togetherWith,
        };
        var last = await connection.QuerySingleOrDefaultAsync<LastRow>(new CommandDefinition("""
            SELECT d.decision, d.reason FROM dispatch_decisions d JOIN cases c ON c.seq = d.case_seq WHERE c.id = @id ORDER BY d.id DESC LIMIT 1
            """, args, tx, cancellationToken: ct));
        if (last is null || last.decision != name || last.reason != reason)
            await connection.ExecuteAsync(new CommandDefinition("""
                INSERT INTO dispatch_decisions (case_seq, decided_at, decision, bypass, project_id, org_id, priority, reason, decided_by,
                                                together_with)
                SELECT c.seq, @at, @decision, @bypass, (SELECT id FROM projects WHERE name = @project), (SELECT id FROM orgs WHERE name = @org),
                       @priority, @reason, @actor, (SELECT seq FROM cases WHERE id = @togetherWith)
                FROM cases c WHERE c.id = @id
                """, args, tx, cancellationToken: ct));
        return new DispatchRecord(c.Id, c.Title, owner.Project, owner.Owner, decision, bypass, c.Priority, reason, now, caller.Actor)
        {
            TogetherWith = togetherWith,
        };
    }

    sealed record LastRow(string decision, string reason);

    /// <summary>
    /// What relates cases (docs/dispatch.md, "Related cases"): the same project and component — an affected package, else the file
    /// of its first finding — or the same root-cause family (the crash a validation run found).
    /// </summary>
    sealed record Relation(string Case, long ProjectId, string? Component, string? Family, DateTimeOffset? Fixed)
    {
        /// <summary>What the two have in common, in words; null when they are not related.</summary>
        public string? SharedWith(Relation other) =>
            ProjectId != other.ProjectId ? null
            : Component is not null && Component == other.Component ? $"same component: {Component}"
            : Family is not null && Family == other.Family ? $"same crash: {Family}"
            : null;
    }

    /// <summary>The confirmed cases' relations, by case id, and those of the cases fixed in the 48 hours before the round whose fix
    /// is not verified yet.</summary>
    static async Task<(Dictionary<string, Relation> Confirmed, List<Relation> Fixes)> RelationsAsync(DbConnection connection,
        DateTimeOffset now, CancellationToken ct)
    {
        var rows = await connection.QueryAsync<RelationRow>(new CommandDefinition("""
            SELECT c.id, c.project_id, c.state,
                   (SELECT min(cp.purl_key) FROM case_packages cp WHERE cp.case_seq = c.seq) AS package,
                   (SELECT min(f.path) FROM fingerprints x JOIN findings f ON f.fingerprint_id = x.id WHERE x.case_seq = c.seq) AS path,
                   (SELECT v.crash_type || ': ' || v.crash_state FROM validation_runs v
                    WHERE v.case_seq = c.seq AND v.crash_state IS NOT NULL ORDER BY v.requested_at DESC LIMIT 1) AS family,
                   (SELECT max(t.at) FROM case_transitions t WHERE t.case_seq = c.seq AND t.to_state = 'fixed') AS fixed_at
            FROM cases c
            WHERE c.merged_into IS NULL AND (c.state = 'confirmed' OR (c.state = 'fixed' AND EXISTS (
                SELECT 1 FROM case_transitions t WHERE t.case_seq = c.seq AND t.to_state = 'fixed' AND t.at > @since AND t.at <= @now)))
            """, new { since = (now - FixHold).ToUnixTimeMilliseconds(), now = now.ToUnixTimeMilliseconds() }, cancellationToken: ct));
        var confirmed = new Dictionary<string, Relation>(StringComparer.Ordinal);
        var fixes = new List<Relation>();
        foreach (var r in rows)
        {
            var relation = new Relation(r.id, r.project_id, r.package ?? r.path, r.family,
                r.fixed_at is { } at ? DateTimeOffset.FromUnixTimeMilliseconds(at) : null);
            if (r.state == "confirmed") confirmed[r.id] = relation;
            else fixes.Add(relation);
        }
        return (confirmed, fixes);
    }

    // A class: SQLite types a column by its first value, and these may be NULL.
    sealed class RelationRow
    {
        public string id { get; init; } = "";
        public long project_id { get; init; }
        public string state { get; init; } = "";
        public string? package { get; init; }
        public string? path { get; init; }
        public string? family { get; init; }
        public long? fixed_at { get; init; }
    }

    /// <summary>Why a case waits for a similar case's fix to be verified (a fix may well cover both); null when nothing holds it.</summary>
    static string? Held(Relation c, List<Relation> fixes) =>
        fixes.Select(f => (Fix: f, Shared: c.SharedWith(f))).FirstOrDefault(f => f.Shared is not null) is { Fix: { } fix, Shared: { } shared }
            ? $"waits: case {fix.Case} ({shared}) was fixed at {fix.Fixed:yyyy-MM-dd HH:mm}Z and its fix is not verified yet; what is " +
              "like a fix of the last 48 hours waits for its verification, since the fix may cover it too"
            : null;

    /// <summary>The cases whose maintainer has not answered by their escalation deadline, each escalated once.</summary>
    async Task<List<DispatchRecord>> EscalateAsync(DbConnection connection, Caller caller, DateTimeOffset now, CancellationToken ct)
    {
        // Those escalated before stay unanswered round after round: read once, not asked per case.
        var before = (await connection.QueryAsync<string>(new CommandDefinition("""
            SELECT DISTINCT c.id FROM dispatch_decisions d JOIN cases c ON c.seq = d.case_seq WHERE d.decision = 'escalated'
            """, cancellationToken: ct))).ToHashSet(StringComparer.Ordinal);
        var due = new List<(string Case, Deadline Deadline)>();
        await foreach (var unanswered in ClockStore.UnansweredAsync(db, now, ct))
            if (!before.Contains(unanswered.Case)) due.Add(unanswered);
        var escalated = new List<DispatchRecord>();
        foreach (var (id, deadline) in due)
        {
            var sent = await connection.QuerySingleOrDefaultAsync<SentRow>(new CommandDefinition("""
                SELECT p.name AS project, o.name AS org FROM dispatch_decisions d JOIN cases c ON c.seq = d.case_seq
                LEFT JOIN projects p ON p.id = d.project_id LEFT JOIN orgs o ON o.id = d.org_id
                WHERE c.id = @id AND d.decision = 'sent' ORDER BY d.id DESC LIMIT 1
                """, new { id }, cancellationToken: ct));
            var detail = await cases.GetAsync(caller, id, ct);
            if (detail is null) continue;
            var who = sent?.org ?? "its maintainers";
            var owner = new OwnerResolution(id, sent?.project ?? detail.Case.Project, sent?.org, null, [], null);
            var reason = $"escalated to the coordinator: {who} did not answer by the escalation deadline of {deadline.At:yyyy-MM-dd HH:mm}Z " +
                $"({deadline.Rule})";
            escalated.Add(await RecordAsync(connection, null, Subject.Of(detail.Case), owner, DispatchDecision.Escalated, null, reason, now,
                caller, null, ct));
        }
        return escalated;
    }

    sealed record SentRow(string? project, string? org);

    const string Columns = """
        c.id, d.decision, d.bypass, p.name AS project, o.name AS org, d.priority, d.reason, d.decided_at, d.decided_by,
        (SELECT title FROM cases WHERE seq = d.case_seq) AS title, (SELECT id FROM cases WHERE seq = d.together_with) AS together_with
        """;

    sealed record Row(string id, string decision, string? bypass, string? project, string? org, long priority, string reason, long decided_at,
        string decided_by, string? title, string? together_with)
    {
        public DispatchRecord ToRecord() => new(id, title ?? "", project, org,
            Enum.Parse<DispatchDecision>(decision, ignoreCase: true), bypass, (int)priority, reason,
            DateTimeOffset.FromUnixTimeMilliseconds(decided_at), decided_by) { TogetherWith = together_with };
    }
}
