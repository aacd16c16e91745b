using System.Data.Common;
using System.Text.RegularExpressions;
using Clearwing.Access;
using Clearwing.Storage;
using Dapper;

namespace Clearwing.Finders.Campaigns;

/// <summary>Amounts of credit as stored: whole billionths of the currency, so that sums are exact in both engines.</summary>
public static class Nanos
{
    public static long From(decimal amount) => (long)Math.Round(amount * 1_000_000_000m, MidpointRounding.AwayFromZero);
    public static decimal To(long nanos) => nanos / 1_000_000_000m;
}

/// <summary>What one model's requests cost an org or a campaign.</summary>
public sealed record ModelSpend(string Model, long Units, long InputTokens, long OutputTokens, decimal Spent);

/// <summary>What one campaign cost its org.</summary>
public sealed record CampaignSpend(long Campaign, string Name, decimal Spent);

/// <summary>What the work on one repository (in every campaign of the org) cost.</summary>
public sealed record RepositorySpend(string Repository, decimal Spent);

/// <summary>An org's usage credits: what was granted, what its campaigns spent, what is left, and where it went.</summary>
public sealed record OrgCredits(
    string Org, string Currency, decimal Granted, decimal Spent, decimal Balance, IReadOnlyList<CampaignSpend> Campaigns,
    IReadOnlyList<RepositorySpend> Repositories, IReadOnlyList<ModelSpend> Models);

/// <summary>A grant as recorded.</summary>
public sealed record CreditGrant(string Org, decimal Amount, string Currency, string? Note, string GrantedBy, DateTimeOffset GrantedAt);

/// <summary>
/// Usage credits (docs/campaigns.md, "Credits"): the coordinator's admins grant an org credits in a currency they choose (US dollars
/// at the published token prices, or any unit the program prices models in); every unit a campaign's finder sends is debited to the
/// org that pays for the campaign. The coordinator sees every org's credits; an org sees its own.
/// </summary>
public sealed partial class CreditStore(Database db, AuditLog audit, TimeProvider time)
{
    /// <summary>Grants <paramref name="org"/> <paramref name="amount"/> (negative: takes some back) in <paramref name="currency"/>, which
    /// must be the currency of the org's earlier grants.</summary>
    public async Task<CreditGrant> GrantAsync(
        Caller caller, string org, decimal amount, string currency, string? note, CancellationToken ct = default)
    {
        caller.RequireCoordinatorAdmin("grant credits");
        currency = currency.Trim().ToUpperInvariant();
        if (!CurrencyCode().IsMatch(currency))
            throw new BadInputException($"'{currency}' is not a currency: 1 to 12 letters or digits (USD, EUR, CREDITS).");
        if (amount == 0 || Math.Abs(amount) > 1_000_000_000m)
            throw new BadInputException("A grant is a non-zero amount of at most 1,000,000,000.");
        note = note?.Trim() is { Length: > 0 } n ? n : null;
        if (note is { Length: > 1000 }) throw new BadInputException("A grant's note is at most 1,000 characters.");
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await db.BeginAsync(connection, ct);
        var orgId = await connection.ExecuteScalarAsync<long?>("SELECT id FROM orgs WHERE name = @org", new { org }, tx)
            ?? throw new NotFoundException($"No org '{org}'.");
        if (await CurrencyAsync(connection, tx, orgId) is { } earlier && earlier != currency)
            throw new BadInputException($"Org '{org}' holds its credits in {earlier}; a grant in {currency} would mix currencies.");
        var now = time.GetUtcNow();
        await connection.ExecuteAsync(
            """
            INSERT INTO credit_grants (org_id, amount_nanos, currency, note, granted_by, granted_at)
            VALUES (@orgId, @nanos, @currency, @note, @by, @at)
            """,
            new { orgId, nanos = Nanos.From(amount), currency, note, by = caller.Actor, at = now.ToUnixTimeMilliseconds() }, tx);
        await audit.AppendAsync(connection, tx, AuditEntry.By(caller, $"org:{org}", "grant-credits",
            new { amount = amount.ToString(System.Globalization.CultureInfo.InvariantCulture), currency }), ct);
        await tx.CommitAsync(ct);
        return new CreditGrant(org, amount, currency, note, caller.Actor, now);
    }

    /// <summary>The credits of every org the caller may see (the coordinator: all with a grant or a campaign; others: their own).</summary>
    public async Task<IReadOnlyList<OrgCredits>> ListAsync(Caller caller, CancellationToken ct = default)
    {
        await using var connection = await db.OpenAsync(ct);
        var orgs = await connection.QueryAsync<(long Id, string Name)>(
            $"""
            SELECT id, name FROM orgs o
            WHERE (EXISTS (SELECT 1 FROM credit_grants g WHERE g.org_id = o.id) OR EXISTS (SELECT 1 FROM campaigns c WHERE c.org_id = o.id))
              {(caller.IsCoordinator ? "" : "AND o.id = @callerOrg")}
            ORDER BY name
            """, new { callerOrg = caller.OrgId });
        var list = new List<OrgCredits>();
        foreach (var (id, name) in orgs) list.Add(await CreditsAsync(connection, id, name));
        return list;
    }

    /// <summary>The credits of <paramref name="org"/>, which the caller must be able to see.</summary>
    public async Task<OrgCredits> GetAsync(Caller caller, string org, CancellationToken ct = default)
    {
        await using var connection = await db.OpenAsync(ct);
        var orgId = await OrgStore.VisibleOrgAsync(connection, caller, org);
        return await CreditsAsync(connection, orgId, org);
    }

    /// <summary>What is left of the org's credits, in its currency (null: no grant yet, no currency).</summary>
    internal static async Task<(string Currency, decimal Balance)?> BalanceAsync(DbConnection connection, DbTransaction? tx, long orgId)
    {
        if (await CurrencyAsync(connection, tx, orgId) is not { } currency) return null;
        var granted = await connection.ExecuteScalarAsync<long>(
            "SELECT CAST(COALESCE(SUM(amount_nanos), 0) AS BIGINT) FROM credit_grants WHERE org_id = @orgId", new { orgId }, tx);
        return (currency, Nanos.To(granted - await SpentAsync(connection, tx, orgId)));
    }

    static async Task<long> SpentAsync(DbConnection connection, DbTransaction? tx, long orgId) =>
        await connection.ExecuteScalarAsync<long>(
            """
            SELECT CAST(COALESCE(SUM(u.cost_nanos), 0) AS BIGINT)
            FROM campaign_units u JOIN campaigns c ON c.id = u.campaign_id WHERE c.org_id = @orgId
            """, new { orgId }, tx);

    static Task<string?> CurrencyAsync(DbConnection connection, DbTransaction? tx, long orgId) =>
        connection.ExecuteScalarAsync<string?>(
            "SELECT currency FROM credit_grants WHERE org_id = @orgId ORDER BY id LIMIT 1", new { orgId }, tx);

    static async Task<OrgCredits> CreditsAsync(DbConnection connection, long orgId, string org)
    {
        var currency = await CurrencyAsync(connection, null, orgId)
            ?? await connection.ExecuteScalarAsync<string?>("SELECT currency FROM campaigns WHERE org_id = @orgId ORDER BY id LIMIT 1", new { orgId })
            ?? "USD";
        var granted = await connection.ExecuteScalarAsync<long>(
            "SELECT CAST(COALESCE(SUM(amount_nanos), 0) AS BIGINT) FROM credit_grants WHERE org_id = @orgId", new { orgId });
        var spent = await SpentAsync(connection, null, orgId);
        var campaigns = await connection.QueryAsync<(long Id, string Name, long Nanos)>(
            """
            SELECT c.id, c.name, CAST(COALESCE((SELECT SUM(u.cost_nanos) FROM campaign_units u WHERE u.campaign_id = c.id), 0) AS BIGINT)
            FROM campaigns c WHERE c.org_id = @orgId ORDER BY c.id
            """, new { orgId });
        var repositories = await connection.QueryAsync<(string Url, long Nanos)>(
            """
            SELECT r.url, CAST(SUM(u.cost_nanos) AS BIGINT) FROM campaign_units u
            JOIN campaigns c ON c.id = u.campaign_id
            JOIN campaign_repositories r ON r.campaign_id = u.campaign_id AND r.idx = u.repository
            WHERE c.org_id = @orgId GROUP BY r.url ORDER BY r.url
            """, new { orgId });
        var models = await ModelsAsync(connection, "c.org_id = @orgId", new { orgId });
        return new OrgCredits(org, currency, Nanos.To(granted), Nanos.To(spent), Nanos.To(granted - spent),
            [.. campaigns.Select(c => new CampaignSpend(c.Id, c.Name, Nanos.To(c.Nanos)))],
            [.. repositories.Select(r => new RepositorySpend(r.Url, Nanos.To(r.Nanos)))], models);
    }

    /// <summary>Spend per model over the units of the campaigns <paramref name="where"/> selects (as <c>c</c>).</summary>
    internal static async Task<IReadOnlyList<ModelSpend>> ModelsAsync(DbConnection connection, string where, object parameters)
    {
        var rows = await connection.QueryAsync<(string Model, long Units, long Input, long Output, long Nanos)>(
            $"""
            SELECT u.model, CAST(COUNT(*) AS BIGINT), CAST(SUM(u.input_tokens) AS BIGINT), CAST(SUM(u.output_tokens) AS BIGINT),
                   CAST(SUM(u.cost_nanos) AS BIGINT)
            FROM campaign_units u JOIN campaigns c ON c.id = u.campaign_id
            WHERE u.model IS NOT NULL AND {where} GROUP BY u.model ORDER BY u.model
            """, parameters);
        return [.. rows.Select(r => new ModelSpend(r.Model, r.Units, r.Input, r.Output, Nanos.To(r.Nanos)))];
    }

    [GeneratedRegex("^[A-Z0-9]{1,12}$")]
    private static partial Regex CurrencyCode();
}
