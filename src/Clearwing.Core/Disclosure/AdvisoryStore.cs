using System.Data.Common;
using System.Globalization;
using System.Text;
using Clearwing.Access;
using Clearwing.Cases;
using Clearwing.Packages;
using Clearwing.Storage;
using Clearwing.Storage.Jobs;
using Dapper;

namespace Clearwing.Disclosure;

/// <summary>The documents an advisory is shown as: the three formats (CSAF twice), or the content they are written from.</summary>
public enum AdvisoryFormat
{
    Osv,
    Csaf,
    CsafVex,
    Cve,
    Content,
}

/// <summary>An advisory as its editors see it (docs/advisories.md).</summary>
/// <param name="Id">The id it is (or will be) published under.</param>
/// <param name="Edited">False while no one has edited it: <see cref="Content"/> is then what the case holds.</param>
/// <param name="Version">How many versions were published (0: none yet).</param>
/// <param name="Problems">Why the content cannot be published as it is (empty when it can).</param>
/// <param name="LastError">Why the last scheduled publication failed, if it did.</param>
public sealed record AdvisoryView(
    string Case, string Id, AdvisoryStatus Status, bool Edited, int Version, DateTimeOffset? ScheduledFor,
    string? EditedBy, DateTimeOffset? EditedAt, string? ReviewedBy, DateTimeOffset? ReviewedAt, string? LastError,
    IReadOnlyList<string> Problems, IReadOnlyList<AdvisoryRevision> Revisions, AdvisoryContent Content);

/// <summary>One line of <c>clearwing advisories list</c>.</summary>
public sealed record AdvisorySummary(
    string Case, string Id, AdvisoryStatus Status, int Version, DateTimeOffset? ScheduledFor, DateTimeOffset? PublishedAt, string? LastError);

/// <summary>The detail of <see cref="CaseAspect.Advisory"/>: the case's advisory went out as <paramref name="Version"/>.</summary>
public sealed record AdvisoryPublished(string Case, string Advisory, int Version);

/// <summary>What a publication round did: the advisories it published and the cases whose publication failed, with why.</summary>
public sealed record PublicationRound(IReadOnlyList<string> Published, IReadOnlyList<(string Case, string Error)> Failed);

/// <summary>
/// Advisories (migration 0041, docs/advisories.md): the content editors shape before publication, and its publication — the
/// three formats written from one content and stored together in the transaction that discloses the case, which also reveals
/// the case's commitment (through the case-changed hook). Publication happens when the case is disclosed by hand, when the
/// coordinator publishes (now or at a time), and when the case's public disclosure deadline passes (<see cref="PublicationJob"/>).
/// </summary>
public sealed class AdvisoryStore(
    Database db, AuditLog audit, TimeProvider time, CaseLifecycle lifecycle, CaseChanges changes, JobQueue queue, AdvisoryPublisher publisher)
    : ICaseChangeSubscriber
{
    public const int MaxLimit = 1000;

    /// <summary>Who publishes what is due, as the lifecycle and the audit chain name it.</summary>
    internal static readonly Caller Scheduler = new(0, "clearwing", OrgKind.Coordinator, Role.Triager, "clearwing:disclosure");

    public AdvisoryPublisher Publisher => publisher;

    /// <summary>Publishes the case's advisory in the transaction that discloses it, whoever moved it.</summary>
    public async Task OnChangedAsync(CaseChangeScope scope, CaseChanged change, CancellationToken ct)
    {
        if (change.Detail is not CaseMoved { To: CaseState.Disclosed } moved) return;
        var caseSeq = await scope.Connection.ExecuteScalarAsync<long>(
            "SELECT seq FROM cases WHERE id = @caseId", new { caseId = moved.Case }, scope.Transaction);
        // The move was just recorded: its actor and org publish.
        var by = await scope.Connection.QuerySingleAsync<(string Actor, string? Org)>(
            "SELECT actor, org FROM case_transitions WHERE case_seq = @caseSeq ORDER BY id DESC LIMIT 1", new { caseSeq }, scope.Transaction);
        try
        {
            await PublishInAsync(scope.Connection, scope.Transaction, caseSeq, moved.Case, by, scope.Now, null, ct);
        }
        catch (BadInputException e)
        {
            // A person may disclose a case whose advisory cannot go out as it is (no affected package: a hosted service's flaw); the
            // case is disclosed, nothing is published, and the advisory says why until it is edited and published. Publication by
            // `advisories publish` and by the clock checks the content before it moves the case, so it never gets here.
            await scope.Connection.ExecuteAsync("UPDATE advisories SET last_error = @error WHERE case_seq = @caseSeq",
                new { error = "The case was disclosed without its advisory: " + e.Message, caseSeq }, scope.Transaction);
        }
    }

    /// <summary>The case's advisory: its content (edited, or what the case holds), status, versions and what stops it going out.</summary>
    public async Task<AdvisoryView> GetAsync(Caller caller, string caseId, CancellationToken ct = default)
    {
        await using var connection = await db.OpenAsync(ct);
        var caseSeq = await NeedToKnow.VisibleCaseAsync(connection, null, caller, caseId);
        return await ViewAsync(connection, null, caseSeq, caseId, ct);
    }

    /// <summary>Replaces the content (the coordinator's and the case's maintainers' admins and triagers). An edit voids a review;
    /// a scheduled advisory stays scheduled; after publication the edit is the next version's, published when the coordinator says.</summary>
    public async Task<AdvisoryView> EditAsync(Caller caller, string caseId, AdvisoryContent content, CancellationToken ct = default)
    {
        RequireEditor(caller, "edit advisories");
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await db.BeginAsync(connection, ct);
        var caseSeq = await NeedToKnow.VisibleCaseAsync(connection, tx, caller, caseId);
        await EnsureAsync(connection, tx, caseSeq);
        var json = Encoding.UTF8.GetString(content.ToJson());
        await connection.ExecuteAsync(
            """
            UPDATE advisories SET content = @json, edited_by = @actor, edited_at = @now, reviewed_by = NULL, reviewed_at = NULL,
                status = CASE WHEN status = 'scheduled' THEN 'scheduled' ELSE 'draft' END
            WHERE case_seq = @caseSeq
            """, new { json, actor = caller.Actor, now = Now, caseSeq }, tx);
        await audit.AppendAsync(connection, tx,
            AuditEntry.By(caller, $"case:{caseId}", "edit_advisory", new { contentHash = AuditHash.Text(json) }), ct);
        await tx.CommitAsync(ct);
        return await GetAsync(caller, caseId, ct);
    }

    /// <summary>Marks the current content reviewed (editors); refused while it cannot be published.</summary>
    public async Task<AdvisoryView> ReviewAsync(Caller caller, string caseId, CancellationToken ct = default)
    {
        RequireEditor(caller, "review advisories");
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await db.BeginAsync(connection, ct);
        var caseSeq = await NeedToKnow.VisibleCaseAsync(connection, tx, caller, caseId);
        await EnsureAsync(connection, tx, caseSeq);
        var view = await ViewAsync(connection, tx, caseSeq, caseId, ct);
        if (view.Problems.Count > 0) throw new BadInputException($"The advisory of case {caseId} cannot be published as it is: {view.Problems[0]}");
        if (view.Status == AdvisoryStatus.Published)
            throw new BadInputException($"The advisory of case {caseId} is published as it is; edit it to prepare a correction.");
        await connection.ExecuteAsync(
            """
            UPDATE advisories SET reviewed_by = @actor, reviewed_at = @now,
                status = CASE WHEN status = 'scheduled' THEN 'scheduled' ELSE 'reviewed' END
            WHERE case_seq = @caseSeq
            """, new { actor = caller.Actor, now = Now, caseSeq }, tx);
        await audit.AppendAsync(connection, tx, AuditEntry.By(caller, $"case:{caseId}", "review_advisory", new { }), ct);
        await tx.CommitAsync(ct);
        return await GetAsync(caller, caseId, ct);
    }

    /// <summary>
    /// Publishes now, or schedules for <paramref name="at"/> when that is later (the coordinator's admins and triagers). Now: a case
    /// not yet disclosed is disclosed (the lifecycle's move, which must be allowed from its state) and its advisory published in the
    /// same transaction; a disclosed case's advisory is published as its next version when its content changed. Publishing what is
    /// already published changes nothing, so a retried request is harmless.
    /// </summary>
    public async Task<AdvisoryView> PublishAsync(Caller caller, string caseId, DateTimeOffset? at = null, string? summary = null,
        CancellationToken ct = default)
    {
        caller.RequireCoordinatorWriter("publish advisories");
        if (summary is not null) AdvisoryContent.Text(summary, "summary", 500, "publish", required: true);
        if (at is { } when && when > time.GetUtcNow())
        {
            await ScheduleAsync(caller, caseId, when, ct);
            return await GetAsync(caller, caseId, ct);
        }
        await PublishNowAsync(caller, caseId, summary, ct);
        return await GetAsync(caller, caseId, ct);
    }

    /// <summary>Advisories made so far (edited, scheduled or published), the next due first, then the most recently published.</summary>
    public async Task<IReadOnlyList<AdvisorySummary>> ListAsync(Caller caller, AdvisoryStatus? status = null, int limit = 100,
        CancellationToken ct = default)
    {
        if (limit is < 1 or > MaxLimit) throw new BadInputException($"--limit {limit}: give 1 to {MaxLimit}.");
        await using var connection = await db.OpenAsync(ct);
        var rows = await connection.QueryAsync<SummaryRow>(
            $"""
            SELECT c.id AS CaseId, coalesce(a.id, a.local_id) AS Id, a.status AS Status, a.version AS Version, a.scheduled_for AS ScheduledFor,
                   (SELECT max(v.published_at) FROM advisory_versions v WHERE v.case_seq = a.case_seq) AS PublishedAt, a.last_error AS LastError
            FROM advisories a JOIN cases c ON c.seq = a.case_seq
            WHERE {NeedToKnow.Case(caller)} {(status is null ? "" : "AND a.status = @status")}
            ORDER BY CASE WHEN a.scheduled_for IS NULL THEN 1 ELSE 0 END, a.scheduled_for, PublishedAt DESC, c.id
            LIMIT {limit}
            """, new { callerOrg = caller.OrgId, status = status is { } s ? Name(s) : null });
        return [.. rows.Select(r => new AdvisorySummary(r.CaseId, r.Id, ParseStatus(r.Status), (int)r.Version, At(r.ScheduledFor), At(r.PublishedAt),
            r.LastError))];
    }

    /// <summary>
    /// The advisory as a document: once published (and not edited since), exactly the bytes published last; before, the document as
    /// it would be published now. Null for a CVE record of an advisory with no CVE id (a CVE record needs one).
    /// </summary>
    public async Task<byte[]?> ShowAsync(Caller caller, string caseId, AdvisoryFormat format, CancellationToken ct = default)
    {
        await using var connection = await db.OpenAsync(ct);
        var caseSeq = await NeedToKnow.VisibleCaseAsync(connection, null, caller, caseId);
        var row = await RowAsync(connection, null, caseSeq);
        if (row is { Status: "published", Id: { } id })
        {
            var column = Column(format);
            return await connection.ExecuteScalarAsync<string?>(
                $"SELECT {column} FROM advisory_versions WHERE advisory_id = @id AND version = @version", new { id, version = row.Version })
                is { } text ? Encoding.UTF8.GetBytes(text) : null;
        }
        var content = await ContentAsync(connection, null, caseSeq, row, ct);
        if (format == AdvisoryFormat.Content) return content.ToJson();
        Validated(content, caseId);
        var release = await ReleaseAsync(connection, null, caseSeq, caseId, row, content, time.GetUtcNow(), null, ct);
        // Before publication, which versions downstream products ship is the coordinator's to know (as exposure is): a maintainer's
        // preview of the VEX names the ranges and fixed versions only.
        if (!caller.IsCoordinator) release = release with { Components = [] };
        return AdvisoryWriters.Write(format, release);
    }

    /// <summary>Why <see cref="ShowAsync"/> has no CVE record to show.</summary>
    public static string NoCveRecord(string caseId) =>
        $"The advisory of case {caseId} has no CVE id, so it has no CVE record; add the CVE alias to its content.";

    /// <summary>Publishes what is due at <paramref name="now"/>: scheduled advisories and cases past their public disclosure deadline,
    /// each in its own transaction; a failure is recorded on the advisory (<c>lastError</c>) and the others go on.</summary>
    public async Task<PublicationRound> PublishDueAsync(DateTimeOffset now, CancellationToken ct = default)
    {
        var due = new List<string>();
        await using (var connection = await db.OpenAsync(ct))
            due.AddRange(await connection.QueryAsync<string>(
                """
                SELECT c.id FROM advisories a JOIN cases c ON c.seq = a.case_seq
                WHERE a.status = 'scheduled' AND a.scheduled_for <= @now ORDER BY a.scheduled_for, c.id
                """, new { now = now.ToUnixTimeMilliseconds() }));
        foreach (var (caseId, at) in await ClockStore.DisclosureDeadlinesAsync(db, now, ct))
            if (at <= now && !due.Contains(caseId)) due.Add(caseId);
        var published = new List<string>();
        var failed = new List<(string, string)>();
        foreach (var caseId in due)
        {
            try
            {
                if (await PublishNowAsync(Scheduler, caseId, null, ct) is { } id) published.Add(id);
            }
            catch (ClearwingException e)
            {
                failed.Add((caseId, e.Message));
                await RecordFailureAsync(caseId, e.Message, ct);
            }
        }
        return new PublicationRound(published, failed);
    }

    /// <summary>The next instant after <paramref name="now"/> something is due: a scheduled advisory or an open disclosure deadline.</summary>
    public async Task<DateTimeOffset?> NextDueAsync(DateTimeOffset now, CancellationToken ct = default)
    {
        await using var connection = await db.OpenAsync(ct);
        var scheduled = await connection.ExecuteScalarAsync<long?>(
            "SELECT min(scheduled_for) FROM advisories WHERE status = 'scheduled' AND scheduled_for > @now",
            new { now = now.ToUnixTimeMilliseconds() });
        var deadline = (await ClockStore.DisclosureDeadlinesAsync(db, now, ct)).Select(d => (DateTimeOffset?)d.At).FirstOrDefault(at => at > now);
        var first = At(scheduled);
        return first is null ? deadline : deadline is null ? first : first < deadline ? first : deadline;
    }

    async Task ScheduleAsync(Caller caller, string caseId, DateTimeOffset at, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await db.BeginAsync(connection, ct);
        var caseSeq = await NeedToKnow.VisibleCaseAsync(connection, tx, caller, caseId);
        await EnsureAsync(connection, tx, caseSeq);
        var view = await ViewAsync(connection, tx, caseSeq, caseId, ct);
        if (view.Status == AdvisoryStatus.Published)
            throw new BadInputException($"The advisory of case {caseId} is published as it is; edit it first to schedule a correction.");
        if (view.Problems.Count > 0)
            throw new BadInputException($"The advisory of case {caseId} cannot be published as it is: {view.Problems[0]}");
        await connection.ExecuteAsync(
            "UPDATE advisories SET status = 'scheduled', scheduled_for = @at, last_error = NULL WHERE case_seq = @caseSeq",
            new { at = at.ToUnixTimeMilliseconds(), caseSeq }, tx);
        await audit.AppendAsync(connection, tx, AuditEntry.By(caller, $"case:{caseId}", "schedule_advisory", new { at = at.ToString("O") }), ct);
        await PublicationJob.EnqueueRoundAsync(queue, connection, tx, at, ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>Publishes the case's advisory now, disclosing the case first when it is not yet; the id published, or null when
    /// nothing was left to publish.</summary>
    async Task<string?> PublishNowAsync(Caller caller, string caseId, string? summary, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await db.BeginAsync(connection, ct);
        // The case's row lock first, as the lifecycle takes it: publications of one case (a round, a person) take turns.
        var current = await connection.QuerySingleOrDefaultAsync<(long Seq, string State)>(
            $"SELECT c.seq, c.state FROM cases c WHERE c.id = @caseId AND {NeedToKnow.Case(caller)} " +
            (db.Engine == Engine.Postgres ? "FOR UPDATE" : ""),
            new { caseId, callerOrg = caller.OrgId }, tx);
        if (current.State is null) throw new NotFoundException($"No case {caseId}.");
        // Checked before the case moves: what cannot be published leaves the case as it was.
        await EnsureAsync(connection, tx, current.Seq);
        var row = (await RowAsync(connection, tx, current.Seq))!;
        if (row.Status != "published")
            Validated(await ContentAsync(connection, tx, current.Seq, row, ct), caseId);
        string? id;
        if (current.State != Lifecycle.Name(CaseState.Disclosed))
        {
            // The move's hook publishes (OnChangedAsync), in this transaction, with the commitment's reveal.
            await lifecycle.MoveAsync(connection, tx, caller, caseId, new TransitionRequest(CaseState.Disclosed), null, null, ct);
            id = await connection.ExecuteScalarAsync<string>("SELECT id FROM advisories WHERE case_seq = @seq", new { seq = current.Seq }, tx);
        }
        else id = await PublishInAsync(connection, tx, current.Seq, caseId, (caller.Actor, caller.OrgId == 0 ? null : caller.Org), Now, summary, ct);
        await tx.CommitAsync(ct);
        return id;
    }

    /// <summary>
    /// Writes and stores the next version of the case's advisory inside the caller's transaction: all formats or none. Null when its
    /// latest version is already what the content says (published, not edited since).
    /// </summary>
    async Task<string?> PublishInAsync(DbConnection connection, DbTransaction tx, long caseSeq, string caseId, (string Actor, string? Org) by,
        long now, string? summary, CancellationToken ct)
    {
        await EnsureAsync(connection, tx, caseSeq);
        var row = (await RowAsync(connection, tx, caseSeq, forUpdate: db.Engine == Engine.Postgres))!;
        if (row.Status == "published") return null;
        var content = await ContentAsync(connection, tx, caseSeq, row, ct);
        Validated(content, caseId);
        var at = DateTimeOffset.FromUnixTimeMilliseconds(now);
        var release = await ReleaseAsync(connection, tx, caseSeq, caseId, row, content, at,
            summary ?? (row.Version == 0 ? "Initial version." : "Corrected."), ct);
        if (row.Id is null && await connection.ExecuteScalarAsync<long?>(
                "SELECT case_seq FROM advisories WHERE id = @id AND case_seq <> @caseSeq", new { id = release.Id, caseSeq }, tx) is not null)
            throw new BadInputException($"The advisory of case {caseId} would be published as {release.Id}, which another case's advisory is; " +
                "remove the alias from one of them.");
        await connection.ExecuteAsync(
            """
            INSERT INTO advisory_versions (advisory_id, version, case_seq, published_at, published_by, summary, content, osv, csaf, csaf_vex, cve,
                                           csaf_path, csaf_vex_path)
            VALUES (@id, @version, @caseSeq, @now, @actor, @summary, @content, @osv, @csaf, @vex, @cve, @csafPath, @vexPath)
            """, new
            {
                id = release.Id, version = release.Version, caseSeq, now, actor = by.Actor, summary = release.History[^1].Summary,
                content = Encoding.UTF8.GetString(content.ToJson()),
                osv = Text(AdvisoryWriters.Write(AdvisoryFormat.Osv, release)),
                csaf = Text(AdvisoryWriters.Write(AdvisoryFormat.Csaf, release)),
                vex = Text(AdvisoryWriters.Write(AdvisoryFormat.CsafVex, release)),
                cve = AdvisoryWriters.Write(AdvisoryFormat.Cve, release) is { } cve ? Text(cve) : null,
                csafPath = AdvisoryWriters.CsafPath(release, vex: false), vexPath = AdvisoryWriters.CsafPath(release, vex: true),
            }, tx);
        await connection.ExecuteAsync(
            """
            UPDATE advisories SET id = @id, version = @version, status = 'published', scheduled_for = NULL, last_error = NULL
            WHERE case_seq = @caseSeq
            """, new { id = release.Id, version = release.Version, caseSeq }, tx);
        await connection.ExecuteAsync("UPDATE advisory_feed SET generation = generation + 1", transaction: tx);
        await audit.AppendAsync(connection, tx, new AuditEntry(by.Actor, by.Org, $"case:{caseId}", "publish_advisory",
            new { advisory = release.Id, release.Version }), ct);
        // What follows a publication (telling the orgs whose products it names) happens in this transaction too.
        await changes.RaiseAsync(connection, tx, now,
            new CaseChanged(CaseAspect.Advisory, CaseSet.One(caseSeq), new AdvisoryPublished(caseId, release.Id, release.Version)), ct);
        return release.Id;
    }

    async Task<AdvisoryRelease> ReleaseAsync(DbConnection connection, DbTransaction? tx, long caseSeq, string caseId, AdvisoryRow? row,
        AdvisoryContent content, DateTimeOffset now, string? publishing, CancellationToken ct)
    {
        var id = row?.Id ?? content.Aliases.FirstOrDefault(a => a.StartsWith("CVE-", StringComparison.Ordinal)) ?? row?.LocalId
            ?? $"{publisher.IdPrefix}-{now.Year}-draft";
        var revisions = (await connection.QueryAsync<(long Version, long At, string Summary)>(
                "SELECT version, published_at, summary FROM advisory_versions WHERE case_seq = @caseSeq ORDER BY version", new { caseSeq }, tx))
            .Select(r => new AdvisoryRevision((int)r.Version, DateTimeOffset.FromUnixTimeMilliseconds(r.At), r.Summary)).ToList();
        if (publishing is not null) revisions.Add(new AdvisoryRevision(revisions.Count + 1, now, publishing));
        var status = publishing is not null ? AdvisoryStatus.Published : row is null ? AdvisoryStatus.Draft : ParseStatus(row.Status);
        return new AdvisoryRelease(id, caseId, content, status, revisions, publisher,
            await ComponentsAsync(connection, tx, caseSeq, content, ct), now);
    }

    /// <summary>
    /// The versions of the advisory's packages that products' SBOMs hold, with what the exposure computation says of them: affected
    /// (known_affected), undecidable (under_investigation), or outside every range (known_not_affected, or fixed when the version is
    /// one the content names fixed). Product and org names stay out: the documents are public.
    /// </summary>
    static async Task<IReadOnlyList<ComponentStatus>> ComponentsAsync(DbConnection connection, DbTransaction? tx, long caseSeq,
        AdvisoryContent content, CancellationToken ct)
    {
        var keys = content.Affected.Select(a => a.Package).ToList();
        if (keys.Count == 0) return [];
        var rows = new List<(string Key, string? Version, long? Affected)>();
        foreach (var key in keys)
            rows.AddRange(await connection.QueryAsync<(string Key, string? Version, long? Affected)>(
                """
                SELECT pc.purl_key, pc.version, e.affected
                FROM product_components pc
                LEFT JOIN case_exposure e ON e.case_seq = @caseSeq AND e.product_seq = pc.product_seq AND e.ordinal = pc.ordinal
                WHERE pc.purl_key = @key AND pc.version IS NOT NULL
                """, new { caseSeq, key }, tx));
        ct.ThrowIfCancellationRequested();
        var fixedVersions = content.Affected.ToDictionary(
            a => a.Package, a => a.FixedVersions.ToHashSet(StringComparer.Ordinal), StringComparer.Ordinal);
        return [.. rows
            .Select(r => (Purl: PackageUrl.Parse(r.Key).WithVersion(r.Version).ToString(),
                Status: r.Affected switch
                {
                    1 => VexStatus.KnownAffected,
                    0 => VexStatus.UnderInvestigation,
                    _ => fixedVersions[r.Key].Contains(r.Version!) ? VexStatus.Fixed : VexStatus.KnownNotAffected,
                }))
            // One version in several products is judged alike; should it not be (a product's unknown), the more cautious status wins.
            .GroupBy(r => r.Purl, StringComparer.Ordinal)
            .Select(g => new ComponentStatus(g.Key, g.Select(r => r.Status).Min()))
            .OrderBy(c => c.Purl, StringComparer.Ordinal)];
    }

    async Task<AdvisoryView> ViewAsync(DbConnection connection, DbTransaction? tx, long caseSeq, string caseId, CancellationToken ct)
    {
        var row = await RowAsync(connection, tx, caseSeq);
        var content = await ContentAsync(connection, tx, caseSeq, row, ct);
        var problems = new List<string>();
        try
        {
            Validated(content, caseId);
        }
        catch (MalformedInputException e)
        {
            problems.Add($"{e.JsonPath}: {e.Reason}");
        }
        var release = await ReleaseAsync(connection, tx, caseSeq, caseId, row, content, time.GetUtcNow(), null, ct);
        return new AdvisoryView(caseId, release.Id, release.Status, row?.Content is not null, row is null ? 0 : (int)row.Version,
            At(row?.ScheduledFor), row?.EditedBy, At(row?.EditedAt), row?.ReviewedBy, At(row?.ReviewedAt), row?.LastError, problems,
            release.Revisions, content);
    }

    /// <summary>The content as edited, else what the case holds.</summary>
    static async Task<AdvisoryContent> ContentAsync(
        DbConnection connection, DbTransaction? tx, long caseSeq, AdvisoryRow? row, CancellationToken ct) =>
        row?.Content is { } json ? AdvisoryContent.Parse(Encoding.UTF8.GetBytes(json), "advisory")
            : await AdvisoryDraft.FromCaseAsync(connection, tx, caseSeq, ct);

    /// <summary>The content as the edit path would accept it: a draft made from the case is checked like an edited file.</summary>
    static void Validated(AdvisoryContent content, string caseId) => AdvisoryContent.Parse(content.ToJson(), $"advisory of case {caseId}");

    /// <summary>Makes the case's advisory row when it has none, drawing its id under the installation's prefix.</summary>
    async Task EnsureAsync(DbConnection connection, DbTransaction tx, long caseSeq)
    {
        if (await connection.ExecuteScalarAsync<long?>("SELECT 1 FROM advisories WHERE case_seq = @caseSeq", new { caseSeq }, tx) is not null) return;
        var year = time.GetUtcNow().Year;
        var number = await connection.ExecuteScalarAsync<long>(
            """
            INSERT INTO advisory_numbers (year, last) VALUES (@year, 1)
            ON CONFLICT (year) DO UPDATE SET last = advisory_numbers.last + 1
            RETURNING last
            """, new { year }, tx);
        var localId = string.Create(CultureInfo.InvariantCulture, $"{publisher.IdPrefix}-{year}-{number:0000}");
        // Two first edits of one case at once: one row stays, the other's number is a gap.
        await connection.ExecuteAsync(
            "INSERT INTO advisories (case_seq, local_id, status, version) VALUES (@caseSeq, @localId, 'draft', 0) ON CONFLICT (case_seq) DO NOTHING",
            new { caseSeq, localId }, tx);
    }

    async Task RecordFailureAsync(string caseId, string error, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await db.BeginAsync(connection, ct);
        var caseSeq = await connection.ExecuteScalarAsync<long>("SELECT seq FROM cases WHERE id = @caseId", new { caseId }, tx);
        await EnsureAsync(connection, tx, caseSeq);
        await connection.ExecuteAsync("UPDATE advisories SET last_error = @error WHERE case_seq = @caseSeq", new { error, caseSeq }, tx);
        await tx.CommitAsync(ct);
    }

    static async Task<AdvisoryRow?> RowAsync(DbConnection connection, DbTransaction? tx, long caseSeq, bool forUpdate = false) =>
        await connection.QuerySingleOrDefaultAsync<AdvisoryRow>(
            $"""
            SELECT local_id AS LocalId, id AS Id, content AS Content, status AS Status, scheduled_for AS ScheduledFor, edited_by AS EditedBy,
                   edited_at AS EditedAt, reviewed_by AS ReviewedBy, reviewed_at AS ReviewedAt, last_error AS LastError, version AS Version
            FROM advisories WHERE case_seq = @caseSeq {(forUpdate ? "FOR UPDATE" : "")}
            """, new { caseSeq }, tx);

    static void RequireEditor(Caller caller, string action)
    {
        if (!(caller.IsCoordinator || caller.Kind == OrgKind.Maintainer) || !caller.CanWrite)
            throw new AccessDeniedException($"Only the coordinator's and the case's maintainers' admins and triagers may {action}.");
    }

    static string Column(AdvisoryFormat format) => format switch
    {
        AdvisoryFormat.Osv => "osv",
        AdvisoryFormat.Csaf => "csaf",
        AdvisoryFormat.CsafVex => "csaf_vex",
        AdvisoryFormat.Cve => "cve",
        _ => "content",
    };

    static string Text(byte[]? utf8) => Encoding.UTF8.GetString(utf8 ?? throw new InvalidOperationException("A writer wrote nothing."));

    long Now => time.GetUtcNow().ToUnixTimeMilliseconds();

    static DateTimeOffset? At(long? ms) => ms is { } v ? DateTimeOffset.FromUnixTimeMilliseconds(v) : null;

    /// <summary>"draft", "reviewed", "scheduled", "published".</summary>
    public static string Name(AdvisoryStatus status) => status.ToString().ToLowerInvariant();

    public static AdvisoryStatus ParseStatus(string name) => name.Trim().ToLowerInvariant() switch
    {
        "draft" => AdvisoryStatus.Draft,
        "reviewed" => AdvisoryStatus.Reviewed,
        "scheduled" => AdvisoryStatus.Scheduled,
        "published" => AdvisoryStatus.Published,
        _ => throw new BadInputException($"Unknown advisory status '{name}'; use one of: draft, reviewed, scheduled, published."),
    };

    /// <summary>"osv", "csaf", "csaf-vex", "cve", "content".</summary>
    public static string FormatName(AdvisoryFormat format) => format == AdvisoryFormat.CsafVex ? "csaf-vex" : format.ToString().ToLowerInvariant();

    /// <summary>The format named <paramref name="name"/> (<see cref="FormatName"/>).</summary>
    public static AdvisoryFormat ParseFormat(string name) => name.Trim().ToLowerInvariant() switch
    {
        "osv" => AdvisoryFormat.Osv,
        "csaf" => AdvisoryFormat.Csaf,
        "csaf-vex" => AdvisoryFormat.CsafVex,
        "cve" => AdvisoryFormat.Cve,
        "content" => AdvisoryFormat.Content,
        _ => throw new BadInputException($"Unknown format '{name}'; use one of: osv, csaf, csaf-vex, cve, content."),
    };

    sealed class AdvisoryRow
    {
        public string LocalId { get; init; } = "";
        public string? Id { get; init; }
        public string? Content { get; init; }
        public string Status { get; init; } = "";
        public long? ScheduledFor { get; init; }
        public string? EditedBy { get; init; }
        public long? EditedAt { get; init; }
        public string? ReviewedBy { get; init; }
        public long? ReviewedAt { get; init; }
        public string? LastError { get; init; }
        public long Version { get; init; }
    }

    sealed class SummaryRow
    {
        public string CaseId { get; init; } = "";
        public string Id { get; init; } = "";
        public string Status { get; init; } = "";
        public long Version { get; init; }
        public long? ScheduledFor { get; init; }
        public long? PublishedAt { get; init; }
        public string? LastError { get; init; }
    }
}
