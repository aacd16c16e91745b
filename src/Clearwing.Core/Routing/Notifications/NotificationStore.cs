using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Clearwing.Access;
using Clearwing.Cases;
using Clearwing.Storage;
using Clearwing.Storage.Jobs;
using Dapper;

namespace Clearwing.Routing;

/// <summary>Where a notification goes: a signed webhook, one e-mail, or the day's digest e-mail.</summary>
public enum NotificationChannel
{
    Webhook,
    Email,
    Digest,
}

/// <summary>
/// Where a notification is: a digest still collecting the day's cases; pending (its delivery job waits), sending, retrying (an
/// attempt failed; <see cref="NotificationInfo.LastError"/> says why), delivered, skipped (nothing of it was still granted to its
/// org when it was due), or dead (every attempt failed: a dead letter, replayable).
/// </summary>
public enum NotificationState
{
    Collecting,
    Pending,
    Sending,
    Retrying,
    Delivered,
    Skipped,
    Dead,
}

/// <summary>
/// A notification: the cases a dispatch round sent an org together, to one of its project's channels (docs/notifications.md).
/// <see cref="Id"/> is the idempotency key its deliveries carry. <see cref="Outcome"/> is the receiver's answer to the delivery
/// that succeeded (or why nothing was sent).
/// </summary>
public sealed record NotificationInfo(
    string Id, NotificationChannel Channel, string Target, string Org, string Project, IReadOnlyList<string> Cases, NotificationState State,
    int Attempts, int MaxAttempts, string? LastError, string? Outcome, DateTimeOffset CreatedAt, DateTimeOffset DueAt, DateTimeOffset? DeliveredAt);

/// <summary>A notification as its delivery job reads it: where it goes, as whom its cases are read, and which cases.</summary>
internal sealed record Delivery(
    string Id, NotificationChannel Channel, string Target, string? SecretEnv, EmailDetail Detail, long OrgId, string Org, OrgKind OrgKind,
    string Project, bool Collecting, DateTimeOffset DueAt, DateTimeOffset? DeliveredAt, string? Outcome,
    IReadOnlyList<(string Case, DateTimeOffset SentAt)> Cases, string? Advisory = null);

/// <summary>
/// Notifications (docs/notifications.md): a dispatch round's send leaves its case pending in the send's transaction
/// (<see cref="PendAsync"/>); at the end of the round the pending cases are grouped (<see cref="Dispatcher.Group"/>) and each
/// group queued, in one transaction, as one notification per channel of the project's intake policy with its delivery job
/// (<see cref="NotificationJob"/>) — only to the owner org the round granted, and only with the cases granted to it. A digest
/// address collects the day's groups into one notification sent at the digest hour. The coordinator lists them and replays
/// dead letters.
/// </summary>
public sealed class NotificationStore(Database db, TimeProvider time, AuditLog audit, JobQueue queue, ProjectRegistry registry,
    NotificationOptions options)
{
    /// <summary>The delivery job's kind; its payload is the notification's id.</summary>
    public const string JobKind = "notify";

    /// <summary>Leaves a sent case pending, in the transaction that sent it: its notification cannot be lost to a round cut short.</summary>
    internal static Task PendAsync(DbConnection connection, DbTransaction tx, DispatchRecord sent, CancellationToken ct) =>
        connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO notification_pending (case_seq, org_id, project_id, priority, bypass, reason, sent_at, sent_by, together_with)
            SELECT c.seq, o.id, p.id, @priority, @bypass, @reason, @at, @by, @together
            FROM cases c, orgs o, projects p WHERE c.id = @id AND o.name = @org AND p.name = @project
            """, new
        {
            id = sent.Case, org = sent.Org, project = sent.Project, priority = sent.Priority, bypass = sent.Bypass, reason = sent.Reason,
            at = sent.At.ToUnixTimeMilliseconds(), by = sent.DecidedBy, together = sent.TogetherWith,
        }, tx, cancellationToken: ct));

    /// <summary>
    /// Queues what is pending — the round's sends, and any a round cut short left — as notifications, grouped by
    /// <paramref name="group"/>; returns how many notifications were made or added to. The coordinator's admins and triagers.
    /// </summary>
    public async Task<int> QueueAsync(Caller caller, Func<IReadOnlyList<DispatchRecord>, IReadOnlyList<IReadOnlyList<DispatchRecord>>> group,
        CancellationToken ct = default)
    {
        caller.RequireCoordinatorWriter("queue notifications");
        ArgumentNullException.ThrowIfNull(group);
        await using var connection = await db.OpenAsync(ct);
        var pending = (await connection.QueryAsync<PendingRow>(new CommandDefinition("""
            SELECT n.id, n.case_seq, n.org_id, n.project_id, c.id AS case_id, c.title, o.name AS org, p.name AS project, n.priority, n.bypass,
                   n.reason, n.sent_at, n.sent_by, n.together_with
            FROM notification_pending n JOIN cases c ON c.seq = n.case_seq JOIN orgs o ON o.id = n.org_id JOIN projects p ON p.id = n.project_id
            ORDER BY n.id
            """, cancellationToken: ct))).ToList();
        if (pending.Count == 0) return 0;
        var rowOf = new Dictionary<DispatchRecord, PendingRow>(ReferenceEqualityComparer.Instance);
        foreach (var row in pending) rowOf[row.ToRecord()] = row;
        var groups = group([.. rowOf.Keys]);
        var policies = new Dictionary<string, ProjectEntry>(StringComparer.Ordinal);
        foreach (var project in pending.Select(p => p.project).Distinct(StringComparer.Ordinal))
            policies[project] = await registry.GetAsync(caller, project, ct);

        var now = time.GetUtcNow();
        var made = 0;
        await using var tx = await db.BeginAsync(connection, ct);
        foreach (var members in groups)
        {
            var rows = members.Select(m => rowOf[m]).ToList();
            // Only the rows this transaction deletes are its to announce: a round running beside this one may have taken the rest.
            var taken = (await connection.QueryAsync<long>(new CommandDefinition(
                $"DELETE FROM notification_pending WHERE id IN ({List(rows.Select(r => r.id), out var ids)}) RETURNING id", ids, tx,
                cancellationToken: ct))).ToHashSet();
            var (org, project) = (rows[0].org_id, rows[0].project_id);
            if (rows.Any(r => r.org_id != org || r.project_id != project))
                throw new InvalidOperationException("A notification's group holds the cases of one org and one project.");
            // Embargoed details go only to the org the round granted: the cases still granted to it, and only when it still owns the
            // project whose channels these are.
            var granted = (await connection.QueryAsync<long>(new CommandDefinition(
                $"SELECT case_seq FROM grants WHERE org_id = @org AND case_seq IN ({List(rows.Select(r => r.case_seq), out var seqs)})",
                Merge(seqs, new { org }), tx, cancellationToken: ct))).ToHashSet();
            var pendingCases = rows.Where(r => taken.Contains(r.id) && granted.Contains(r.case_seq)).ToList();
            var cases = pendingCases.Select(r => (r.case_seq, r.sent_at)).ToList();
            var policy = policies[rows[0].project];
            if (cases.Count == 0 || policy.Owner != rows[0].org) continue;
            var notified = new List<string>();
            foreach (var hook in policy.Channels.Webhooks)
                notified.Add(await CreateAsync(connection, tx, NotificationChannel.Webhook, hook.Url, hook.SecretEnv, EmailDetail.Summary, null,
                    org, project, now, cases, ct));
            foreach (var mail in policy.Channels.Email)
                notified.Add(mail.Digest == "daily"
                    ? await AddToDigestAsync(connection, tx, mail.Address, policy, org, project, now, cases, ct)
                    : await CreateAsync(connection, tx, NotificationChannel.Email, mail.Address, null, policy.Intake.EmailDetail, null, org,
                        project, now, cases, ct));
            if (notified.Count == 0) continue;
            made += notified.Count;
            await audit.AppendAsync(connection, tx, AuditEntry.By(caller, $"project:{policy.Project}", "queue_notifications",
                new { Org = rows[0].org, Cases = pendingCases.Select(c => c.case_id).ToList(), Notifications = notified }), ct);
        }
        await tx.CommitAsync(ct);
        return made;
    }

    /// <summary>
    /// Tells the downstream orgs whose products the case's exposure names that its advisory is published, in the publication's
    /// transaction (docs/advisories.md, "Telling exposed orgs"): one notification per channel of each such org, delivered by the same
    /// jobs as the others. Their content is read as the org when delivered: its own products and their dependency paths.
    /// </summary>
    internal async Task AnnounceAdvisoryAsync(DbConnection connection, DbTransaction tx, long caseSeq, string advisory, DateTimeOffset now,
        CancellationToken ct)
    {
        var project = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT project_id FROM cases WHERE seq = @caseSeq", new { caseSeq }, tx, cancellationToken: ct));
        var channels = await connection.QueryAsync<(long Org, string Channel, string Target, string? SecretEnv)>(new CommandDefinition("""
            SELECT k.org_id, k.channel, k.target, k.secret_env FROM org_channels k JOIN orgs o ON o.id = k.org_id
            WHERE o.kind = 'downstream' AND k.org_id IN (SELECT e.org_id FROM case_exposure e WHERE e.case_seq = @caseSeq)
            ORDER BY k.org_id, k.channel, k.target
            """, new { caseSeq }, tx, cancellationToken: ct));
        foreach (var c in channels)
            await CreateAsync(connection, tx, c.Channel == "webhook" ? NotificationChannel.Webhook : NotificationChannel.Email, c.Target, c.SecretEnv,
                EmailDetail.Summary, null, c.Org, project, now, [(caseSeq, now.ToUnixTimeMilliseconds())], ct, advisory);
    }

    /// <summary>A notification of the cases to one channel, with its delivery job (due now, or a digest at its hour); its id, or ""
    /// when the digest no longer collects.</summary>
    async Task<string> CreateAsync(DbConnection connection, DbTransaction tx, NotificationChannel channel, string target, string? secretEnv,
        EmailDetail detail, (string Key, DateTimeOffset Due)? digest, long org, long project, DateTimeOffset now,
        IReadOnlyList<(long CaseSeq, long SentAt)> cases, CancellationToken ct, string? advisory = null)
    {
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var due = digest?.Due ?? now;
        // A digest's job is keyed by the digest: whichever transaction makes the digest makes its one job.
        var jobId = await queue.EnqueueAsync(connection, tx, JobKind, JsonSerializer.Serialize(new { notification = id }),
            new EnqueueOptions { RunAfter = due, MaxAttempts = options.MaxAttempts, IdempotencyKey = digest?.Key ?? id }, ct);
        var seq = await connection.QuerySingleOrDefaultAsync<long?>(new CommandDefinition("""
            INSERT INTO notifications
                (id, org_id, project_id, channel, target, secret_env, detail, digest_key, collecting, due_at, created_at, job_id, advisory_id)
            VALUES (@id, @org, @project, @channel, @target, @secretEnv, @detail, @key, @collecting, @due, @now, @jobId, @advisory)
            ON CONFLICT (digest_key) DO NOTHING
            RETURNING seq
            """, new
        {
            id, org, project, channel = Name(channel), target, secretEnv, detail = Name(detail), key = digest?.Key,
            collecting = digest is null ? 0 : 1,
            due = due.ToUnixTimeMilliseconds(), now = now.ToUnixTimeMilliseconds(), jobId, advisory,
        }, tx, cancellationToken: ct));
        if (seq is null)
            (seq, id) = await connection.QuerySingleAsync<(long, string)>(new CommandDefinition(
                "SELECT seq, id FROM notifications WHERE digest_key = @key", new { key = digest!.Value.Key }, tx,
                cancellationToken: ct));
        // A digest takes cases while it collects; the row lock also makes its closing wait for this transaction, so no case
        // added here is missed by a digest being sent.
        if (digest is not null && await connection.QuerySingleOrDefaultAsync<long?>(new CommandDefinition(
                "UPDATE notifications SET collecting = 1 WHERE seq = @seq AND collecting = 1 RETURNING seq", new { seq }, tx,
                cancellationToken: ct)) is null)
            return "";
        foreach (var c in cases)
            await connection.ExecuteAsync(new CommandDefinition("""
                INSERT INTO notification_cases (notification_seq, case_seq, sent_at) VALUES (@seq, @caseSeq, @sentAt)
                ON CONFLICT (notification_seq, case_seq) DO NOTHING
                """, new { seq, caseSeq = c.CaseSeq, sentAt = c.SentAt }, tx, cancellationToken: ct));
        return id;
    }

    /// <summary>Adds the cases to the address's digest for the project's next digest hour (a digest already sent: the one after).</summary>
    async Task<string> AddToDigestAsync(DbConnection connection, DbTransaction tx, string address, ProjectEntry policy, long org, long project,
        DateTimeOffset now, IReadOnlyList<(long CaseSeq, long SentAt)> cases, CancellationToken ct)
    {
        var zone = policy.TimeZone is { } id && ZonedTime.FindZone(id) is { Ok: true, Value: { } z } ? z : TimeZoneInfo.Utc;
        var due = NextDigest(now, zone, options.DigestHour);
        for (var tries = 0; ; tries++, due = NextDigest(due, zone, options.DigestHour))
        {
            var key = $"{project}:{address.ToLowerInvariant()}:{due.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)}";
            var notification = await CreateAsync(connection, tx, NotificationChannel.Digest, address, null, policy.Intake.EmailDetail, (key, due),
                org, project, now, cases, ct);
            if (notification.Length > 0 || tries >= 3) return notification;
        }
    }

    /// <summary>The first digest hour after <paramref name="after"/> in <paramref name="zone"/> (an hour a clock change skips: the
    /// hour after it).</summary>
    internal static DateTimeOffset NextDigest(DateTimeOffset after, TimeZoneInfo zone, int hour)
    {
        for (var day = TimeZoneInfo.ConvertTime(after, zone).Date; ; day = day.AddDays(1))
        {
            var at = DateTime.SpecifyKind(day.AddHours(hour), DateTimeKind.Unspecified);
            if (zone.IsInvalidTime(at)) at = at.AddHours(1);
            var instant = new DateTimeOffset(at, zone.GetUtcOffset(at));
            if (instant > after) return instant;
        }
    }

    /// <summary>The notifications, newest first, optionally in one state: the coordinator's.</summary>
    public async Task<IReadOnlyList<NotificationInfo>> ListAsync(Caller caller, NotificationState? state = null, int limit = 100,
        CancellationToken ct = default)
    {
        caller.RequireCoordinator("list notifications");
        var page = Paging.Limit(limit, MaxLimit);
        await using var connection = await db.OpenAsync(ct);
        var rows = (await connection.QueryAsync<InfoRow>(new CommandDefinition($"""
            SELECT {InfoColumns} {InfoFrom}
            {(state is null ? "" : $"WHERE {StateSql} = @state")}
            ORDER BY n.created_at DESC, n.seq DESC LIMIT @page
            """, new { state = state is { } s ? Name(s) : null, page }, cancellationToken: ct))).ToList();
        return await WithCasesAsync(connection, rows, ct);
    }

    /// <summary>One notification: the coordinator's.</summary>
    public async Task<NotificationInfo> GetAsync(Caller caller, string id, CancellationToken ct = default)
    {
        caller.RequireCoordinator("read notifications");
        await using var connection = await db.OpenAsync(ct);
        var rows = (await connection.QueryAsync<InfoRow>(new CommandDefinition(
            $"SELECT {InfoColumns} {InfoFrom} WHERE n.id = @id", new { id }, cancellationToken: ct))).ToList();
        return rows.Count == 0 ? throw new NotFoundException($"No notification {id}.") : (await WithCasesAsync(connection, rows, ct))[0];
    }

    /// <summary>
    /// Queues a dead letter's delivery again, due now, with all its attempts: the coordinator's admins and triagers, once the
    /// receiver, the secret or the SMTP server is fixed. It goes with the same id, so a receiver that had it drops the repeat.
    /// </summary>
    public async Task<NotificationInfo> ReplayAsync(Caller caller, string id, CancellationToken ct = default)
    {
        caller.RequireCoordinatorWriter("replay notifications");
        await using (var connection = await db.OpenAsync(ct))
        {
            await using var tx = await db.BeginAsync(connection, ct);
            var row = await connection.QuerySingleOrDefaultAsync<(string JobId, string State)>(new CommandDefinition($"""
                SELECT n.job_id, {StateSql} {InfoFrom} WHERE n.id = @id
                """, new { id }, tx, cancellationToken: ct));
            if (row.JobId is null) throw new NotFoundException($"No notification {id}.");
            if (row.State != Name(NotificationState.Dead) || !await queue.RetryDeadAsync(connection, tx, row.JobId, ct))
                throw new ConflictException($"Notification {id} is {row.State}: only a dead letter is replayed.");
            await audit.AppendAsync(connection, tx, AuditEntry.By(caller, $"notification:{id}", "replay_notification"), ct);
            await tx.CommitAsync(ct);
        }
        return await GetAsync(caller, id, ct);
    }

    /// <summary>A state's name as listings and filters spell it: collecting, pending, sending, retrying, delivered, skipped, dead.</summary>
    public static string StateName(NotificationState state) => Name(state);

    /// <summary>A state by its name; anything else is refused, naming the states.</summary>
    public static NotificationState ParseState(string name) =>
        Enum.GetValues<NotificationState>().Where(s => string.Equals(Name(s), name.Trim(), StringComparison.OrdinalIgnoreCase))
            .Select(s => (NotificationState?)s).FirstOrDefault() is { } state ? state
        : throw new BadInputException($"Unknown notification state '{name}'; expected one of: " +
            $"{string.Join(", ", Enum.GetValues<NotificationState>().Select(Name))}.");

    /// <summary>The most a listing returns at once.</summary>
    public const int MaxLimit = 1000;

    /// <summary>The notification as its job delivers it; null when there is none (the job outlived it).</summary>
    internal async Task<Delivery?> DeliveryAsync(string id, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<DeliveryRow>(new CommandDefinition("""
            SELECT n.seq, n.channel, n.target, n.secret_env, n.detail, n.org_id, o.name AS org, o.kind AS org_kind, p.name AS project,
                   n.collecting, n.due_at, n.delivered_at, n.outcome, n.advisory_id
            FROM notifications n JOIN orgs o ON o.id = n.org_id JOIN projects p ON p.id = n.project_id WHERE n.id = @id
            """, new { id }, cancellationToken: ct));
        if (row is null) return null;
        var cases = await connection.QueryAsync<(string Case, long SentAt)>(new CommandDefinition("""
            SELECT c.id, nc.sent_at FROM notification_cases nc JOIN cases c ON c.seq = nc.case_seq
            WHERE nc.notification_seq = @seq ORDER BY nc.sent_at, c.id
            """, new { row.seq }, cancellationToken: ct));
        return new Delivery(id, Parse<NotificationChannel>(row.channel), row.target, row.secret_env, Parse<EmailDetail>(row.detail), row.org_id,
            row.org, AccessNames.ParseKind(row.org_kind), row.project, row.collecting == 1, At(row.due_at), row.delivered_at is { } d ? At(d) : null,
            row.outcome, [.. cases.Select(c => (c.Case, At(c.SentAt)))], row.advisory_id);
    }

    /// <summary>Ends a digest's collecting (its job is due): the cases added until now are the ones it sends.</summary>
    internal async Task CloseDigestAsync(string id, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition("UPDATE notifications SET collecting = 0 WHERE id = @id AND collecting = 1",
            new { id }, cancellationToken: ct));
    }

    /// <summary>Records the delivery's outcome: the receiver's answer when something was sent, or why nothing was.</summary>
    internal async Task FinishAsync(string id, bool sent, string outcome, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE notifications SET delivered_at = @at, outcome = @outcome, last_error = NULL WHERE id = @id
            """, new { id, outcome, at = sent ? time.GetUtcNow().ToUnixTimeMilliseconds() : (long?)null }, cancellationToken: ct));
    }

    /// <summary>Records why an attempt failed, in the words the coordinator reads in the listing.</summary>
    internal async Task FailedAsync(string id, string error, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition("UPDATE notifications SET last_error = @error WHERE id = @id",
            new { id, error = error.Length > 2000 ? error[..2000] : error }, cancellationToken: ct));
    }

    static async Task<IReadOnlyList<NotificationInfo>> WithCasesAsync(DbConnection connection, List<InfoRow> rows, CancellationToken ct)
    {
        if (rows.Count == 0) return [];
        var cases = (await connection.QueryAsync<(long Seq, string Case)>(new CommandDefinition($"""
            SELECT nc.notification_seq, c.id FROM notification_cases nc JOIN cases c ON c.seq = nc.case_seq
            WHERE nc.notification_seq IN ({List(rows.Select(r => r.seq), out var seqs)}) ORDER BY nc.sent_at, c.id
            """, seqs, cancellationToken: ct))).ToLookup(c => c.Seq, c => c.Case);
        return [.. rows.Select(r => r.ToInfo([.. cases[r.seq]]))];
    }

    /// <summary>A notification's state, read from its own row and its delivery job's.</summary>
    const string StateSql = """
        CASE WHEN n.delivered_at IS NOT NULL THEN 'delivered' WHEN j.state = 'dead' THEN 'dead' WHEN j.state = 'done' THEN 'skipped'
             WHEN n.collecting = 1 THEN 'collecting' WHEN j.state = 'running' THEN 'sending' WHEN j.attempts > 0 THEN 'retrying'
             ELSE 'pending' END
        """;

    const string InfoColumns = $"""
        n.seq, n.id, n.channel, n.target, o.name AS org, p.name AS project, {StateSql} AS state, j.attempts, j.max_attempts, n.last_error,
        n.outcome, n.created_at, n.due_at, n.delivered_at
        """;

    const string InfoFrom = """
        FROM notifications n JOIN jobs j ON j.id = n.job_id JOIN orgs o ON o.id = n.org_id JOIN projects p ON p.id = n.project_id
        """;

    /// <summary>"@p0, @p1, …" for <paramref name="values"/>, one parameter each (the same SQL on both engines).</summary>
    static string List<T>(IEnumerable<T> values, out DynamicParameters args)
    {
        args = new DynamicParameters();
        var names = new List<string>();
        foreach (var value in values)
        {
            names.Add("@p" + names.Count.ToString(CultureInfo.InvariantCulture));
            args.Add(names[^1], value);
        }
        return string.Join(", ", names);
    }

    static DynamicParameters Merge(DynamicParameters args, object more)
    {
        args.AddDynamicParams(more);
        return args;
    }

    static string Name<T>(T value) where T : struct, Enum => JsonNamingPolicy.CamelCase.ConvertName(value.ToString());

    static T Parse<T>(string name) where T : struct, Enum => Enum.Parse<T>(name, ignoreCase: true);

    static DateTimeOffset At(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    // Classes, not positional records: SQLite types an expression's column by its first value (and an empty result's as a blob),
    // which a record's constructor would have to match.
    sealed class PendingRow
    {
        public long id { get; init; }
        public long case_seq { get; init; }
        public long org_id { get; init; }
        public long project_id { get; init; }
        public string case_id { get; init; } = "";
        public string title { get; init; } = "";
        public string org { get; init; } = "";
        public string project { get; init; } = "";
        public long priority { get; init; }
        public string? bypass { get; init; }
        public string reason { get; init; } = "";
        public long sent_at { get; init; }
        public string sent_by { get; init; } = "";
        public string? together_with { get; init; }

        public DispatchRecord ToRecord() =>
            new(case_id, title, project, org, DispatchDecision.Sent, bypass, (int)priority, reason, At(sent_at), sent_by)
            {
                TogetherWith = together_with,
            };
    }

    sealed class DeliveryRow
    {
        public long seq { get; init; }
        public string channel { get; init; } = "";
        public string target { get; init; } = "";
        public string? secret_env { get; init; }
        public string detail { get; init; } = "";
        public long org_id { get; init; }
        public string org { get; init; } = "";
        public string org_kind { get; init; } = "";
        public string project { get; init; } = "";
        public long collecting { get; init; }
        public long due_at { get; init; }
        public long? delivered_at { get; init; }
        public string? outcome { get; init; }
        public string? advisory_id { get; init; }
    }

    sealed class InfoRow
    {
        public long seq { get; init; }
        public string id { get; init; } = "";
        public string channel { get; init; } = "";
        public string target { get; init; } = "";
        public string org { get; init; } = "";
        public string project { get; init; } = "";
        public string state { get; init; } = "";
        public long attempts { get; init; }
        public long max_attempts { get; init; }
        public string? last_error { get; init; }
        public string? outcome { get; init; }
        public long created_at { get; init; }
        public long due_at { get; init; }
        public long? delivered_at { get; init; }

        public NotificationInfo ToInfo(IReadOnlyList<string> cases) => new(id, Parse<NotificationChannel>(channel), target, org, project, cases,
            Parse<NotificationState>(state), (int)attempts, (int)max_attempts, last_error, outcome, At(created_at), At(due_at),
            delivered_at is { } d ? At(d) : null);
    }
}
