using System.Data.Common;
using Clearwing.Access;
using Clearwing.Storage;
using Dapper;

namespace Clearwing.Cases;

/// <summary>A fact of the disclosure clock that is not a lifecycle move.</summary>
public enum ClockFact
{
    /// <summary>The maintainer announced a fix scheduled for a day (OSS-Fuzz's grace); announced now.</summary>
    FixScheduled,
    /// <summary>Exploitation in the wild became known to the coordinator.</summary>
    ExploitedInTheWild,
    /// <summary>Full technical details were published.</summary>
    DetailsPublished,
}

/// <summary>
/// A clock fact to record. <see cref="ScheduledFor"/> belongs to <see cref="ClockFact.FixScheduled"/> only (which is
/// announced now); <see cref="At"/> to the other two, defaulting to now. A detail given for a fact it does not belong
/// to is refused rather than dropped. <see cref="Fact"/> is nullable so a request that leaves it out is refused, not
/// read as the first fact.
/// </summary>
public sealed record ClockEntry(ClockFact? Fact, DateTimeOffset? At = null, DateTimeOffset? ScheduledFor = null);

/// <summary>A case's disclosure clock as of <see cref="Now"/>: the profile that governs it, its timeline, its deadlines.</summary>
/// <param name="ExtensionDaysLeft">Days a newly approved extension could still add (<see cref="EmbargoClock.ExtensionDaysLeft"/>).</param>
public sealed record CaseClock(
    string Case, string Project, CaseState State, DisclosureProfile Profile, CaseTimeline Timeline,
    IReadOnlyList<Deadline> Deadlines, int ExtensionDaysLeft, DateTimeOffset Now);

/// <summary>One open deadline of a case, as the deadline listing shows it.</summary>
public sealed record DeadlineEntry(string Case, string Project, string Profile, Deadline Deadline);

/// <summary>Which open deadlines to list: all, or those of one status; a page of them, soonest first.</summary>
public sealed record DeadlineFilter(DeadlineStatus? Status = null, int Offset = 0, int Limit = 100)
{
    /// <summary>The statuses an open deadline can have, by their API names.</summary>
    public static IReadOnlyList<string> StatusNames { get; } = ["upcoming", "dueSoon", "breached"];

    /// <summary>Reads "upcoming", "dueSoon" (also "due-soon", "due_soon", any case) or "breached"; anything else is refused naming it.</summary>
    public static DeadlineStatus ParseStatus(string value) =>
        value.Replace("-", "").Replace("_", "").ToLowerInvariant() switch
        {
            "upcoming" => DeadlineStatus.Upcoming,
            "duesoon" => DeadlineStatus.DueSoon,
            "breached" => DeadlineStatus.Breached,
            _ => throw new BadInputException(
                $"Unknown deadline status '{value}'; expected one of: {string.Join(", ", StatusNames)} " +
                "(met deadlines are not open, so they are not listed)."),
        };
}

/// <summary>
/// The disclosure clocks of cases: the clock facts recorded on them (migration 0007), and the deadlines
/// <see cref="EmbargoClock"/> computes from those, the lifecycle's moves (<c>case_transitions</c>), the extensions and the
/// policy in force. Who may record what: maintainer admins and triagers with a grant announce scheduled fixes; the
/// coordinator's admins and triagers record every fact. Reads go through <see cref="NeedToKnow"/>, so a case outside it
/// is not found; every change appends an audit event in its own transaction.
/// </summary>
public sealed class ClockStore(Database db, AuditLog audit, TimeProvider time, CaseChanges changes)
{
    public const int MaxLimit = 1000;

    /// <summary>Between notification and disclosure: the states whose cases run on the clock.</summary>
    internal static readonly CaseState[] OnTheClock = [CaseState.Notified, CaseState.FixInProgress, CaseState.Fixed, CaseState.FixVerified];

    /// <summary><see cref="OnTheClock"/> as an SQL list of stored names.</summary>
    internal static readonly string Running = $"({string.Join(", ", OnTheClock.Select(s => $"'{Lifecycle.Name(s)}'"))})";

    // Ten years: a scheduled fix further out is a typo, and stays far from date arithmetic's limits.
    static readonly TimeSpan FurthestSchedule = TimeSpan.FromDays(3653);

    /// <summary>
    /// Records a clock fact and returns the case's clock with it. A scheduled fix is announced by a maintainer admin or
    /// triager with a grant, or by the coordinator's admins and triagers; exploitation in the wild and published details
    /// only by the coordinator's. Recording a fact again replaces it (the audit event keeps the previous value).
    /// </summary>
    public async Task<CaseClock> RecordAsync(Caller caller, string caseId, ClockEntry entry, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var now = time.GetUtcNow();
        await using (var connection = await db.OpenAsync(ct))
        {
            await using var tx = await db.BeginAsync(connection, ct);
            var target = await VisibleCaseAsync(connection, tx, caller, caseId, ct);
            var (action, columns, values) = ClockValues(caller, caseId, entry, now);
            // Column names come from ClockValues' fixed table, never from the request; the last is the fact's instant.
            var previous = await connection.ExecuteScalarAsync<long?>(Sql(
                $"SELECT {columns[^1]} FROM case_clock WHERE case_seq = @seq", new { seq = target.Seq }, tx, ct));
            await connection.ExecuteAsync(Sql($"""
                INSERT INTO case_clock (case_seq, {string.Join(", ", columns)}) VALUES (@seq, {string.Join(", ", columns.Select(c => "@" + c))})
                ON CONFLICT (case_seq) DO UPDATE SET {string.Join(", ", columns.Select(c => $"{c} = excluded.{c}"))}
                """, Args(target.Seq, columns, values), tx, ct));
            await audit.AppendAsync(connection, tx, AuditEntry.By(caller, $"case:{caseId}", action,
                new { Instant = At(values[^1]), Previous = AtOrNull(previous) }), ct);
            await changes.RaiseAsync(connection, tx, Ms(now), new CaseChanged(CaseAspect.Clock, CaseSet.One(target.Seq)), ct);
            await tx.CommitAsync(ct);
        }
        return await GetClockAsync(caller, caseId, ct);
    }

    /// <summary>One case's clock: its deadlines now (none until it is notified), the profile, the timeline.</summary>
    public async Task<CaseClock> GetClockAsync(Caller caller, string caseId, CancellationToken ct = default)
    {
        var policies = await DisclosurePolicyStore.PoliciesAsync(db, ct);
        await foreach (var (_, clock) in ClocksAsync(db, $"c.id = @caseId AND {NeedToKnow.Case(caller)}",
                           new { caseId, callerOrg = caller.OrgId }, policies, time.GetUtcNow(), ct))
            return clock;
        throw new NotFoundException($"No case {caseId}.");
    }

    /// <summary>
    /// The open deadlines of every case the caller may see that is notified and not disclosed, soonest first (breached
    /// ones, being in the past, lead), optionally of one status. Two streaming queries read every such case with its
    /// moves, clock facts and extensions; the clock runs per case as the rows arrive, and only the page being asked
    /// for is kept in memory, so 100,000 cases on the clock cost one pass and no per-case round trip.
    /// </summary>
    public async Task<Page<DeadlineEntry>> ListDeadlinesAsync(Caller caller, DeadlineFilter filter, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var limit = Math.Clamp(filter.Limit, 1, MaxLimit);
        var offset = Math.Max(filter.Offset, 0);
        var keep = (long)offset + limit;
        // A max-heap on the sort key: its top is the latest of the soonest `keep` seen so far, the one to drop next.
        var soonest = new PriorityQueue<DeadlineEntry, DeadlineEntry>(Comparer<DeadlineEntry>.Create((a, b) => Soonest(b, a)));
        long total = 0;
        var policies = await DisclosurePolicyStore.PoliciesAsync(db, ct);
        await foreach (var (_, clock) in ClocksAsync(db, $"c.state IN {Running} AND c.merged_into IS NULL AND {NeedToKnow.Case(caller)}",
                           new { callerOrg = caller.OrgId }, policies, time.GetUtcNow(), ct))
        {
            foreach (var deadline in clock.Deadlines)
            {
                if (!deadline.IsOpen || (filter.Status is { } status && deadline.Status != status)) continue;
                total++;
                var entry = new DeadlineEntry(clock.Case, clock.Project, clock.Profile.Name, deadline);
                if (soonest.Count < keep) soonest.Enqueue(entry, entry);
                else if (Soonest(entry, soonest.Peek()) < 0) soonest.EnqueueDequeue(entry, entry);
            }
        }
        var items = soonest.UnorderedItems.Select(i => i.Element).Order(Comparer<DeadlineEntry>.Create(Soonest)).Skip(offset).ToList();
        return new Page<DeadlineEntry>(items, total, offset, limit);
    }

    /// <summary>The clocks of those of the given cases (a comma-separated list of keys) that are on the clock, for the priority.</summary>
    internal static async IAsyncEnumerable<(long Seq, CaseClock Clock)> RunningClocksAsync(
        Database db, TimeProvider time, string seqs, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        var policies = await DisclosurePolicyStore.PoliciesAsync(db, ct);
        await foreach (var (seq, clock) in ClocksAsync(db, $"c.state IN {Running} AND c.seq IN ({seqs})", new { }, policies, time.GetUtcNow(), ct))
            yield return (seq, clock);
    }

    /// <summary>The cases on the clock whose escalation deadline has passed by <paramref name="now"/> with no response from their
    /// maintainer (docs/dispatch.md, "Escalation"): dispatch escalates them. In case order.</summary>
    internal static async IAsyncEnumerable<(string Case, Deadline Deadline)> UnansweredAsync(
        Database db, DateTimeOffset now, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        await foreach (var clock in ClocksWhereAsync(db, now, $"c.state IN {Running} AND c.merged_into IS NULL", new { }, ct))
            foreach (var deadline in clock.Deadlines)
                if (deadline is { Kind: DeadlineKind.Escalation, IsOpen: true, Status: DeadlineStatus.Breached })
                    yield return (clock.Case, deadline);
    }

    /// <summary>The public disclosure deadlines of the cases on the clock that are still open, soonest first: those passed by
    /// <paramref name="now"/> are due for publication (docs/advisories.md, "Publication"), the next one says when to look again.</summary>
    internal static async Task<IReadOnlyList<(string Case, DateTimeOffset At)>> DisclosureDeadlinesAsync(
        Database db, DateTimeOffset now, CancellationToken ct)
    {
        var deadlines = new List<(string Case, DateTimeOffset At)>();
        await foreach (var clock in ClocksWhereAsync(db, now, $"c.state IN {Running} AND c.merged_into IS NULL", new { }, ct))
            foreach (var deadline in clock.Deadlines)
                if (deadline is { Kind: DeadlineKind.PublicDisclosure, IsOpen: true })
                    deadlines.Add((clock.Case, deadline.At));
        return [.. deadlines.OrderBy(d => d.At).ThenBy(d => d.Case, StringComparer.Ordinal)];
    }

    /// <summary>The clocks of the cases matching <paramref name="where"/> (over <c>cases c</c>, with its parameters in
    /// <paramref name="args"/>), as of <paramref name="now"/>: the forecast's deadlines of the backlog, dispatch's escalations.</summary>
    internal static async IAsyncEnumerable<CaseClock> ClocksWhereAsync(
        Database db, DateTimeOffset now, string where, object args, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        var policies = await DisclosurePolicyStore.PoliciesAsync(db, ct);
        await foreach (var (_, clock) in ClocksAsync(db, where, args, policies, now, ct))
            yield return clock;
    }

    static int Soonest(DeadlineEntry a, DeadlineEntry b)
    {
        var byTime = a.Deadline.At.CompareTo(b.Deadline.At);
        if (byTime != 0) return byTime;
        var byCase = string.CompareOrdinal(a.Case, b.Case);
        return byCase != 0 ? byCase : a.Deadline.Kind.CompareTo(b.Deadline.Kind);
    }

    /// <summary>
    /// The clocks of the cases matching <paramref name="where"/> (over <c>cases c</c>), streamed in case order. Two
    /// queries, each one pass in case order on its own connection, merged as they arrive: the cases with their moves
    /// and clock facts grouped per case, and their extension requests. Joining the requests into the first would repeat
    /// a case's moves per request and force a sort; this way SQLite groups in rowid order with no temporary B-tree.
    /// </summary>
    static async IAsyncEnumerable<(long Seq, CaseClock Clock)> ClocksAsync(
        Database db, string where, object args, DisclosurePolicies policies, DateTimeOffset now,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        // Timeline from the moves (docs/disclosure-policies.md): notified is the first move to 'notified'; the
        // maintainer's first response their org's first move, which the lifecycle allows only from 'notified' on; a
        // fix landed or verified counts only when no reopening came after it, and then its latest time. The case's
        // own columns are functionally dependent on c.seq; the others are one row per case and read through MAX.
        var cases = $"""
            SELECT c.seq AS Seq, c.id AS CaseId, c.state AS State, MAX(p.name) AS Project,
                   MIN(CASE WHEN t.to_state = 'notified' THEN t.at END) AS Notified,
                   MIN(CASE WHEN t.org_kind = 'maintainer' THEN t.at END) AS Responded,
                   MAX(CASE WHEN t.to_state = 'fixed' THEN t.at END) AS Fixed,
                   MAX(CASE WHEN t.to_state = 'fix_verified' THEN t.at END) AS Verified,
                   MAX(CASE WHEN t.action = 'reopen' AND t.from_state IN ('fixed', 'fix_verified') THEN t.at END) AS Reopened,
                   MIN(CASE WHEN t.to_state = 'disclosed' THEN t.at END) AS Disclosed,
                   MAX(k.fix_announced_at) AS FixAnnouncedAt, MAX(k.fix_scheduled_for) AS FixScheduledFor,
                   MAX(k.exploited_at) AS ExploitedAt, MAX(k.details_published_at) AS DetailsPublishedAt
            FROM cases c JOIN projects p ON p.id = c.project_id
            LEFT JOIN case_transitions t ON t.case_seq = c.seq
            LEFT JOIN case_clock k ON k.case_seq = c.seq
            WHERE {where}
            GROUP BY c.seq
            ORDER BY c.seq
            """;
        var requests = $"""
            SELECT e.case_seq AS Seq, {ExtensionStore.ExtensionColumns}
            FROM embargo_extensions e JOIN cases c ON c.seq = e.case_seq
            WHERE {where}
            ORDER BY e.case_seq, e.asked_at, e.id
            """;
        // PostgreSQL runs one query at a time per connection, so each stream has its own.
        await using var casesConnection = await db.OpenAsync(ct);
        await using var requestsConnection = await db.OpenAsync(ct);
        await using var extensions = requestsConnection.QueryUnbufferedAsync<ExtensionStore.ExtensionRow>(requests, args).GetAsyncEnumerator(ct);
        var pending = await extensions.MoveNextAsync();
        await foreach (var row in casesConnection.QueryUnbufferedAsync<TimelineRow>(cases, args).WithCancellation(ct))
        {
            var asked = new List<EmbargoExtension>();
            // Both streams filter alike; a case that changed between the two reads is only skipped over.
            while (pending && extensions.Current.Seq < row.Seq) pending = await extensions.MoveNextAsync();
            for (; pending && extensions.Current.Seq == row.Seq; pending = await extensions.MoveNextAsync())
                asked.Add(extensions.Current.ToExtension());
            yield return (row.Seq, Clock(row, asked, policies, now));
        }
    }

    static CaseClock Clock(TimelineRow r, List<EmbargoExtension> extensions, DisclosurePolicies policies, DateTimeOffset now)
    {
        // Asking for more time answers the notification as surely as a move does.
        var firstAsked = extensions.Count == 0 ? (long?)null : extensions.Min(e => Ms(e.Request.RequestedAt));
        var responded = r.Responded is { } moved && firstAsked is { } asked ? Math.Min(moved, asked) : r.Responded ?? firstAsked;
        var timeline = new CaseTimeline
        {
            Notified = AtOrNull(r.Notified),
            MaintainerFirstResponse = AtOrNull(responded),
            FixScheduled = r.FixAnnouncedAt is { } announced && r.FixScheduledFor is { } on ? new ScheduledFix(At(announced), At(on)) : null,
            FixLanded = AtOrNull(Unreopened(r.Fixed, r.Reopened)),
            FixVerified = AtOrNull(Unreopened(r.Verified, r.Reopened)),
            ExploitedInTheWild = AtOrNull(r.ExploitedAt),
            Extensions = extensions,
            DetailsPublished = AtOrNull(r.DetailsPublishedAt),
            Disclosed = AtOrNull(r.Disclosed),
        };
        var profile = policies.For(r.Project);
        return new CaseClock(r.CaseId, r.Project, Lifecycle.Stored(r.State), profile, timeline, EmbargoClock.Compute(profile, timeline, now),
            EmbargoClock.ExtensionDaysLeft(profile, timeline), now);
    }

    static long? Unreopened(long? at, long? reopened) => at is { } a && (reopened is not { } r || a > r) ? a : null;

    /// <summary>
    /// Who may record <paramref name="entry"/>, its audit action, and the columns and values it sets (the fact's own
    /// instant last); refuses a malformed entry naming what is wrong.
    /// </summary>
    static (string Action, string[] Columns, long[] Values) ClockValues(Caller caller, string caseId, ClockEntry entry, DateTimeOffset now)
    {
        var names = string.Join(", ", Enum.GetValues<ClockFact>().Select(f => System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(f.ToString())));
        var fact = entry.Fact ?? throw new BadInputException($"A clock entry names its fact: one of {names}.");
        if (fact == ClockFact.FixScheduled)
        {
            if (!caller.CanWrite || caller.Kind is not (OrgKind.Coordinator or OrgKind.Maintainer))
                throw new AccessDeniedException(
                    $"Only maintainer and coordinator admins and triagers announce a scheduled fix, not {AsOrgRole(caller)}.");
            if (entry.At is not null) throw new BadInputException("A scheduled fix is announced now: give its scheduledFor, not an at.");
            var on = entry.ScheduledFor?.ToUniversalTime()
                ?? throw new BadInputException("A scheduled fix needs the instant it is scheduled for (scheduledFor).");
            if (on <= now)
                throw new BadInputException(
                    $"A scheduled fix is scheduled for the future, not {on:u}; a fix that has landed moves the case to 'fixed'.");
            if (on > now + FurthestSchedule) throw new BadInputException($"A fix scheduled for {on:u} is more than ten years away.");
            return ("announce_scheduled_fix", ["fix_announced_at", "fix_scheduled_for"], [Ms(now), Ms(on)]);
        }
        var exploited = fact == ClockFact.ExploitedInTheWild;
        caller.RequireCoordinatorWriter(exploited ? "record exploitation in the wild" : "record that technical details were published");
        if (entry.ScheduledFor is not null) throw new BadInputException($"scheduledFor belongs to a scheduled fix, not to {fact} on case {caseId}.");
        var at = entry.At?.ToUniversalTime() ?? now;
        if (at > now) throw new BadInputException($"{at:u} is in the future: record a fact once it has happened.");
        return exploited
            ? ("record_exploited_in_the_wild", ["exploited_at"], [Ms(at)])
            : ("record_details_published", ["details_published_at"], [Ms(at)]);
    }

    static DynamicParameters Args(long seq, string[] columns, long[] values)
    {
        var args = new DynamicParameters(new { seq });
        for (var i = 0; i < columns.Length; i++) args.Add(columns[i], values[i]);
        return args;
    }

    /// <summary>The case's key and state, or not found when it does not exist or is outside the caller's need-to-know.</summary>
    internal static async Task<(long Seq, string State)> VisibleCaseAsync(
        DbConnection connection, DbTransaction? tx, Caller caller, string caseId, CancellationToken ct)
    {
        var found = await connection.QuerySingleOrDefaultAsync<(long Seq, string State)?>(Sql(
            $"SELECT c.seq, c.state FROM cases c WHERE c.id = @caseId AND {NeedToKnow.Case(caller)}", new { caseId, callerOrg = caller.OrgId },
            tx, ct));
        return found ?? throw new NotFoundException($"No case {caseId}.");
    }

    internal static void RequireRunning((long Seq, string State) target, string caseId, string action)
    {
        var state = Lifecycle.Stored(target.State);
        if (state == CaseState.Disclosed) throw new BadInputException($"Cannot {action} on case {caseId}: it is disclosed, so its embargo is over.");
        if (!OnTheClock.Contains(state))
            throw new BadInputException(
                $"Cannot {action} on case {caseId}: it is '{target.State}', and the disclosure clock starts when it is notified.");
    }

    static OrgRole AsOrgRole(Caller caller) => new(caller.Kind, caller.Role);

    static DateTimeOffset? AtOrNull(long? ms) => ms is { } m ? At(m) : null;

    static long Ms(DateTimeOffset at) => at.ToUnixTimeMilliseconds();

    static DateTimeOffset At(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    static CommandDefinition Sql(string text, object? args, DbTransaction? tx, CancellationToken ct) => new(text, args, tx, cancellationToken: ct);
    /// <summary>A case with its moves and clock facts.</summary>
    sealed class TimelineRow
    {
        public long Seq { get; init; }
        public string CaseId { get; init; } = "";
        public string State { get; init; } = "";
        public string Project { get; init; } = "";
        public long? Notified { get; init; }
        public long? Responded { get; init; }
        public long? Fixed { get; init; }
        public long? Verified { get; init; }
        public long? Reopened { get; init; }
        public long? Disclosed { get; init; }
        public long? FixAnnouncedAt { get; init; }
        public long? FixScheduledFor { get; init; }
        public long? ExploitedAt { get; init; }
        public long? DetailsPublishedAt { get; init; }
    }
}
