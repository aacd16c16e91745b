using Clearwing.Access;
using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Clearwing.Cases;
using Clearwing.Scoring;
using Clearwing.Storage;
using Dapper;

namespace Clearwing.Disclosure;

/// <summary>
/// The <c>commitments</c> table (migration 0005): a case's commitment is made when it is confirmed,
/// may carry an early notice, and is revealed when the case is disclosed. The public reads select the
/// salt, the case id and the report only for revealed rows, so nothing secret leaves the database before.
/// </summary>
public sealed class CommitmentStore(Database db, AuditLog audit, TimeProvider time) : ICaseChangeSubscriber
{
    /// <summary>How many findings the committed report lists; the rest are counted.</summary>
    const int ReportFindings = 100;

    /// <summary>Follows the lifecycle: confirming commits to the case's report (once), disclosing reveals it.</summary>
    public async Task OnChangedAsync(CaseChangeScope scope, CaseChanged change, CancellationToken ct)
    {
        if (change.Detail is not CaseMoved moved) return;
        var (connection, tx) = (scope.Connection, scope.Transaction);
        if (moved.To == CaseState.Confirmed &&
            await connection.ExecuteScalarAsync<long?>("SELECT 1 FROM commitments WHERE case_id = @caseId", new { caseId = moved.Case }, tx) is null)
            await CommitAsync(connection, tx, moved.Case, await ReportAsync(connection, tx, moved.Case, ct), ct);
        if (moved.To == CaseState.Disclosed) await RevealAsync(connection, tx, moved.Case, ct);
    }

    /// <summary>
    /// The report a confirmation commits to: what the case is and the findings behind it, as the store holds
    /// them at that moment. Its canonical form is what the digest covers.
    /// </summary>
    static async Task<JsonElement> ReportAsync(DbConnection connection, DbTransaction tx, string caseId, CancellationToken ct)
    {
        var head = await connection.QuerySingleAsync<(long Seq, string Project, string Title, long Severity, long Findings, long FirstSeen)>(
            "SELECT c.seq, p.name, c.title, c.max_severity, c.finding_count, c.first_seen " +
            "FROM cases c JOIN projects p ON p.id = c.project_id WHERE c.id = @caseId",
            new { caseId }, tx);
        var findings = await connection.QueryAsync<(string Tool, string RuleId, string? Cwe, string? Path, long? StartLine, string? Function,
            string Message, string? Cvss, string Revision)>(
            $"""
            SELECT f.tool, f.rule_id, f.cwe, f.path, f.start_line, f.function, f.message, f.cvss_vector, f.revision
            FROM findings f JOIN fingerprints x ON x.id = f.fingerprint_id
            WHERE x.case_seq = @caseSeq
            ORDER BY f.import_seq, f.ordinal
            LIMIT {ReportFindings}
            """, new { caseSeq = head.Seq }, tx);
        var report = new
        {
            @case = caseId, project = head.Project, title = head.Title,
            highestSeverity = ((ReportedSeverity)head.Severity).ToString().ToLowerInvariant(),
            firstSeen = DateTimeOffset.FromUnixTimeMilliseconds(head.FirstSeen).ToString("O"), findingCount = head.Findings,
            findings = findings.Select(f => new
            {
                tool = f.Tool, rule = f.RuleId, cwe = f.Cwe, path = f.Path, line = f.StartLine, function = f.Function, message = f.Message,
                cvss = f.Cvss, revision = f.Revision,
            }),
        };
        ct.ThrowIfCancellationRequested();
        return JsonSerializer.SerializeToElement(report);
    }


    public const int MaxLimit = 1000;

    /// <summary>Longest vendor or product name in an early notice, in characters.</summary>
    public const int MaxNoticeLength = 200;

    /// <summary>
    /// Commits to <paramref name="report"/> for <paramref name="caseId"/> inside the caller's transaction (the
    /// one that confirms the case): canonicalizes it, draws a fresh 32-byte salt, stores both and the digest.
    /// A case is committed once; a second call throws <see cref="CommitmentException"/>, as does an unknown case.
    /// A report JCS cannot represent throws <see cref="CanonicalJsonException"/> naming the path under <c>$.report</c>.
    /// </summary>
    public async Task<Commitment> CommitAsync(
        DbConnection connection, DbTransaction transaction, string caseId, JsonElement report, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(caseId);
        CommitmentDigest.RequireSupported();
        var canonical = CanonicalJson.Serialize(report, "$.report");
        var salt = RandomNumberGenerator.GetBytes(CommitmentDigest.SaltLength);
        var digest = CommitmentDigest.Compute(caseId, salt, canonical);
        var now = Now();
        if (await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                "SELECT count(*) FROM cases WHERE id = @caseId", new { caseId }, transaction, cancellationToken: ct)) == 0)
            throw new CommitmentException($"No case {caseId}: a commitment is made for a case that exists.");
        // DO NOTHING rather than a unique violation: on PostgreSQL an error would abort the caller's transaction.
        var inserted = await connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition("""
            INSERT INTO commitments (case_id, digest, version, salt, report, committed_at)
            VALUES (@caseId, @digest, @version, @salt, @canonical, @now)
            ON CONFLICT (case_id) DO NOTHING
            RETURNING digest
            """, new { caseId, digest, version = CommitmentDigest.Version, salt, canonical, now }, transaction, cancellationToken: ct));
        if (inserted is null)
        {
            var existing = await connection.QuerySingleAsync<string>(new CommandDefinition(
                "SELECT digest FROM commitments WHERE case_id = @caseId", new { caseId }, transaction, cancellationToken: ct));
            throw new CommitmentException($"Case {caseId} is already committed as {existing}; a case has one commitment, made when it is confirmed.");
        }
        return new Commitment(caseId, digest, At(now));
    }

    /// <summary>
    /// Publishes (or corrects) the early notice of <paramref name="caseId"/>'s commitment: affected vendor and
    /// product and the disclosure deadline, which the public list shows from now on. No technical detail belongs here.
    /// </summary>
    public async Task<EarlyNotice> PublishEarlyAsync(
        Caller caller, string caseId, string vendor, string product, DateTimeOffset deadline, CancellationToken ct = default)
    {
        caller.RequireCoordinatorWriter("publish early notices");
        if (string.IsNullOrWhiteSpace(caseId)) throw new BadInputException("An early notice names its case.");
        vendor = NoticeText(vendor, nameof(vendor));
        product = NoticeText(product, nameof(product));
        var now = Now();
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await db.BeginAsync(connection, ct);
        var changed = await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE commitments SET vendor = @vendor, product = @product, deadline = @deadline, published_at = @now
            WHERE case_id = @caseId
            """, new { caseId, vendor, product, deadline = deadline.ToUnixTimeMilliseconds(), now }, tx, cancellationToken: ct));
        if (changed == 0) throw new CommitmentException($"Case {caseId} has no commitment; an early notice is published for a committed case.");
        await audit.AppendAsync(connection, tx,
            AuditEntry.By(caller, $"case:{caseId}", "early-notice", new { vendor, product, deadline = deadline.ToUnixTimeMilliseconds() }), ct);
        await tx.CommitAsync(ct);
        return new EarlyNotice(vendor, product, At(deadline.ToUnixTimeMilliseconds()), At(now));
    }

    /// <summary>
    /// Reveals <paramref name="caseId"/>'s commitment inside the caller's transaction (the one that discloses
    /// the case): from then on the public list carries its case id, salt and report. Returns what was revealed,
    /// or null when the case has no commitment. Revealing again keeps the first reveal time.
    /// </summary>
    public async Task<RevealedReport?> RevealAsync(DbConnection connection, DbTransaction transaction, string caseId, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(caseId);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition($"""
            UPDATE commitments SET revealed_at = COALESCE(revealed_at, @now)
            WHERE case_id = @caseId
            RETURNING {PublicColumns}
            """, new { caseId, now = Now() }, transaction, cancellationToken: ct));
        return row?.ToPublic().Reveal;
    }

    /// <summary>The public list, newest first, <paramref name="limit"/> (1 to 1000) at a time after <paramref name="cursor"/>.</summary>
    public async Task<CommitmentPage> ListPublicAsync(int limit = 100, string? cursor = null, CancellationToken ct = default)
    {
        limit = Math.Clamp(limit, 1, MaxLimit);
        var after = cursor is null ? default : ParseCursor(cursor);
        await using var connection = await db.OpenAsync(ct);
        var rows = (await connection.QueryAsync<Row>(new CommandDefinition($"""
            SELECT {PublicColumns} FROM commitments
            {(cursor is null ? "" : "WHERE committed_at < @at OR (committed_at = @at AND digest < @digest)")}
            ORDER BY committed_at DESC, digest DESC
            LIMIT @take
            """, new { at = after.At, digest = after.Digest, take = (long)limit + 1 }, cancellationToken: ct))).ToList();
        var items = rows.Take(limit).Select(r => r.ToPublic()).ToList();
        var next = rows.Count > limit ? Cursor(rows[limit - 1]) : null;
        return new CommitmentPage(items, next);
    }

    /// <summary>One commitment's public view by its digest (any case of hex digits), or null when there is none.</summary>
    public async Task<PublicCommitment?> GetPublicAsync(string digest, CancellationToken ct = default)
    {
        if (CommitmentDigest.Normalize(digest) is not { } normalized) return null;
        await using var connection = await db.OpenAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            $"SELECT {PublicColumns} FROM commitments WHERE digest = @normalized", new { normalized }, cancellationToken: ct));
        return row?.ToPublic();
    }

    // The only columns the public reads select: what is secret until disclosure is NULL until revealed_at is set.
    const string PublicColumns = """
        digest AS Digest, committed_at AS CommittedAt, vendor AS Vendor, product AS Product, deadline AS Deadline,
        published_at AS PublishedAt, revealed_at AS RevealedAt,
        CASE WHEN revealed_at IS NULL THEN NULL ELSE version END AS Version,
        CASE WHEN revealed_at IS NULL THEN NULL ELSE case_id END AS CaseId,
        CASE WHEN revealed_at IS NULL THEN NULL ELSE salt END AS Salt,
        CASE WHEN revealed_at IS NULL THEN NULL ELSE report END AS Report
        """;

    static string NoticeText(string value, string name)
    {
        value = value?.Trim() ?? "";
        if (value.Length == 0) throw new BadInputException($"An early notice names its {name}.");
        if (value.Length > MaxNoticeLength)
            throw new BadInputException($"The {name} of an early notice is at most {MaxNoticeLength} characters, not {value.Length}.");
        return value;
    }

    /// <summary>A cursor names the last item of a page: its commit time in Unix milliseconds and its digest.</summary>
    static string Cursor(Row row) => $"{row.CommittedAt.ToString(CultureInfo.InvariantCulture)}-{row.Digest}";

    static (long At, string Digest) ParseCursor(string cursor)
    {
        var dash = cursor.IndexOf('-');
        if (dash > 0
            && long.TryParse(cursor.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out var at)
            && CommitmentDigest.Normalize(cursor[(dash + 1)..]) is { } digest)
            return (at, digest);
        throw new BadInputException($"The cursor \"{cursor}\" is not one this list gave out; pass the nextCursor of the previous page.");
    }

    long Now() => time.GetUtcNow().ToUnixTimeMilliseconds();

    static DateTimeOffset At(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    /// <summary>A public row as both engines return it.</summary>
    sealed class Row
    {
        public string Digest { get; init; } = "";
        public long CommittedAt { get; init; }
        public string? Vendor { get; init; }
        public string? Product { get; init; }
        public long? Deadline { get; init; }
        public long? PublishedAt { get; init; }
        public long? RevealedAt { get; init; }
        public string? Version { get; init; }
        public string? CaseId { get; init; }
        public byte[]? Salt { get; init; }
        public byte[]? Report { get; init; }

        public PublicCommitment ToPublic()
        {
            var notice = Vendor is null ? null : new EarlyNotice(Vendor, Product!, At(Deadline!.Value), At(PublishedAt!.Value));
            RevealedReport? reveal = null;
            if (RevealedAt is not null)
            {
                using var report = JsonDocument.Parse(Report!);
                reveal = new RevealedReport(Version!, CaseId!, Salt!, report.RootElement.Clone());
            }
            return new PublicCommitment(Digest, At(CommittedAt), notice, RevealedAt is { } r ? At(r) : null, reveal);
        }
    }
}
