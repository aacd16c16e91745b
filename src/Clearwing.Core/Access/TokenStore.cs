using System.Data.Common;
using Clearwing.Storage;
using Dapper;

namespace Clearwing.Access;

/// <summary>
/// An API token as listed: never its secret; its org, role, who made it, the member it speaks for (removing them revokes it;
/// null for a token the database's administrator made for no one), and its expiry, revocation and last use.
/// </summary>
public sealed record TokenInfo(string Id, string Org, string Name, Role Role, string CreatedBy, string? Member, DateTimeOffset CreatedAt,
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

    /// <summary>
    /// Creates a token of <paramref name="org"/>. It speaks for the member behind <paramref name="caller"/> (the member
    /// themself, or the member a caller's token speaks for), so removing that member revokes it. <paramref name="member"/>
    /// names that member explicitly: any member of the org for a caller that speaks for no member (the database's
    /// administrator on the CLI), only themself otherwise, so no one makes a token that outlives their own removal.
    /// </summary>
    public async Task<NewToken> CreateTokenAsync(
        Caller caller, string org, string name, Role role, DateTimeOffset? expiresAt, string? member = null, CancellationToken ct = default)
    {
        name = OrgStore.RequireName(name, "token name");
        if (expiresAt is { } e && e <= time.GetUtcNow()) throw new BadInputException($"The expiry {e:O} is in the past.");
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await db.BeginAsync(connection, ct);
        var orgId = await OrgStore.ManagedOrgAsync(connection, tx, caller, org);
        var speaksFor = await CallerMemberAsync(connection, tx, caller);
        if (member is not null)
        {
            member = MemberStore.RequireLogin(member);
            if (speaksFor is { } s && (s.Login != member || s.OrgId != orgId))
                throw new AccessDeniedException($"You speak for member '{s.Login}' and may make tokens only for yourself, not for '{member}'.");
            if (await connection.ExecuteScalarAsync<long?>(
                    "SELECT id FROM members WHERE org_id = @orgId AND login = @member", new { orgId, member }, tx) is null)
                throw new NotFoundException($"No member '{member}' in org '{org}'.");
            speaksFor = (member, orgId);
        }
        var token = await InsertTokenAsync(connection, tx, orgId, org, name, role, expiresAt, caller.Actor, speaksFor, Now);
        await audit.AppendAsync(connection, tx, AuditEntry.By(caller, $"org:{org}", "create-token",
            new { id = token.Token.Id, role = role.Name(), member = speaksFor?.Login, expiresAt = expiresAt?.ToUnixTimeMilliseconds() }), ct);
        await tx.CommitAsync(ct);
        return token;
    }

    public async Task<IReadOnlyList<TokenInfo>> ListTokensAsync(Caller caller, string org, CancellationToken ct = default)
    {
        await using var connection = await db.OpenAsync(ct);
        var orgId = await OrgStore.VisibleOrgAsync(connection, caller, org);
        if (caller.Role != Role.Admin) throw new AccessDeniedException($"Only admins list org '{org}''s tokens; you are {caller.Role.Name()}.");
        var rows = await connection.QueryAsync<TokenRow>(
            $"SELECT {Columns} FROM tokens " +
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
            $"SELECT {Columns} FROM tokens WHERE id = @id", new { id }, tx);
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

    /// <summary>The member <paramref name="caller"/> speaks for — a member's own login, the member behind a token — with the
    /// member's org (a login may be in several), or null.</summary>
    static async Task<(string Login, long OrgId)?> CallerMemberAsync(DbConnection connection, DbTransaction tx, Caller caller)
    {
        if (caller.Actor.StartsWith("member:", StringComparison.Ordinal)) return (caller.Actor["member:".Length..], caller.OrgId);
        // "token:ID (NAME)": the id is what AuthenticateTokenAsync put there.
        if (!caller.Actor.StartsWith("token:", StringComparison.Ordinal)) return null;
        var id = caller.Actor["token:".Length..].Split(' ')[0];
        var (login, orgId) = await connection.QuerySingleOrDefaultAsync<(string? Login, long? OrgId)>(
            "SELECT made_by_member, made_by_member_org FROM tokens WHERE id = @id", new { id }, tx);
        return login is null || orgId is null ? null : (login, orgId.Value);
    }

    internal static async Task<NewToken> InsertTokenAsync(
        DbConnection connection, DbTransaction tx, long orgId, string org, string name, Role role, DateTimeOffset? expiresAt, string createdBy,
        (string Login, long OrgId)? member, long now)
    {
        var secret = Secrets.NewToken();
        var id = Secrets.NewId();
        await connection.ExecuteAsync(
            """
            INSERT INTO tokens (id, org_id, name, role, secret_sha256, created_by, made_by_member, made_by_member_org, created_at, expires_at)
            VALUES (@id, @orgId, @name, @role, @hash, @createdBy, @member, @memberOrg, @now, @expires)
            """,
            new
            {
                id, orgId, name, role = role.Name(), hash = Secrets.TokenHash(secret), createdBy, member = member?.Login,
                memberOrg = member?.OrgId, now,
                expires = expiresAt?.ToUnixTimeMilliseconds(),
            }, tx);
        return new NewToken(new TokenInfo(id, org, name, role, createdBy, member?.Login, FromMs(now), expiresAt, null, null), secret);
    }


    const string Columns = "id, name, role, created_by, made_by_member, created_at, expires_at, revoked_at, last_used_at";

    long Now => time.GetUtcNow().ToUnixTimeMilliseconds();

    static DateTimeOffset FromMs(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    sealed record TokenRow(
        string id, string name, string role, string created_by, string? made_by_member, long created_at, long? expires_at, long? revoked_at,
        long? last_used_at)
    {
        public TokenInfo ToInfo(string org) => new(id, org, name, AccessNames.ParseRole(role), created_by, made_by_member, FromMs(created_at),
            expires_at is { } e ? FromMs(e) : null, revoked_at is { } r ? FromMs(r) : null, last_used_at is { } u ? FromMs(u) : null);
    }
}
