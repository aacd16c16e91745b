using System.Data.Common;
using Clearwing.Access;
using Clearwing.Scoring;
using Clearwing.Storage;
using Dapper;

namespace Clearwing.Cases;

/// <summary>The coordinator's default profile, the projects that override it, and the profiles there are to choose from.</summary>
/// <param name="SetBy">Who set the default; null while the shipped default is in force.</param>
public sealed record DisclosurePolicySettings(
    string DefaultProfile, string? SetBy, DateTimeOffset? SetAt, IReadOnlyList<ProjectDisclosurePolicy> Overrides, IReadOnlyList<DisclosureProfile> Profiles);

/// <summary>A project whose cases run on another profile than the default.</summary>
public sealed record ProjectDisclosurePolicy(string Project, string Profile, string SetBy, DateTimeOffset SetAt);

/// <summary>An extension request as stored: its id, its case, the maintainer org that asked, and the request with its decision.</summary>
public sealed record CaseExtension(string Id, string Case, string Org, EmbargoExtension Extension)
{
    /// <summary>"pending", "approved" or "refused", as stored.</summary>
    public string State => DisclosureStore.StateName(Extension.Decision?.Verdict);
}

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
    string Case, string Project, string State, DisclosureProfile Profile, CaseTimeline Timeline,
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
                $"Unknown deadline status '{value}'; expected one of: {string.Join(", ", StatusNames)} (met deadlines are not open, so they are not listed)."),
        };
}

/// <summary>
/// Disclosure policy, extension requests and the clock facts of cases (migration 0007), and the deadlines
/// <see cref="EmbargoClock"/> computes from them and from <c>case_transitions</c>. Who may do what:
/// the coordinator's admins set policy; maintainer admins and triagers with a grant ask for extensions and announce
/// scheduled fixes; the coordinator's admins and triagers decide extensions and record every clock fact. Every read
/// and write of a case goes through <see cref="NeedToKnow"/>, so a case outside it is not found; every change appends
/// an audit event in its own transaction.
/// </summary>
public sealed class DisclosureStore(Database db, AuditLog audit, TimeProvider time)
{
    public const int MaxLimit = 1000;

    /// <summary>Longest extension reason or decision note, in characters.</summary>
    public const int MaxTextLength = 4000;

    /// <summary>The profile in force until the coordinator sets a default.</summary>
    public static DisclosureProfile ShippedDefault => DisclosureProfiles.Coordinator;

    // Between notification and disclosure: the states whose cases run on the clock.
    const string Running = "('notified', 'fix_in_progress', 'fixed', 'fix_verified')";

    // Ten years: a scheduled fix further out is a typo, and stays far from date arithmetic's limits.
    static readonly TimeSpan FurthestSchedule = TimeSpan.FromDays(3653);

    public async Task<DisclosurePolicySettings> GetPolicyAsync(Caller caller, CancellationToken ct = default)
    {
        await using var connection = await db.OpenAsync(ct);
        return await SettingsAsync(connection, null, caller, ct);
    }

    /// <summary>Sets the coordinator's default profile (coordinator admins); an unknown name is refused listing the known ones.</summary>
    public async Task<DisclosurePolicySettings> SetDefaultProfileAsync(Caller caller, string profile, CancellationToken ct = default)
    {
        RequireCoordinatorAdmin(caller);
        var chosen = KnownProfile(profile);
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await db.BeginAsync(connection, ct);
        var previous = await connection.ExecuteScalarAsync<string?>(Sql("SELECT profile FROM disclosure_default WHERE id = 1", null, tx, ct));
        await connection.ExecuteAsync(Sql("""
            INSERT INTO disclosure_default (id, profile, set_by, set_at) VALUES (1, @profile, @actor, @now)
            ON CONFLICT (id) DO UPDATE SET profile = excluded.profile, set_by = excluded.set_by, set_at = excluded.set_at
            """, new { profile = chosen.Name, actor = caller.Actor, now = Now }, tx, ct));
        await audit.AppendAsync(connection, tx, AuditEntry.By(caller, "disclosure-policy", "set_default_profile",
            new { Profile = chosen.Name, Previous = previous ?? ShippedDefault.Name }), ct);
        // Every deadline under the default moves; only cases on the clock have one.
        await PriorityStore.MarkStaleAsync(connection, tx, $"c.state IN {Running}", null);
        var settings = await SettingsAsync(connection, tx, caller, ct);
        await tx.CommitAsync(ct);
        return settings;
    }

    /// <summary>
    /// Sets <paramref name="project"/>'s profile (coordinator admins), or with a null <paramref name="profile"/> removes
    /// its override so the default applies again. An unknown profile is refused listing the known ones.
    /// </summary>
    public async Task<DisclosurePolicySettings> SetProjectProfileAsync(Caller caller, string project, string? profile, CancellationToken ct = default)
    {
        RequireCoordinatorAdmin(caller);
        var chosen = profile is null ? null : KnownProfile(profile);
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await db.BeginAsync(connection, ct);
        var projectId = await connection.ExecuteScalarAsync<long?>(Sql("SELECT id FROM projects WHERE name = @project", new { project }, tx, ct))
            ?? throw new NotFoundException($"No project '{project}'.");
        var previous = await connection.ExecuteScalarAsync<string?>(Sql(
            "SELECT profile FROM project_disclosure WHERE project_id = @projectId", new { projectId }, tx, ct));
        if (chosen is null)
        {
            if (previous is null) throw new BadInputException($"Project '{project}' has no disclosure profile of its own; it already follows the default.");
            await connection.ExecuteAsync(Sql("DELETE FROM project_disclosure WHERE project_id = @projectId", new { projectId }, tx, ct));
        }
        else
        {
            await connection.ExecuteAsync(Sql("""
                INSERT INTO project_disclosure (project_id, profile, set_by, set_at) VALUES (@projectId, @profile, @actor, @now)
                ON CONFLICT (project_id) DO UPDATE SET profile = excluded.profile, set_by = excluded.set_by, set_at = excluded.set_at
                """, new { projectId, profile = chosen.Name, actor = caller.Actor, now = Now }, tx, ct));
        }
        await audit.AppendAsync(connection, tx, AuditEntry.By(caller, $"project:{project}",
            chosen is null ? "clear_disclosure_profile" : "set_disclosure_profile", new { Profile = chosen?.Name, Previous = previous }), ct);
        await PriorityStore.MarkStaleAsync(connection, tx, $"c.project_id = @projectId AND c.state IN {Running}", new { projectId });
        var settings = await SettingsAsync(connection, tx, caller, ct);
        await tx.CommitAsync(ct);
        return settings;
    }

    /// <summary>
    /// A maintainer admin or triager with a grant on the case asks for <paramref name="days"/> more days, giving a
    /// reason. The case must be on the clock: notified and not yet disclosed.
    /// </summary>
    public async Task<CaseExtension> AskExtensionAsync(Caller caller, string caseId, int days, string reason, CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await db.BeginAsync(connection, ct);
        var target = await VisibleCaseAsync(connection, tx, caller, caseId, ct);
        var asked = EmbargoExtensions.Ask(AsOrgRole(caller), caller.Actor, days, reason ?? "", now);
        if (asked.Value is not { } extension)
            // Ask checks who asks before what is asked, so a maintainer writer's refusal is about the days or the reason.
            throw Refusal(caller is { Kind: OrgKind.Maintainer, CanWrite: true }, $"Cannot ask for an extension on case {caseId}: {asked.Error}.");
        RequireText(extension.Request.Reason, "reason");
        RequireRunning(target, caseId, "ask for an extension");
        var id = await connection.ExecuteScalarAsync<string>(Sql($"""
            INSERT INTO embargo_extensions (id, case_seq, days, reason, asked_by, asked_org, asked_at, state)
            VALUES ({db.Dialect.RandomId}, @seq, @days, @reason, @actor, @org, @at, 'pending')
            RETURNING id
            """, new { seq = target.Seq, days, reason = extension.Request.Reason, actor = caller.Actor, org = caller.Org, at = Ms(now) }, tx, ct));
        // Ids and numbers only: the reason may be embargoed text, and events are listed to anyone with the database.
        await audit.AppendAsync(connection, tx, AuditEntry.By(caller, $"case:{caseId}", "ask_extension", new { Extension = id, Days = days }), ct);
        // Asking answers the notification, which discharges the escalation deadline.
        await PriorityStore.MarkStaleAsync(connection, tx, target.Seq);
        await tx.CommitAsync(ct);
        return new CaseExtension(id!, caseId, caller.Org, extension);
    }

    /// <summary>
    /// A coordinator admin or triager approves or refuses a pending request. With <paramref name="caseId"/> the
    /// request must belong to that case. A request on a case outside the caller's need-to-know is not found.
    /// </summary>
    public async Task<CaseExtension> DecideExtensionAsync(
        Caller caller, string extensionId, ExtensionVerdict verdict, string? note, string? caseId = null, CancellationToken ct = default)
    {
        if (note is not null) RequireText(note, "note");
        var now = time.GetUtcNow();
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await db.BeginAsync(connection, ct);
        var row = await connection.QuerySingleOrDefaultAsync<ExtensionRow>(Sql($"""
            SELECT {ExtensionColumns}, c.id AS CaseId FROM embargo_extensions e JOIN cases c ON c.seq = e.case_seq
            WHERE e.id = @extensionId AND {NeedToKnow.Case(caller)} {(caseId is null ? "" : "AND c.id = @caseId")}
            """, new { extensionId, caseId, callerOrg = caller.OrgId }, tx, ct))
            ?? throw new NotFoundException(caseId is null ? $"No extension '{extensionId}'." : $"No extension '{extensionId}' on case '{caseId}'.");
        var decided = EmbargoExtensions.Decide(row.ToExtension(), verdict, AsOrgRole(caller), caller.Actor, now, note);
        if (decided.Value is not { } extension)
            throw Refusal(caller is { IsCoordinator: true, CanWrite: true }, $"Cannot decide extension {extensionId}: {decided.Error}.");
        var decision = extension.Decision!;
        // Only a pending row changes: of two deciders at once, the second finds it decided and is refused.
        var changed = await connection.ExecuteAsync(Sql("""
            UPDATE embargo_extensions SET state = @state, decided_by = @by, decided_at = @at, note = @note
            WHERE id = @extensionId AND state = 'pending'
            """, new { state = StateName(verdict), by = decision.DecidedBy, at = Ms(decision.DecidedAt), note = decision.Note, extensionId }, tx, ct));
        if (changed == 0) throw new BadInputException($"Cannot decide extension {extensionId}: it was decided meanwhile.");
        await audit.AppendAsync(connection, tx, AuditEntry.By(caller, $"case:{row.CaseId}",
            verdict == ExtensionVerdict.Approved ? "approve_extension" : "refuse_extension", new { Extension = extensionId, row.Days }), ct);
        await PriorityStore.MarkStaleAsync(connection, tx, "c.id = @caseId", new { caseId = row.CaseId });
        await tx.CommitAsync(ct);
        return new CaseExtension(extensionId, row.CaseId, row.AskedOrg, extension);
    }

    /// <summary>
    /// A case's extension requests, oldest first: for the coordinator and the maintainers with a grant. They are the
    /// maintainers' discussion with the coordinator, so a validator or downstream org that sees the case is refused.
    /// </summary>
    public async Task<IReadOnlyList<CaseExtension>> ListExtensionsAsync(Caller caller, string caseId, CancellationToken ct = default)
    {
        await using var connection = await db.OpenAsync(ct);
        var target = await VisibleCaseAsync(connection, null, caller, caseId, ct);
        if (caller.Kind is not (OrgKind.Coordinator or OrgKind.Maintainer))
            throw new AccessDeniedException(
                $"Extension requests are between the maintainers and the coordinator; a {caller.Kind.Name()} org sees the case's deadlines, not its requests.");
        var rows = await connection.QueryAsync<ExtensionRow>(Sql(
            $"SELECT {ExtensionColumns} FROM embargo_extensions e WHERE e.case_seq = @seq ORDER BY e.asked_at, e.id", new { seq = target.Seq }, null, ct));
        return rows.Select(r => new CaseExtension(r.Id, caseId, r.AskedOrg, r.ToExtension())).ToList();
    }

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
            await PriorityStore.MarkStaleAsync(connection, tx, target.Seq);
            await tx.CommitAsync(ct);
        }
        return await GetClockAsync(caller, caseId, ct);
    }

    /// <summary>One case's clock: its deadlines now (none until it is notified), the profile, the timeline.</summary>
    public async Task<CaseClock> GetClockAsync(Caller caller, string caseId, CancellationToken ct = default)
    {
        var policies = await PoliciesAsync(ct);
        await foreach (var (_, clock) in ClocksAsync($"c.id = @caseId AND {NeedToKnow.Case(caller)}",
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
        var policies = await PoliciesAsync(ct);
        await foreach (var (_, clock) in ClocksAsync($"c.state IN {Running} AND c.merged_into IS NULL AND {NeedToKnow.Case(caller)}",
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
    internal async IAsyncEnumerable<(long Seq, CaseClock Clock)> RunningClocksAsync(
        string seqs, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        var policies = await PoliciesAsync(ct);
        await foreach (var (seq, clock) in ClocksAsync($"c.state IN {Running} AND c.seq IN ({seqs})", new { }, policies, time.GetUtcNow(), ct))
            yield return (seq, clock);
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
    async IAsyncEnumerable<(long Seq, CaseClock Clock)> ClocksAsync(
        string where, object args, DisclosurePolicies policies, DateTimeOffset now,
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
            SELECT e.case_seq AS Seq, {ExtensionColumns}
            FROM embargo_extensions e JOIN cases c ON c.seq = e.case_seq
            WHERE {where}
            ORDER BY e.case_seq, e.asked_at, e.id
            """;
        // PostgreSQL runs one query at a time per connection, so each stream has its own.
        await using var casesConnection = await db.OpenAsync(ct);
        await using var requestsConnection = await db.OpenAsync(ct);
        await using var extensions = requestsConnection.QueryUnbufferedAsync<ExtensionRow>(requests, args).GetAsyncEnumerator(ct);
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
        return new CaseClock(r.CaseId, r.Project, r.State, profile, timeline, EmbargoClock.Compute(profile, timeline, now),
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
                throw new AccessDeniedException($"Only maintainer and coordinator admins and triagers announce a scheduled fix, not {AsOrgRole(caller)}.");
            if (entry.At is not null) throw new BadInputException("A scheduled fix is announced now: give its scheduledFor, not an at.");
            var on = entry.ScheduledFor?.ToUniversalTime() ?? throw new BadInputException("A scheduled fix needs the instant it is scheduled for (scheduledFor).");
            if (on <= now) throw new BadInputException($"A scheduled fix is scheduled for the future, not {on:u}; a fix that has landed moves the case to 'fixed'.");
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

    async Task<DisclosurePolicies> PoliciesAsync(CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        var fallback = await connection.ExecuteScalarAsync<string?>(Sql("SELECT profile FROM disclosure_default WHERE id = 1", null, null, ct));
        var overrides = await connection.QueryAsync<(string Project, string Profile)>(Sql(
            "SELECT p.name, d.profile FROM project_disclosure d JOIN projects p ON p.id = d.project_id", null, null, ct));
        var policies = DisclosurePolicies.Create(fallback ?? ShippedDefault.Name, overrides.ToDictionary(o => o.Project, o => o.Profile, StringComparer.Ordinal));
        // Names are checked when they are stored, so this only fails when a later version stopped shipping a profile.
        return policies.Value ?? throw new InvalidOperationException(
            $"The stored disclosure policy cannot be used: {policies.Error}. Set it again ('clearwing policy set').");
    }

    /// <summary>The settings as the caller may see them: every override for the coordinator; for others, those of projects with a case they see.</summary>
    static async Task<DisclosurePolicySettings> SettingsAsync(DbConnection connection, DbTransaction? tx, Caller caller, CancellationToken ct)
    {
        var fallback = await connection.QuerySingleOrDefaultAsync<(string Profile, string SetBy, long SetAt)?>(Sql(
            "SELECT profile, set_by, set_at FROM disclosure_default WHERE id = 1", null, tx, ct));
        var overrides = await connection.QueryAsync<(string Project, string Profile, string SetBy, long SetAt)>(Sql($"""
            SELECT p.name, d.profile, d.set_by, d.set_at FROM project_disclosure d JOIN projects p ON p.id = d.project_id
            {(caller.IsCoordinator ? "" : $"WHERE EXISTS (SELECT 1 FROM cases c WHERE c.project_id = p.id AND {NeedToKnow.Case(caller)})")}
            ORDER BY p.name
            """, new { callerOrg = caller.OrgId }, tx, ct));
        return new DisclosurePolicySettings(
            fallback?.Profile ?? ShippedDefault.Name, fallback?.SetBy, fallback is { } f ? At(f.SetAt) : null,
            overrides.Select(o => new ProjectDisclosurePolicy(o.Project, o.Profile, o.SetBy, At(o.SetAt))).ToList(),
            DisclosureProfiles.Shipped);
    }

    /// <summary>The case's key and state, or not found when it does not exist or is outside the caller's need-to-know.</summary>
    static async Task<(long Seq, string State)> VisibleCaseAsync(DbConnection connection, DbTransaction? tx, Caller caller, string caseId, CancellationToken ct)
    {
        var found = await connection.QuerySingleOrDefaultAsync<(long Seq, string State)?>(Sql(
            $"SELECT c.seq, c.state FROM cases c WHERE c.id = @caseId AND {NeedToKnow.Case(caller)}", new { caseId, callerOrg = caller.OrgId }, tx, ct));
        return found ?? throw new NotFoundException($"No case {caseId}.");
    }

    static void RequireRunning((long Seq, string State) target, string caseId, string action)
    {
        if (target.State == "disclosed") throw new BadInputException($"Cannot {action} on case {caseId}: it is disclosed, so its embargo is over.");
        if (!Running.Contains($"'{target.State}'", StringComparison.Ordinal))
            throw new BadInputException($"Cannot {action} on case {caseId}: it is '{target.State}', and the disclosure clock starts when it is notified.");
    }

    static void RequireCoordinatorAdmin(Caller caller)
    {
        if (caller is not { IsCoordinator: true, Role: Role.Admin })
            throw new AccessDeniedException("Only the coordinator's admins set the disclosure policy.");
    }

    static DisclosureProfile KnownProfile(string? name)
    {
        var found = DisclosureProfiles.Find(name?.Trim() ?? "");
        return found.Value ?? throw new BadInputException(Sentence(found.Error!));
    }

    /// <summary>A domain refusal ("unknown …") as a sentence for a problem detail or the command line.</summary>
    internal static string Sentence(string error) => $"{char.ToUpperInvariant(error[0])}{error[1..]}.";

    static void RequireText(string text, string name)
    {
        if (text.Length > MaxTextLength) throw new BadInputException($"The {name} is at most {MaxTextLength} characters, not {text.Length}.");
    }

    static Exception Refusal(bool rightRole, string message) => rightRole ? new BadInputException(message) : new AccessDeniedException(message);

    static OrgRole AsOrgRole(Caller caller) => new(caller.Kind, caller.Role);

    internal static string StateName(ExtensionVerdict? verdict) => verdict switch
    {
        null => "pending",
        ExtensionVerdict.Approved => "approved",
        _ => "refused",
    };

    long Now => time.GetUtcNow().ToUnixTimeMilliseconds();

    static long Ms(DateTimeOffset at) => at.ToUnixTimeMilliseconds();

    static DateTimeOffset At(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    static DateTimeOffset? AtOrNull(long? ms) => ms is { } m ? At(m) : null;

    static CommandDefinition Sql(string text, object? args, DbTransaction? tx, CancellationToken ct) => new(text, args, tx, cancellationToken: ct);

    const string ExtensionColumns = """
        e.id AS Id, e.days AS Days, e.reason AS Reason, e.asked_by AS AskedBy, e.asked_org AS AskedOrg, e.asked_at AS AskedAt,
        e.state AS ExtensionState, e.decided_by AS DecidedBy, e.decided_at AS DecidedAt, e.note AS Note
        """;

    /// <summary>An extension request's columns, with its case's key (listings) or id (decisions).</summary>
    sealed class ExtensionRow
    {
        public long Seq { get; init; }
        public string Id { get; init; } = "";
        public long Days { get; init; }
        public string Reason { get; init; } = "";
        public string AskedBy { get; init; } = "";
        public string AskedOrg { get; init; } = "";
        public long AskedAt { get; init; }
        public string ExtensionState { get; init; } = "";
        public string? DecidedBy { get; init; }
        public long? DecidedAt { get; init; }
        public string? Note { get; init; }
        public string CaseId { get; init; } = "";

        public EmbargoExtension ToExtension() => new(
            new ExtensionRequest((int)Days, Reason, AskedBy, At(AskedAt)),
            ExtensionState switch
            {
                "pending" => null,
                "approved" => new ExtensionDecision(ExtensionVerdict.Approved, DecidedBy!, At(DecidedAt!.Value), Note),
                "refused" => new ExtensionDecision(ExtensionVerdict.Refused, DecidedBy!, At(DecidedAt!.Value), Note),
                var other => throw new InvalidOperationException($"Extension {Id} has the unknown state '{other}'."),
            });
    }

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
