using System.Text.RegularExpressions;
using Clearwing.Access;
using Clearwing.Storage;
using Dapper;

namespace Clearwing.Routing;

/// <summary>Where an org is told what is not a project's business: signed webhooks and e-mail addresses (docs/advisories.md).</summary>
public sealed record OrgChannels(string Org, IReadOnlyList<WebhookChannel> Webhooks, IReadOnlyList<string> Email);

/// <summary>
/// An org's own notification channels (migration 0041): today, how a downstream org hears that an advisory naming its products is
/// published. Set by the coordinator's admins and by the org's own admins; read by them and the org's members.
/// </summary>
public sealed partial class OrgChannelStore(Database db, AuditLog audit)
{
    /// <summary>Channels per kind, as many as a project's intake policy takes.</summary>
    public const int MaxChannels = 20;

    public async Task<OrgChannels> GetAsync(Caller caller, string org, CancellationToken ct = default)
    {
        await using var connection = await db.OpenAsync(ct);
        var orgId = await OrgIdAsync(connection, caller, org);
        var rows = (await connection.QueryAsync<(string Channel, string Target, string? SecretEnv)>(
            "SELECT channel, target, secret_env FROM org_channels WHERE org_id = @orgId ORDER BY channel, target", new { orgId })).ToList();
        return new OrgChannels(org, [.. rows.Where(r => r.Channel == "webhook").Select(r => new WebhookChannel(r.Target, r.SecretEnv!))],
            [.. rows.Where(r => r.Channel == "email").Select(r => r.Target)]);
    }

    /// <summary>Replaces the org's channels (none: the org is told nothing); anything invalid is refused whole.</summary>
    public async Task<OrgChannels> SetAsync(Caller caller, string org, IReadOnlyList<WebhookChannel> webhooks, IReadOnlyList<string> email,
        CancellationToken ct = default)
    {
        if (webhooks.Count > MaxChannels || email.Count > MaxChannels)
            throw new BadInputException($"At most {MaxChannels} webhooks and {MaxChannels} e-mail addresses an org.");
        foreach (var hook in webhooks)
        {
            if (!IntakePolicyReader.IsWebhookUrl(hook.Url))
                throw new BadInputException($"Webhook '{hook.Url}': give an https:// URL (http:// only to a loopback address), without a user.");
            if (!SecretEnv().IsMatch(hook.SecretEnv))
                throw new BadInputException(
                    $"Secret variable '{hook.SecretEnv}': give the name of an environment variable of the server (A-Z, 0-9, _).");
        }
        foreach (var address in email)
            if (!IntakePolicyReader.IsEmail(address)) throw new BadInputException($"'{address}' is not an e-mail address.");
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await db.BeginAsync(connection, ct);
        var orgId = await OrgIdAsync(connection, caller, org, tx);
        if (!(caller.IsCoordinator || caller.OrgId == orgId) || caller.Role != Role.Admin)
            throw new AccessDeniedException("Only the coordinator's admins and the org's own admins may set its channels.");
        await connection.ExecuteAsync("DELETE FROM org_channels WHERE org_id = @orgId", new { orgId }, tx);
        foreach (var hook in webhooks.DistinctBy(h => h.Url))
            await connection.ExecuteAsync(
                "INSERT INTO org_channels (org_id, channel, target, secret_env) VALUES (@orgId, 'webhook', @Url, @SecretEnv)",
                new { orgId, hook.Url, hook.SecretEnv }, tx);
        foreach (var address in email.Distinct(StringComparer.OrdinalIgnoreCase))
            await connection.ExecuteAsync("INSERT INTO org_channels (org_id, channel, target) VALUES (@orgId, 'email', @address)",
                new { orgId, address }, tx);
        // Where an org's notices go is its members' business: the event names the org and how many, not the addresses.
        await audit.AppendAsync(connection, tx,
            AuditEntry.By(caller, $"org:{org}", "set_channels", new { webhooks = webhooks.Count, email = email.Count }), ct);
        await tx.CommitAsync(ct);
        return await GetAsync(caller, org, ct);
    }

    /// <summary>The org's id when the caller may see its channels: the coordinator any org's, everyone else their own.</summary>
    static async Task<long> OrgIdAsync(System.Data.Common.DbConnection connection, Caller caller, string org,
        System.Data.Common.DbTransaction? tx = null)
    {
        var id = await connection.ExecuteScalarAsync<long?>("SELECT id FROM orgs WHERE name = @org", new { org }, tx);
        if (id is null || !(caller.IsCoordinator || caller.OrgId == id)) throw new NotFoundException($"No org {org}.");
        return id.Value;
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,127}$")]
    private static partial Regex SecretEnv();
}
