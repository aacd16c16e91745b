using System.Data.Common;
using Clearwing.Access;
using Clearwing.Storage;
using Dapper;

namespace Clearwing.Cases;

/// <summary>An extension request as stored: its id, its case, the maintainer org that asked, and the request with its decision.</summary>
public sealed record CaseExtension(string Id, string Case, string Org, EmbargoExtension Extension)
{
    /// <summary>"pending", "approved" or "refused", as stored.</summary>
    public string State => ExtensionStore.StateName(Extension.Decision?.Verdict);
}

/// <summary>
/// Embargo extension requests (migration 0007): a maintainer admin or triager with a grant asks for more days, the
/// coordinator's admins and triagers decide. Each request and decision moves the case's clock and appends an audit event.
/// </summary>
public sealed class ExtensionStore(Database db, AuditLog audit, TimeProvider time, CaseChanges changes)
{
    /// <summary>Longest extension reason or decision note, in characters.</summary>
    public const int MaxTextLength = 4000;

    /// <summary>
    /// A maintainer admin or triager with a grant on the case asks for <paramref name="days"/> more days, giving a
    /// reason. The case must be on the clock: notified and not yet disclosed.
    /// </summary>
    public async Task<CaseExtension> AskExtensionAsync(Caller caller, string caseId, int days, string reason, CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await db.BeginAsync(connection, ct);
        var target = await ClockStore.VisibleCaseAsync(connection, tx, caller, caseId, ct);
        var asked = EmbargoExtensions.Ask(AsOrgRole(caller), caller.Actor, days, reason ?? "", now);
        if (asked.Value is not { } extension)
            // Ask checks who asks before what is asked, so a maintainer writer's refusal is about the days or the reason.
            throw Refusal(caller is { Kind: OrgKind.Maintainer, CanWrite: true }, $"Cannot ask for an extension on case {caseId}: {asked.Error}.");
        RequireText(extension.Request.Reason, "reason");
        ClockStore.RequireRunning(target, caseId, "ask for an extension");
        var id = await connection.ExecuteScalarAsync<string>(Sql($"""
            INSERT INTO embargo_extensions (id, case_seq, days, reason, asked_by, asked_org, asked_at, state)
            VALUES ({db.Dialect.RandomId}, @seq, @days, @reason, @actor, @org, @at, 'pending')
            RETURNING id
            """, new { seq = target.Seq, days, reason = extension.Request.Reason, actor = caller.Actor, org = caller.Org, at = Ms(now) }, tx, ct));
        // Ids and numbers only: the reason may be embargoed text, and events are listed to anyone with the database.
        await audit.AppendAsync(connection, tx, AuditEntry.By(caller, $"case:{caseId}", "ask_extension", new { Extension = id, Days = days }), ct);
        // Asking answers the notification, which discharges the escalation deadline.
        await changes.RaiseAsync(connection, tx, Ms(now), new CaseChanged(CaseAspect.Clock, CaseSet.One(target.Seq)), ct);
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
            SELECT {ExtensionColumns}, c.id AS CaseId, c.seq AS Seq FROM embargo_extensions e JOIN cases c ON c.seq = e.case_seq
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
            """,
            new { state = StateName(verdict), by = decision.DecidedBy, at = Ms(decision.DecidedAt), note = decision.Note, extensionId }, tx, ct));
        if (changed == 0) throw new BadInputException($"Cannot decide extension {extensionId}: it was decided meanwhile.");
        await audit.AppendAsync(connection, tx, AuditEntry.By(caller, $"case:{row.CaseId}",
            verdict == ExtensionVerdict.Approved ? "approve_extension" : "refuse_extension", new { Extension = extensionId, row.Days }), ct);
        await changes.RaiseAsync(connection, tx, Ms(now), new CaseChanged(CaseAspect.Clock, CaseSet.One(row.Seq)), ct);
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
        var target = await ClockStore.VisibleCaseAsync(connection, null, caller, caseId, ct);
        if (caller.Kind is not (OrgKind.Coordinator or OrgKind.Maintainer))
            throw new AccessDeniedException(
                "Extension requests are between the maintainers and the coordinator; " +
                $"a {caller.Kind.Name()} org sees the case's deadlines, not its requests.");
        var rows = await connection.QueryAsync<ExtensionRow>(Sql(
            $"SELECT {ExtensionColumns} FROM embargo_extensions e WHERE e.case_seq = @seq ORDER BY e.asked_at, e.id", new { seq = target.Seq },
            null, ct));
        return rows.Select(r => new CaseExtension(r.Id, caseId, r.AskedOrg, r.ToExtension())).ToList();
    }

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

    static long Ms(DateTimeOffset at) => at.ToUnixTimeMilliseconds();

    static DateTimeOffset At(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    static CommandDefinition Sql(string text, object? args, DbTransaction? tx, CancellationToken ct) => new(text, args, tx, cancellationToken: ct);
    internal const string ExtensionColumns = """
        e.id AS Id, e.days AS Days, e.reason AS Reason, e.asked_by AS AskedBy, e.asked_org AS AskedOrg, e.asked_at AS AskedAt,
        e.state AS ExtensionState, e.decided_by AS DecidedBy, e.decided_at AS DecidedAt, e.note AS Note
        """;

    /// <summary>An extension request's columns, with its case's key (listings) or id (decisions).</summary>
    internal sealed class ExtensionRow
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

}
