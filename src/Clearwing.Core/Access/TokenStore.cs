using System.Data.Common;
using Clearwing.Storage;
using Dapper;

namespace Clearwing.Access;

/// <summary>An API token as listed: never its secret; its org, role, who made it, and its expiry, revocation and last use.</summary>
public sealed record TokenInfo(string Id, string Org, string Name, Role Role, string CreatedBy, DateTimeOffset CreatedAt,
    DateTimeOffset? ExpiresAt, DateTimeOffset? RevokedAt, DateTimeOffset? LastUsedAt);

/// <summary>A token as created: <see cref="Secret"/> is shown this once and never stored.</summary>
public sealed record NewToken(TokenInfo Token, string Secret);

/// <summary>
/// API tokens: random, shown once, stored hashed (<see cref="Secrets"/>), bound to an org and a role, revocable at once.
/// An org's admins manage its tokens, the coordinator's admins every org's; <see cref="AuthenticateTokenAsync"/> turns a
/// token into its <see cref="Caller"/>.
/// </summary>
public sealed class TokenStore(Database db, AuditLog audit, TimeProvider time)
{
    /// <summary>A token's last use is written at most this often: reads should not each cost a write.</summary>
    static readonly TimeSpan LastUseResolution = TimeSpan.FromMinutes(1);

    public async Task<NewToken> CreateTokenAsync(
        Caller caller, string org, string name, Role role, DateTimeOffset? expiresAt, CancellationToken ct = default)
    {
        name = OrgStore.RequireName(name, "token name");
        if (expiresAt is { } e && e <= time.GetUtcNow()) throw new BadInputException($"The expiry {e:O} is in the past.");
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await db.BeginAsync(connection, ct);
        var orgId = await OrgStore.ManagedOrgAsync(connection, tx, caller, org);
        var token = await InsertTokenAsync(connection, tx, orgId, org, name, role, expiresAt, caller.Actor, Now);
        await audit.AppendAsync(connection, tx, AuditEntry.By(caller, $"org:{org}", "create-token",
            new { id = token.Token.Id, name, role = role.Name(), expiresAt = expiresAt?.ToUnixTimeMilliseconds() }), ct);
        await tx.CommitAsync(ct);
        return token;
    }

    public async Task<IReadOnlyList<TokenInfo>> ListTokensAsync(Caller caller, string org, CancellationToken ct = default)
    {
        await using var connection = await db.OpenAsync(ct);
        var orgId = await OrgStore.VisibleOrgAsync(connection, caller, org);
        if (caller.Role != Role.Admin) throw new AccessDeniedException($"Only admins list org '{org}''s tokens; you are {caller.Role.Name()}.");
        var rows = await connection.QueryAsync<TokenRow>(
            "SELECT id, name, role, created_by, created_at, expires_at, revoked_at, last_used_at FROM tokens " +
            "WHERE org_id = @orgId ORDER BY created_at, id",
            new { orgId });
        return rows.Select(r => r.ToInfo(org)).ToList();
    }

    public async Task<TokenInfo> RevokeTokenAsync(Caller caller, string id, CancellationToken ct = default)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await db.BeginAsync(connection, ct);
        var (orgId, org) = await connection.QuerySingleOrDefaultAsync<(long, string)>(
            "SELECT o.id, o.name FROM tokens t JOIN orgs o ON o.id = t.org_id WHERE t.id = @id", new { id }, tx);
        // Another org's token is "not found", and the message must not name its org either.
        if (org is null || !caller.IsCoordinator && orgId != caller.OrgId) throw new NotFoundException($"No token '{id}'.");
        if (caller.Role != Role.Admin) throw new AccessDeniedException($"Only admins revoke org '{org}''s tokens; you are {caller.Role.Name()}.");
        await connection.ExecuteAsync("UPDATE tokens SET revoked_at = @now WHERE id = @id AND revoked_at IS NULL", new { id, now = Now }, tx);
        var row = await connection.QuerySingleAsync<TokenRow>(
            "SELECT id, name, role, created_by, created_at, expires_at, revoked_at, last_used_at FROM tokens WHERE id = @id", new { id }, tx);
        await audit.AppendAsync(connection, tx, AuditEntry.By(caller, $"org:{org}", "revoke-token", new { id }), ct);
        await tx.CommitAsync(ct);
        return row.ToInfo(org);
    }

    /// <summary>The caller a token speaks for, or null when it is unknown, expired or revoked (all alike).</summary>
    public async Task<(Caller Caller, string TokenId)?> AuthenticateTokenAsync(string secret, CancellationToken ct = default)
    {
        if (!Secrets.LooksLikeToken(secret)) return null;
        await using var connection = await db.OpenAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<(string Id, string Name, string Role, long? ExpiresAt, long? RevokedAt, long? LastUsedAt,
            long OrgId, string Org, string Kind)>(
            """
            SELECT t.id, t.name, t.role, t.expires_at, t.revoked_at, t.last_used_at, o.id, o.name, o.kind
            FROM tokens t JOIN orgs o ON o.id = t.org_id WHERE t.secret_sha256 = @hash
            """, new { hash = Secrets.TokenHash(secret) });
        var now = Now;
        if (row.Id is null || row.RevokedAt is not null || row.ExpiresAt is { } e && e <= now) return null;
        if (row.LastUsedAt is not { } used || now - used >= (long)LastUseResolution.TotalMilliseconds)
            await connection.ExecuteAsync("UPDATE tokens SET last_used_at = @now WHERE id = @id", new { now, id = row.Id });
        return (new Caller(row.OrgId, row.Org, AccessNames.ParseKind(row.Kind), AccessNames.ParseRole(row.Role), $"token:{row.Id} ({row.Name})"),
            row.Id);
    }

    internal static async Task<NewToken> InsertTokenAsync(
        DbConnection connection, DbTransaction tx, long orgId, string org, string name, Role role, DateTimeOffset? expiresAt, string createdBy,
        long now)
    {
        var secret = Secrets.NewToken();
        var id = Secrets.NewId();
        await connection.ExecuteAsync(
            """
            INSERT INTO tokens (id, org_id, name, role, secret_sha256, created_by, created_at, expires_at)
            VALUES (@id, @orgId, @name, @role, @hash, @createdBy, @now, @expires)
            """,
            new
            {
                id, orgId, name, role = role.Name(), hash = Secrets.TokenHash(secret), createdBy, now, expires = expiresAt?.ToUnixTimeMilliseconds(),
            }, tx);
        return new NewToken(new TokenInfo(id, org, name, role, createdBy, FromMs(now), expiresAt, null, null), secret);
    }


    long Now => time.GetUtcNow().ToUnixTimeMilliseconds();

    static DateTimeOffset FromMs(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    sealed record TokenRow(
        string id, string name, string role, string created_by, long created_at, long? expires_at, long? revoked_at, long? last_used_at)
    {
        public TokenInfo ToInfo(string org) => new(id, org, name, AccessNames.ParseRole(role), created_by, FromMs(created_at),
            expires_at is { } e ? FromMs(e) : null, revoked_at is { } r ? FromMs(r) : null, last_used_at is { } u ? FromMs(u) : null);
    }
}
