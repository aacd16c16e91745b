using System.Data.Common;
using Clearwing.Storage;
using Dapper;

namespace Clearwing.Access;

/// <summary>
/// One change to record. <see cref="Subject"/> names what changed (<c>import:ID</c>, <c>case:ID</c>, …);
/// <see cref="Payload"/> is serialized as canonical JSON and must hold ids and counts, never embargoed text:
/// the CLI lists events to anyone with the database.
/// </summary>
public sealed record AuditEntry(string Actor, string? Org, string Subject, string Action, object? Payload = null)
{
    /// <summary>A change made by <paramref name="caller"/>: its actor and org name; no org for <see cref="Caller.Local"/>.</summary>
    public static AuditEntry By(Caller caller, string subject, string action, object? payload = null) =>
        new(caller.Actor, caller.OrgId == 0 ? null : caller.Org, subject, action, payload);
}

/// <summary>An event of the chain as stored: its place, its fields, and the hashes that tie it to its predecessor.</summary>
public sealed record AuditEvent(
    long Seq, DateTimeOffset At, string Actor, string? Org, string Subject, string Action,
    string PayloadHash, string PreviousHash, string Hash);

/// <summary>A chain head published outside the database (event number and hash), to verify against.</summary>
public sealed record AuditHead(long Seq, string Hash)
{
    /// <summary>Reads <c>SEQ:HASH</c>, the form <c>clearwing audit verify</c> prints.</summary>
    public static AuditHead Parse(string text)
    {
        var parts = text.Trim().Split(':');
        if (parts.Length != 2
            || !long.TryParse(parts[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seq)
            || seq < 1 || parts[1].Length != 64 || !parts[1].All(char.IsAsciiHexDigit))
            throw new BadInputException($"'{text}' is not a chain head: expected SEQ:HASH, an event number and its 64-digit SHA-256 hex.");
        return new AuditHead(seq, parts[1].ToLowerInvariant());
    }

    public override string ToString() => $"{Seq}:{Hash}";
}

/// <summary>Why an event does not fit the chain.</summary>
public enum AuditFault
{
    /// <summary>An event number is missing: a deleted row, or a renumbered one.</summary>
    SequenceGap,
    /// <summary>The stored payload does not hash to the recorded payload hash: the payload was edited.</summary>
    PayloadHashMismatch,
    /// <summary>The event's fields do not hash to its recorded hash: a field or the hash was edited.</summary>
    HashMismatch,
    /// <summary>The recorded previous hash is not the preceding event's hash: an event before it was rewritten or replaced.</summary>
    PreviousHashMismatch,
    /// <summary>The event follows an event that comes later in the chain: rows were reordered.</summary>
    OutOfOrder,
    /// <summary>The event's hash is not the published head's hash.</summary>
    HeadMismatch,
    /// <summary>A published head is not signed by the installation's key: the heads were forged or edited.</summary>
    HeadSignature,
    /// <summary>The chain ends before a published head: events were cut off its end.</summary>
    Truncated,
}

/// <summary>The first event that does not fit, and why in words.</summary>
public sealed record AuditBreak(long Seq, AuditFault Fault, string Reason);

/// <summary>
/// What verifying the audit chain found. <see cref="Count"/> events
/// verified from event 1 up to <see cref="Head"/> (all of them when intact, those before the break otherwise).
/// </summary>
/// <param name="Published">The head the chain had to reach: the one given, else the newest the installation published
/// (null when none was).</param>
/// <param name="SignaturesChecked">Whether the published heads' signatures were checked (they are when the key file is at hand).</param>
public sealed record AuditVerification(
    long Count, AuditHead Head, AuditBreak? Break, AuditHead? Published = null, bool SignaturesChecked = false)
{
    public bool Intact => Break is null;
}

/// <summary>
/// The append-only, hash-chained audit log (DESIGN.md "Event") over the <c>events</c> table (migration 0004).
/// Each event records the hash of its predecessor and its own hash over its fields (docs/audit.md), so an
/// edit, a deleted row or a reordering breaks the chain at the first event that no longer fits.
/// Events are appended inside the transaction of the change they record: both commit or neither does.
/// </summary>
public sealed class AuditLog(Database db, TimeProvider time)
{
    /// <summary>
    /// PostgreSQL advisory lock (key pair <c>(72204, 0)</c>, 72204 after migration 0004) that serializes appenders
    /// until their transaction ends, so two transactions never chain onto the same head. Imports hold
    /// <c>(72201, project)</c> first; appending last keeps the order of locks the same everywhere.
    /// </summary>
    const string ChainLock = "SELECT pg_advisory_xact_lock(72204, 0)";

    /// <summary>Longest actor, org, subject or action, in characters.</summary>
    public const int MaxFieldLength = 1000;

    /// <summary>Largest payload, in characters of canonical JSON.</summary>
    public const int MaxPayloadLength = 1 << 20;

    const string Columns = """
        seq AS Seq, at AS At, actor AS Actor, org AS Org, subject AS Subject, action AS Action,
        payload_hash AS PayloadHash, previous_hash AS PreviousHash, hash AS Hash
        """;

    /// <summary>
    /// Appends <paramref name="entry"/> inside <paramref name="tx"/>; it is in the chain once the caller commits and
    /// never if it rolls back. Call it last, just before commit: the chain is locked from here until the transaction
    /// ends (a PostgreSQL advisory lock; on SQLite the write transaction already excludes other writers).
    /// </summary>
    public async Task<AuditEvent> AppendAsync(DbConnection connection, DbTransaction tx, AuditEntry entry, CancellationToken ct = default)
    {
        Validate(entry);
        var payload = AuditHash.PayloadJson(entry.Payload);
        if (payload.Length > MaxPayloadLength)
            throw new BadInputException(
                $"The audit payload of {entry.Action} on {entry.Subject} is {payload.Length:N0} characters; the limit is {MaxPayloadLength:N0}.");
        if (db.Engine == Engine.Postgres)
            await connection.ExecuteAsync(new CommandDefinition(ChainLock, transaction: tx, cancellationToken: ct));
        // Read after the lock: in READ COMMITTED each statement sees what committed before it began, so this is
        // the head every earlier appender left. Seq is assigned here, not by a sequence, so a rollback leaves no gap.
        var (headSeq, headHash) = await connection.QuerySingleOrDefaultAsync<(long, string?)>(new CommandDefinition(
            "SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1", transaction: tx, cancellationToken: ct));
        var seq = headSeq + 1;
        var at = time.GetUtcNow().ToUnixTimeMilliseconds();
        var payloadHash = AuditHash.Payload(payload);
        var previousHash = headHash ?? AuditHash.Genesis;
        var hash = AuditHash.Event(seq, at, entry.Actor, entry.Org, entry.Subject, entry.Action, payloadHash, previousHash);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO events (seq, at, actor, org, subject, action, payload, payload_hash, previous_hash, hash)
            VALUES (@seq, @at, @Actor, @Org, @Subject, @Action, @payload, @payloadHash, @previousHash, @hash)
            """,
            new { seq, at, entry.Actor, entry.Org, entry.Subject, entry.Action, payload, payloadHash, previousHash, hash }, tx,
            cancellationToken: ct));
        return new AuditEvent(
            seq, DateTimeOffset.FromUnixTimeMilliseconds(at), entry.Actor, entry.Org, entry.Subject, entry.Action, payloadHash, previousHash, hash);
    }

    /// <summary>Appends <paramref name="entry"/> in a transaction of its own: for changes that write nothing else.</summary>
    public async Task<AuditEvent> AppendAsync(AuditEntry entry, CancellationToken ct = default)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await db.BeginAsync(connection, ct);
        var appended = await AppendAsync(connection, tx, entry, ct);
        await tx.CommitAsync(ct);
        return appended;
    }

    /// <summary>
    /// Records that <paramref name="caller"/> read case <paramref name="caseId"/>'s data (<paramref name="what"/>: "ssvc",
    /// "exposure", …) as event <paramref name="action"/>, if the case is still embargoed (not disclosed): the chain then
    /// shows who saw which embargoed case, and when. Call it once the read has succeeded, so a case outside the caller's
    /// need-to-know (answered "not found") records nothing.
    /// </summary>
    public async Task RecordCaseReadAsync(Caller caller, string caseId, string action, string what, CancellationToken ct = default)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await db.BeginAsync(connection, ct);
        var state = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT state FROM cases WHERE id = @caseId", new { caseId }, tx, cancellationToken: ct));
        if (state is null or "disclosed") return;
        await AppendAsync(connection, tx, AuditEntry.By(caller, $"case:{caseId}", action, new { what }), ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>
    /// Recomputes the chain from event 1 in order, streaming (memory does not grow with the chain), and stops at the
    /// first event that does not fit. A chain cut off at its end still verifies: only a published head reveals that
    /// (<see cref="VerifyAsync(AuditHead, IProgress{long}?, CancellationToken)"/>). Reports the events verified so far.
    /// </summary>
    internal Task<AuditVerification> VerifyAsync(IProgress<long>? progress = null, CancellationToken ct = default) =>
        RecomputeAsync(null, new Dictionary<long, string>(), progress, ct);

    /// <summary>As <see cref="VerifyAsync(IProgress{long}?, CancellationToken)"/>, and the chain must reach <paramref name="published"/> with the
    /// same hash there.</summary>
    internal Task<AuditVerification> VerifyAsync(AuditHead published, IProgress<long>? progress = null, CancellationToken ct = default) =>
        RecomputeAsync(published, new Dictionary<long, string> { [published.Seq] = published.Hash }, progress, ct);

    /// <summary>
    /// The chain against the installation's published heads (<see cref="AuditHeadStore"/>) and <paramref name="given"/>: it
    /// must hold each head's hash at its event and reach the given head, else the newest published. With
    /// <paramref name="key"/>, every published head must be signed by it first: heads a database writer added or edited fail.
    /// </summary>
    async Task<AuditVerification> VerifyPublishedAsync(AuditHead? given, AuditHeadKey? key, IProgress<long>? progress, CancellationToken ct)
    {
        var heads = await new AuditHeadStore(db, time).ListAsync(ct: ct);
        if (key is not null && heads.FirstOrDefault(h => !key.Verifies(h)) is { } forged)
            return new AuditVerification(0, new AuditHead(0, AuditHash.Genesis), new AuditBreak(forged.Seq, AuditFault.HeadSignature,
                $"the published head at event {forged.Seq} is not signed by this installation's key {key.Id} (it names key {forged.KeyId})"),
                forged.Head, SignaturesChecked: true);
        var expected = heads.ToDictionary(h => h.Seq, h => h.Hash);
        if (given is not null && !expected.TryAdd(given.Seq, given.Hash) && expected[given.Seq] != given.Hash)
            throw new BadInputException($"--head {given}: the installation published event {given.Seq} with hash {expected[given.Seq]}.");
        var reach = given is not null && (heads.Count == 0 || given.Seq > heads[0].Seq) ? given : (heads.Count > 0 ? heads[0].Head : given);
        return await RecomputeAsync(reach, expected, progress, ct) with { Published = reach, SignaturesChecked = key is not null && heads.Count > 0 };
    }

    async Task<AuditVerification> RecomputeAsync(
        AuditHead? published, IReadOnlyDictionary<long, string> heads, IProgress<long>? progress, CancellationToken ct)
    {
        var head = new AuditHead(0, AuditHash.Genesis);
        AuditBreak? found = null;
        string? linkedTo = null;
        await using var connection = await db.OpenAsync(ct);
        await foreach (var e in connection.QueryUnbufferedAsync<Row>(
            $"SELECT {Columns}, payload AS Payload FROM events ORDER BY seq").WithCancellation(ct))
        {
            found = Check(e, head, heads);
            if (found is not null)
            {
                linkedTo = e.PreviousHash;
                break;
            }
            head = new AuditHead(e.Seq, e.Hash);
            if (head.Seq % 10_000 == 0) progress?.Report(head.Seq);
        }
        progress?.Report(head.Seq);

        if (found is { Fault: AuditFault.HashMismatch or AuditFault.PreviousHashMismatch })
        {
            // Does the event link to one that sits later in the chain? Then rows were moved, not edited.
            // One unindexed lookup, on the failure path only.
            var predecessor = await connection.QueryFirstOrDefaultAsync<long?>(new CommandDefinition(
                "SELECT seq FROM events WHERE hash = @linkedTo ORDER BY seq LIMIT 1", new { linkedTo }, cancellationToken: ct));
            if (predecessor > found.Seq)
                found = new AuditBreak(found.Seq, AuditFault.OutOfOrder,
                    $"out of order: event {found.Seq} follows event {predecessor} (its previous hash is event {predecessor}'s hash)");
        }
        if (found is null && published is not null && head.Seq < published.Seq)
            found = new AuditBreak(head.Seq + 1, AuditFault.Truncated,
                $"truncated: the chain ends at event {head.Seq}, before the published head at event {published.Seq}");
        return new AuditVerification(head.Seq, head, found);
    }

    /// <summary>The first rule <paramref name="e"/> breaks, given the verified chain up to <paramref name="head"/>; null when it fits.</summary>
    static AuditBreak? Check(Row e, AuditHead head, IReadOnlyDictionary<long, string> heads)
    {
        var expected = head.Seq + 1;
        if (e.Seq != expected)
            return new AuditBreak(expected, AuditFault.SequenceGap, $"sequence gap: expected event {expected}, found event {e.Seq}");
        var payloadHash = AuditHash.Payload(e.Payload);
        if (payloadHash != e.PayloadHash)
            return new AuditBreak(e.Seq, AuditFault.PayloadHashMismatch,
                $"payload hash mismatch: the payload of event {e.Seq} hashes to {payloadHash}, the event records {e.PayloadHash}");
        var hash = AuditHash.Event(e.Seq, e.At, e.Actor, e.Org, e.Subject, e.Action, e.PayloadHash, e.PreviousHash);
        if (hash != e.Hash)
            return new AuditBreak(e.Seq, AuditFault.HashMismatch,
                $"hash mismatch: the fields of event {e.Seq} hash to {hash}, the event records {e.Hash}");
        if (e.PreviousHash != head.Hash)
            return new AuditBreak(e.Seq, AuditFault.PreviousHashMismatch, head.Seq == 0
                ? $"previous hash does not match the genesis: event 1 records {e.PreviousHash}, the genesis is {head.Hash}"
                : $"previous hash does not match event {head.Seq}: event {e.Seq} records {e.PreviousHash}, event {head.Seq}'s hash is {head.Hash}");
        if (heads.Count > 0 && heads.TryGetValue(e.Seq, out var published) && e.Hash != published)
            return new AuditBreak(e.Seq, AuditFault.HeadMismatch,
                $"event {e.Seq} differs from the published head: its hash is {e.Hash}, the published hash is {published}");
        return null;
    }

    /// <summary>The newest events first, optionally only those about <paramref name="subject"/>; the coordinator's to read.</summary>
    public Task<IReadOnlyList<AuditEvent>> ListAsync(Caller caller, string? subject = null, int limit = 100, CancellationToken ct = default)
    {
        caller.RequireCoordinator("read the audit log");
        return ListAsync(subject, limit, ct);
    }

    /// <summary>
    /// Verifies the chain against the installation's published heads and <paramref name="published"/> when given, their
    /// signatures with <paramref name="key"/> when given (<see cref="VerifyPublishedAsync"/>); the coordinator's to run.
    /// </summary>
    public Task<AuditVerification> VerifyAsync(
        Caller caller, AuditHead? published, AuditHeadKey? key, IProgress<long>? progress = null, CancellationToken ct = default)
    {
        caller.RequireCoordinator("verify the audit log");
        return VerifyPublishedAsync(published, key, progress, ct);
    }

    internal async Task<IReadOnlyList<AuditEvent>> ListAsync(string? subject = null, int limit = 100, CancellationToken ct = default)
    {
        if (limit < 1) throw new BadInputException($"--limit {limit}: expected 1 or more.");
        await using var connection = await db.OpenAsync(ct);
        var rows = await connection.QueryAsync<Row>(new CommandDefinition($"""
            SELECT {Columns} FROM events
            {(subject is null ? "" : "WHERE subject = @subject")}
            ORDER BY seq DESC
            LIMIT @limit
            """, new { subject, limit = (long)limit }, cancellationToken: ct));
        return rows.Select(r => r.ToEvent()).ToList();
    }

    static void Validate(AuditEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        Require(entry.Actor, "actor");
        Require(entry.Subject, "subject");
        Require(entry.Action, "action");
        if (entry.Org is not null) Require(entry.Org, "org");

        static void Require(string value, string name)
        {
            if (string.IsNullOrWhiteSpace(value))
                throw new BadInputException($"An audit event needs a non-blank {name}.");
            if (value.Length > MaxFieldLength)
                throw new BadInputException($"The audit event's {name} is {value.Length:N0} characters; the limit is {MaxFieldLength:N0}.");
        }
    }

    /// <summary>An <c>events</c> row as both engines return it.</summary>
    sealed class Row
    {
        public long Seq { get; init; }
        public long At { get; init; }
        public string Actor { get; init; } = "";
        public string? Org { get; init; }
        public string Subject { get; init; } = "";
        public string Action { get; init; } = "";
        public string Payload { get; init; } = "";
        public string PayloadHash { get; init; } = "";
        public string PreviousHash { get; init; } = "";
        public string Hash { get; init; } = "";

        public AuditEvent ToEvent() =>
            new(Seq, DateTimeOffset.FromUnixTimeMilliseconds(At), Actor, Org, Subject, Action, PayloadHash, PreviousHash, Hash);
    }
}
