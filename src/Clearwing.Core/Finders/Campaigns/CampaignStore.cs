using System.Data.Common;
using Clearwing.Access;
using Clearwing.Storage;
using Dapper;

namespace Clearwing.Finders.Campaigns;

/// <summary>Where one finder's run on one repository stands: <c>pending</c> (not run to its end yet), <c>incomplete</c> (ran, but units
/// failed or the spend limit stopped it: a resume goes on), <c>imported</c> (complete, its findings imported).</summary>
public sealed record CampaignRunStatus(
    int Finder, string Kind, string State, int Planned, int Done, int Failed, int Findings, long NewCases, string? ImportId, string? Problem,
    decimal Spent);

/// <summary>A repository of a campaign: what was asked, the commit it was resolved to, its project, and its finders' runs.</summary>
public sealed record CampaignRepositoryStatus(
    int Index, string Url, string? Revision, string? Commit, string Project, bool Done, string? Problem, IReadOnlyList<CampaignRunStatus> Runs);

/// <summary>
/// A campaign as <c>clearwing campaign status</c> shows it: repositories done, units planned, done and failed, findings reported,
/// cases opened by its imports, what it spent (per model too) against its budget, and who runs it now.
/// </summary>
public sealed record CampaignStatus(
    long Id, string Name, string Org, string State, string Currency, decimal? Budget, decimal Spent, int Repositories, int RepositoriesDone,
    int UnitsPlanned, int UnitsDone, int UnitsFailed, int Findings, long Cases, string? Runner, DateTimeOffset CreatedAt,
    DateTimeOffset? FinishedAt, IReadOnlyList<ModelSpend> Models, IReadOnlyList<CampaignRepositoryStatus> RepositoryDetails);

/// <summary>A campaign as stored, for the runner: its file again, where relative paths in it start, and who pays.</summary>
public sealed record CampaignRecord(
    long Id, string Name, long OrgId, string Org, string File, string FileName, string BaseFolder, string Currency, string State);

/// <summary>
/// Campaigns in the database (docs/campaigns.md): the file each was started from, its repositories with the commits they were
/// resolved to, each finder run's state and counts, and the lease of the process that runs it. The coordinator sees every campaign;
/// an org sees the campaigns it pays for.
/// </summary>
public sealed class CampaignStore(Database db, AuditLog audit, TimeProvider time)
{
    /// <summary>How long a runner's claim lasts unless renewed; a runner renews it at a third of this.</summary>
    public static readonly TimeSpan Lease = TimeSpan.FromSeconds(60);

    /// <summary>Records a new campaign from <paramref name="plan"/> (read from <paramref name="file"/>), its repositories and runs
    /// all pending; refused when its org does not exist or, for a campaign with an AI finder, has no credits.</summary>
    public async Task<long> CreateAsync(Caller caller, CampaignPlan plan, string file, string fileName, string baseFolder, CancellationToken ct)
    {
        caller.RequireCoordinatorWriter("run campaigns");
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await db.BeginAsync(connection, ct);
        var orgId = await connection.ExecuteScalarAsync<long?>("SELECT id FROM orgs WHERE name = @org", new { org = plan.Org }, tx)
            ?? throw new BadInputException($"{fileName}: no org '{plan.Org}' (the org whose credits pay for the campaign).");
        var balance = await CreditStore.BalanceAsync(connection, tx, orgId);
        if (balance is null && plan.Finders.Any(f => f is AiSpec))
            throw new BadInputException(
                $"Org '{plan.Org}' has no credits, and the campaign's AI finder spends them: grant some first " +
                $"(clearwing credits grant {plan.Org} AMOUNT).");
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var id = await connection.ExecuteScalarAsync<long>(
            """
            INSERT INTO campaigns (name, org_id, file, file_name, base_folder, currency, budget_nanos, state, created_by, created_at)
            VALUES (@name, @orgId, @file, @fileName, @baseFolder, @currency, @budget, 'open', @by, @now) RETURNING id
            """,
            new
            {
                name = plan.Name, orgId, file, fileName, baseFolder, currency = balance?.Currency ?? "USD",
                budget = plan.Budget is { } b ? Nanos.From(b) : (long?)null, by = caller.Actor, now,
            }, tx);
        for (var r = 0; r < plan.Repositories.Count; r++)
        {
            var repository = plan.Repositories[r];
            await connection.ExecuteAsync(
                "INSERT INTO campaign_repositories (campaign_id, idx, url, revision, project) VALUES (@id, @r, @url, @revision, @project)",
                new { id, r, url = repository.Url, revision = repository.Revision, project = repository.Project }, tx);
            for (var f = 0; f < plan.Finders.Count; f++)
                await connection.ExecuteAsync(
                    """
                    INSERT INTO campaign_runs (campaign_id, repository, finder, kind, state, updated_at)
                    VALUES (@id, @r, @f, @kind, 'pending', @now)
                    """, new { id, r, f, kind = plan.Finders[f].Kind, now }, tx);
        }
        await audit.AppendAsync(connection, tx, AuditEntry.By(caller, $"campaign:{id}", "start-campaign",
            new { org = plan.Org, repositories = plan.Repositories.Count, finders = plan.Finders.Select(f => f.Kind).ToArray() }), ct);
        await tx.CommitAsync(ct);
        return id;
    }

    /// <summary>The campaign, for the runner (the coordinator's writers).</summary>
    public async Task<CampaignRecord> LoadAsync(Caller caller, long id, CancellationToken ct)
    {
        caller.RequireCoordinatorWriter("run campaigns");
        await using var connection = await db.OpenAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<CampaignRecord>(
            """
            SELECT c.id, c.name, c.org_id AS OrgId, o.name AS Org, c.file, c.file_name AS FileName, c.base_folder AS BaseFolder, c.currency, c.state
            FROM campaigns c JOIN orgs o ON o.id = c.org_id WHERE c.id = @id
            """, new { id }) ?? throw new NotFoundException($"No campaign {id}.");
    }

    /// <summary>
    /// Claims the campaign for <paramref name="runner"/> (<c>HOST:PID:…</c>) for a <see cref="Lease"/>: refused while another runner's
    /// lease lasts, unless that runner was a process of this host that is gone (killed), whose claim is taken over at once.
    /// </summary>
    public async Task ClaimAsync(long id, string runner, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var current = await connection.QuerySingleAsync<(string? Runner, long? Until, string State)>(
            "SELECT runner, lease_until, state FROM campaigns WHERE id = @id", new { id });
        if (current.State == "done") throw new ConflictException($"Campaign {id} is done: every repository's findings are imported.");
        var free = current.Runner is null || current.Runner == runner || current.Until < now || IsGone(current.Runner);
        if (!free || await connection.ExecuteAsync(
                """
                UPDATE campaigns SET runner = @runner, lease_until = @until
                WHERE id = @id AND (runner IS NULL AND @old IS NULL OR runner = @old)
                """, new { id, runner, until = now + (long)Lease.TotalMilliseconds, old = current.Runner }) != 1)
            throw new ConflictException(
                $"Campaign {id} is being run by {current.Runner} (its claim lasts until " +
                $"{DateTimeOffset.FromUnixTimeMilliseconds(current.Until ?? now):u} unless renewed); stop that run first.");
    }

    /// <summary>Renews <paramref name="runner"/>'s claim; false when it lost it.</summary>
    public async Task<bool> RenewAsync(long id, string runner, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return await connection.ExecuteAsync("UPDATE campaigns SET lease_until = @until WHERE id = @id AND runner = @runner",
            new { id, runner, until = time.GetUtcNow().ToUnixTimeMilliseconds() + (long)Lease.TotalMilliseconds }) == 1;
    }

    /// <summary>Lets go of the claim.</summary>
    public async Task ReleaseAsync(long id, string runner)
    {
        await using var connection = await db.OpenAsync(CancellationToken.None);
        await connection.ExecuteAsync("UPDATE campaigns SET runner = NULL, lease_until = NULL WHERE id = @id AND runner = @runner",
            new { id, runner });
    }

    /// <summary>A claim of a process on this machine that no longer runs.</summary>
    static bool IsGone(string runner)
    {
        var parts = runner.Split(':');
        if (parts.Length < 2 || parts[0] != Environment.MachineName || !int.TryParse(parts[1], out var pid)) return false;
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return process.HasExited;
        }
        catch (ArgumentException)
        {
            return true;
        }
    }

    /// <summary>The commit the repository's revision was resolved to the first time (null: not yet).</summary>
    public async Task<(string? Commit, string? Problem)> RepositoryAsync(long id, int index, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return await connection.QuerySingleAsync<(string?, string?)>(
            "SELECT commit_id, problem FROM campaign_repositories WHERE campaign_id = @id AND idx = @index", new { id, index });
    }

    /// <summary>Records the repository's commit, or why it could not be had (null: no problem).</summary>
    public async Task SetRepositoryAsync(long id, int index, string? commit, string? problem, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await connection.ExecuteAsync(
            """
            UPDATE campaign_repositories SET commit_id = COALESCE(@commit, commit_id), problem = @problem
            WHERE campaign_id = @id AND idx = @index
            """,
            new { id, index, commit, problem });
    }

    /// <summary>The state of every run of the repository, by finder.</summary>
    public async Task<IReadOnlyDictionary<int, string>> RunStatesAsync(long id, int repository, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        var rows = await connection.QueryAsync<(long Finder, string State)>(
            "SELECT finder, state FROM campaign_runs WHERE campaign_id = @id AND repository = @repository", new { id, repository });
        return rows.ToDictionary(r => (int)r.Finder, r => r.State);
    }

    /// <summary>Records where a run stands after the finder returned (and, once imported, its import).</summary>
    public async Task SetRunAsync(long id, int repository, int finder, string state, FinderReport? report, string? importId, long newCases,
        int findings, string? problem, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(CancellationToken.None);
        await connection.ExecuteAsync(
            """
            UPDATE campaign_runs SET state = @state, planned = @planned, done = @done, failed = @failed, findings = @findings,
                import_id = @importId, new_cases = @newCases, problem = @problem, updated_at = @now
            WHERE campaign_id = @id AND repository = @repository AND finder = @finder
            """,
            new
            {
                id, repository, finder, state, planned = report?.Planned ?? 0,
                done = report is null ? 0 : report.Done + report.Skipped + report.Rejected.Count,
                failed = report?.Failed.Count ?? 0, findings, importId, newCases, problem,
                now = time.GetUtcNow().ToUnixTimeMilliseconds(),
            });
    }

    /// <summary>Marks the campaign done when every run is imported, with an event; false while some is not.</summary>
    public async Task<bool> FinishAsync(Caller caller, long id, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await db.BeginAsync(connection, ct);
        var open = await connection.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM campaign_runs WHERE campaign_id = @id AND state <> 'imported'", new { id }, tx);
        if (open > 0) return false;
        if (await connection.ExecuteAsync("UPDATE campaigns SET state = 'done', finished_at = @now WHERE id = @id AND state = 'open'",
                new { id, now = time.GetUtcNow().ToUnixTimeMilliseconds() }, tx) == 1)
        {
            var spent = await connection.ExecuteScalarAsync<long>(
                "SELECT CAST(COALESCE(SUM(cost_nanos), 0) AS BIGINT) FROM campaign_units WHERE campaign_id = @id", new { id }, tx);
            await audit.AppendAsync(connection, tx, AuditEntry.By(caller, $"campaign:{id}", "finish-campaign",
                new { spent = Nanos.To(spent).ToString(System.Globalization.CultureInfo.InvariantCulture) }), ct);
        }
        await tx.CommitAsync(ct);
        return true;
    }

    /// <summary>What the campaign spent so far.</summary>
    public async Task<decimal> SpentAsync(long id, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return Nanos.To(await connection.ExecuteScalarAsync<long>(
            "SELECT CAST(COALESCE(SUM(cost_nanos), 0) AS BIGINT) FROM campaign_units WHERE campaign_id = @id", new { id }));
    }

    /// <summary>What is left of the org's credits (null: it has none).</summary>
    public async Task<(string Currency, decimal Balance)?> BalanceAsync(long orgId, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return await CreditStore.BalanceAsync(connection, null, orgId);
    }

    /// <summary>The campaigns the caller may see, newest first.</summary>
    public async Task<IReadOnlyList<CampaignStatus>> ListAsync(Caller caller, CancellationToken ct = default)
    {
        await using var connection = await db.OpenAsync(ct);
        var ids = await connection.QueryAsync<long>(
            $"SELECT id FROM campaigns {(caller.IsCoordinator ? "" : "WHERE org_id = @callerOrg")} ORDER BY id DESC",
            new { callerOrg = caller.OrgId });
        var list = new List<CampaignStatus>();
        foreach (var id in ids) list.Add(await StatusAsync(connection, caller, id) ?? throw new NotFoundException($"No campaign {id}."));
        return list;
    }

    /// <summary>The campaign's status, when the caller may see it (the coordinator, or the org that pays); others: not found.</summary>
    public async Task<CampaignStatus> GetAsync(Caller caller, long id, CancellationToken ct = default)
    {
        await using var connection = await db.OpenAsync(ct);
        return await StatusAsync(connection, caller, id) ?? throw new NotFoundException($"No campaign {id}.");
    }

    async Task<CampaignStatus?> StatusAsync(DbConnection connection, Caller caller, long id)
    {
        var campaign = await connection.QuerySingleOrDefaultAsync<CampaignRow>(
            $"""
            SELECT c.id, c.name, o.name AS Org, c.currency, c.budget_nanos AS BudgetNanos, c.state, c.runner, c.lease_until AS LeaseUntil,
                   c.created_at AS CreatedAt, c.finished_at AS FinishedAt
            FROM campaigns c JOIN orgs o ON o.id = c.org_id
            WHERE c.id = @id {(caller.IsCoordinator ? "" : "AND c.org_id = @callerOrg")}
            """, new { id, callerOrg = caller.OrgId });
        if (campaign is null) return null;
        var budget = campaign.BudgetNanos is { } nanos ? Nanos.To(nanos) : (decimal?)null;
        var repositories = (await connection.QueryAsync<RepositoryRow>(
            """
            SELECT idx AS Idx, url, revision, commit_id AS CommitId, project, problem
            FROM campaign_repositories WHERE campaign_id = @id ORDER BY idx
            """,
            new { id })).ToList();
        var runs = (await connection.QueryAsync<RunRow>(
            """
            SELECT r.repository, r.finder, r.kind, r.state, r.planned, r.done, r.failed, r.findings, r.new_cases AS NewCases,
                   r.import_id AS ImportId, r.problem,
                   CAST(COALESCE((SELECT SUM(u.cost_nanos) FROM campaign_units u WHERE u.campaign_id = r.campaign_id
                       AND u.repository = r.repository AND u.finder = r.finder), 0) AS BIGINT) AS SpentNanos
            FROM campaign_runs r WHERE r.campaign_id = @id ORDER BY r.repository, r.finder
            """, new { id })).ToLookup(r => r.Repository);
        var details = repositories.Select(r =>
        {
            var own = runs[r.Idx].Select(u => new CampaignRunStatus((int)u.Finder, u.Kind, u.State, (int)u.Planned, (int)u.Done, (int)u.Failed,
                (int)u.Findings, u.NewCases, u.ImportId, u.Problem, Nanos.To(u.SpentNanos))).ToList();
            return new CampaignRepositoryStatus((int)r.Idx, r.Url, r.Revision, r.CommitId, r.Project, own.All(u => u.State == "imported"),
                r.Problem, own);
        }).ToList();
        var all = details.SelectMany(d => d.Runs).ToList();
        var runner = campaign.Runner is not null && campaign.LeaseUntil >= time.GetUtcNow().ToUnixTimeMilliseconds() && !IsGone(campaign.Runner)
            ? campaign.Runner
            : null;
        return new CampaignStatus(campaign.Id, campaign.Name, campaign.Org, campaign.State, campaign.Currency, budget,
            all.Sum(r => r.Spent), details.Count, details.Count(d => d.Done), all.Sum(r => r.Planned), all.Sum(r => r.Done),
            all.Sum(r => r.Failed), all.Sum(r => r.Findings), all.Sum(r => r.NewCases), runner,
            DateTimeOffset.FromUnixTimeMilliseconds(campaign.CreatedAt),
            campaign.FinishedAt is { } f ? DateTimeOffset.FromUnixTimeMilliseconds(f) : null,
            await CreditStore.ModelsAsync(connection, "c.id = @id", new { id }), details);
    }

    sealed class CampaignRow
    {
        public long Id { get; init; }
        public string Name { get; init; } = "";
        public string Org { get; init; } = "";
        public string Currency { get; init; } = "";
        public long? BudgetNanos { get; init; }
        public string State { get; init; } = "";
        public string? Runner { get; init; }
        public long? LeaseUntil { get; init; }
        public long CreatedAt { get; init; }
        public long? FinishedAt { get; init; }
    }

    sealed class RepositoryRow
    {
        public long Idx { get; init; }
        public string Url { get; init; } = "";
        public string? Revision { get; init; }
        public string? CommitId { get; init; }
        public string Project { get; init; } = "";
        public string? Problem { get; init; }
    }

    sealed class RunRow
    {
        public long Repository { get; init; }
        public long Finder { get; init; }
        public string Kind { get; init; } = "";
        public string State { get; init; } = "";
        public long Planned { get; init; }
        public long Done { get; init; }
        public long Failed { get; init; }
        public long Findings { get; init; }
        public long NewCases { get; init; }
        public string? ImportId { get; init; }
        public string? Problem { get; init; }
        public long SpentNanos { get; init; }
    }
}
