using System.Text;
using System.Security.Cryptography;
using System.Data.Common;
using Clearwing.Storage;
using Dapper;

namespace Clearwing.Access;

public sealed record OrgInfo(string Name, OrgKind Kind, DateTimeOffset CreatedAt);

public sealed record MemberInfo(string Login, string Org, Role Role, bool CanLogIn, DateTimeOffset? LockedUntil, DateTimeOffset CreatedAt);

public sealed record TokenInfo(string Id, string Org, string Name, Role Role, string CreatedBy, DateTimeOffset CreatedAt,
    DateTimeOffset? ExpiresAt, DateTimeOffset? RevokedAt, DateTimeOffset? LastUsedAt);

/// <summary>A token as created: <see cref="Secret"/> is shown this once and never stored.</summary>
public sealed record NewToken(TokenInfo Token, string Secret);

/// <summary>What <c>admin init</c> made. <see cref="Password"/> is set only when one was generated.</summary>
public sealed record InitResult(OrgInfo Org, MemberInfo Admin, string? Password, NewToken Token);

/// <summary>The outcome of a password login: a caller, or why not (never which of login or password was wrong).</summary>
public sealed record LoginResult(Caller? Caller, DateTimeOffset? LockedUntil, string? SessionStamp = null)
{
    public bool Succeeded => Caller is not null;
}

/// <summary>
/// Orgs, members and API tokens, and turning a token or a password into a <see cref="Caller"/>. Who may
/// manage what: the coordinator's admins manage every org; an org's own admins manage its members and
/// tokens; nobody else manages anything.
/// </summary>
public sealed class AccessStore(Database db, TimeProvider time)
{
    readonly AuditLog _audit = new(db, time);

    /// <summary>Failed logins in a row before the login locks.</summary>
    public const int LockoutThreshold = 5;
    public static readonly TimeSpan LockoutDuration = TimeSpan.FromMinutes(15);
    /// <summary>A token's last use is written at most this often: reads should not each cost a write.</summary>
    static readonly TimeSpan LastUseResolution = TimeSpan.FromMinutes(1);

    long Now => time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>
    /// On an empty database: the coordinator org, its first admin (with the given password, or a generated
    /// one) and an admin token. Refused once any org exists.
    /// </summary>
    public async Task<InitResult> InitAsync(string orgName, string adminLogin, string? password, CancellationToken ct = default)
    {
        orgName = RequireName(orgName, "org name");
        adminLogin = RequireLogin(adminLogin);
        var generated = password is null ? Secrets.NewPassword() : null;
        var hash = Secrets.HashPassword(password ?? generated!);
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await db.BeginAsync(connection, ct);
        if (await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM orgs", transaction: tx) > 0)
            throw new InvalidOperationException("This database is already initialized: it has orgs. Use 'clearwing orgs', 'members' and 'tokens' to manage them.");
        var orgId = await InsertOrgAsync(connection, tx, orgName, OrgKind.Coordinator);
        var member = await InsertMemberAsync(connection, tx, orgId, orgName, adminLogin, Role.Admin, hash);
        var token = await InsertTokenAsync(connection, tx, orgId, orgName, $"{adminLogin} (admin init)", Role.Admin, null, $"member:{adminLogin}");
        await _audit.AppendAsync(connection, tx, AuditEntry.By(Caller.Local, $"org:{orgName}", "init", new { admin = adminLogin, token = token.Token.Id }), ct);
        await tx.CommitAsync(ct);
        return new InitResult(new OrgInfo(orgName, OrgKind.Coordinator, FromMs(Now)), member, generated, token);
    }

    public async Task<OrgInfo> CreateOrgAsync(Caller caller, string name, OrgKind kind, CancellationToken ct = default)
    {
        RequireCoordinatorAdmin(caller, "create orgs");
        name = RequireName(name, "org name");
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await db.BeginAsync(connection, ct);
        if (await connection.ExecuteScalarAsync<long?>("SELECT id FROM orgs WHERE name = @name", new { name }, tx) is not null)
            throw new BadInputException($"An org named '{name}' already exists.");
        await InsertOrgAsync(connection, tx, name, kind);
        await _audit.AppendAsync(connection, tx, AuditEntry.By(caller, $"org:{name}", "create-org", new { kind = kind.Name() }), ct);
        await tx.CommitAsync(ct);
        return new OrgInfo(name, kind, FromMs(Now));
    }

    /// <summary>Every org for the coordinator; one's own org for anyone else.</summary>
    public async Task<IReadOnlyList<OrgInfo>> ListOrgsAsync(Caller caller, CancellationToken ct = default)
    {
        await using var connection = await db.OpenAsync(ct);
        var rows = await connection.QueryAsync<(string Name, string Kind, long CreatedAt)>(
            $"SELECT name, kind, created_at FROM orgs {(caller.IsCoordinator ? "" : "WHERE id = @callerOrg")} ORDER BY name",
            new { callerOrg = caller.OrgId });
        return rows.Select(r => new OrgInfo(r.Name, AccessNames.ParseKind(r.Kind), FromMs(r.CreatedAt))).ToList();
    }

    public async Task<MemberInfo> AddMemberAsync(Caller caller, string org, string login, Role role, string? password, CancellationToken ct = default)
    {
        login = RequireLogin(login);
        if (password is not null) Secrets.CheckPassword(password);
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await db.BeginAsync(connection, ct);
        var orgId = await ManagedOrgAsync(connection, tx, caller, org);
        // Hashed only once the caller is known to be allowed: 600,000 rounds are not free work to hand out.
        var hash = password is null ? null : Secrets.HashPassword(password);
        if (await connection.ExecuteScalarAsync<long?>("SELECT id FROM members WHERE login = @login", new { login }, tx) is not null)
            throw new BadInputException($"A member with login '{login}' already exists.");
        var member = await InsertMemberAsync(connection, tx, orgId, org, login, role, hash);
        await _audit.AppendAsync(connection, tx, AuditEntry.By(caller, $"org:{org}", "add-member", new { login, role = role.Name() }), ct);
        await tx.CommitAsync(ct);
        return member;
    }

    public async Task<IReadOnlyList<MemberInfo>> ListMembersAsync(Caller caller, string org, CancellationToken ct = default)
    {
        await using var connection = await db.OpenAsync(ct);
        var orgId = await VisibleOrgAsync(connection, caller, org);
        var rows = await connection.QueryAsync<(string Login, string Role, string? Hash, long? LockedUntil, long CreatedAt)>(
            "SELECT login, role, password_hash, locked_until, created_at FROM members WHERE org_id = @orgId ORDER BY login", new { orgId });
        return rows.Select(r => new MemberInfo(r.Login, org, AccessNames.ParseRole(r.Role), r.Hash is not null,
            r.LockedUntil is { } l && l > Now ? FromMs(l) : null, FromMs(r.CreatedAt))).ToList();
    }

    public async Task RemoveMemberAsync(Caller caller, string org, string login, CancellationToken ct = default)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await db.BeginAsync(connection, ct);
        var orgId = await ManagedOrgAsync(connection, tx, caller, org);
        if (await connection.ExecuteAsync("DELETE FROM members WHERE org_id = @orgId AND login = @login", new { orgId, login = login.Trim().ToLowerInvariant() }, tx) == 0)
            throw new NotFoundException($"No member '{login}' in org '{org}'.");
        // Tokens outlive sessions; the ones a departing member made leave with them.
        var revoked = await connection.ExecuteAsync(
            "UPDATE tokens SET revoked_at = @now WHERE created_by = @createdBy AND revoked_at IS NULL",
            new { now = Now, createdBy = $"member:{login.Trim().ToLowerInvariant()}" }, tx);
        await _audit.AppendAsync(connection, tx, AuditEntry.By(caller, $"org:{org}", "remove-member", new { login, revokedTokens = revoked }), ct);
        await tx.CommitAsync(ct);
    }

    public async Task<NewToken> CreateTokenAsync(Caller caller, string org, string name, Role role, DateTimeOffset? expiresAt, CancellationToken ct = default)
    {
        name = RequireName(name, "token name");
        if (expiresAt is { } e && e <= time.GetUtcNow()) throw new BadInputException($"The expiry {e:O} is in the past.");
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await db.BeginAsync(connection, ct);
        var orgId = await ManagedOrgAsync(connection, tx, caller, org);
        var token = await InsertTokenAsync(connection, tx, orgId, org, name, role, expiresAt, caller.Actor);
        await _audit.AppendAsync(connection, tx, AuditEntry.By(caller, $"org:{org}", "create-token",
            new { id = token.Token.Id, name, role = role.Name(), expiresAt = expiresAt?.ToUnixTimeMilliseconds() }), ct);
        await tx.CommitAsync(ct);
        return token;
    }

    public async Task<IReadOnlyList<TokenInfo>> ListTokensAsync(Caller caller, string org, CancellationToken ct = default)
    {
        await using var connection = await db.OpenAsync(ct);
        var orgId = await VisibleOrgAsync(connection, caller, org);
        if (caller.Role != Role.Admin) throw new AccessDeniedException($"Only admins list org '{org}''s tokens; you are {caller.Role.Name()}.");
        var rows = await connection.QueryAsync<TokenRow>(
            "SELECT id, name, role, created_by, created_at, expires_at, revoked_at, last_used_at FROM tokens WHERE org_id = @orgId ORDER BY created_at, id",
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
        await _audit.AppendAsync(connection, tx, AuditEntry.By(caller, $"org:{org}", "revoke-token", new { id }), ct);
        await tx.CommitAsync(ct);
        return row.ToInfo(org);
    }

    /// <summary>The caller a token speaks for, or null when it is unknown, expired or revoked (all alike).</summary>
    public async Task<(Caller Caller, string TokenId)?> AuthenticateTokenAsync(string secret, CancellationToken ct = default)
    {
        if (!Secrets.LooksLikeToken(secret)) return null;
        await using var connection = await db.OpenAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<(string Id, string Name, string Role, long? ExpiresAt, long? RevokedAt, long? LastUsedAt, long OrgId, string Org, string Kind)>(
            """
            SELECT t.id, t.name, t.role, t.expires_at, t.revoked_at, t.last_used_at, o.id, o.name, o.kind
            FROM tokens t JOIN orgs o ON o.id = t.org_id WHERE t.secret_sha256 = @hash
            """, new { hash = Secrets.TokenHash(secret) });
        var now = Now;
        if (row.Id is null || row.RevokedAt is not null || row.ExpiresAt is { } e && e <= now) return null;
        if (row.LastUsedAt is not { } used || now - used >= (long)LastUseResolution.TotalMilliseconds)
            await connection.ExecuteAsync("UPDATE tokens SET last_used_at = @now WHERE id = @id", new { now, id = row.Id });
        return (new Caller(row.OrgId, row.Org, AccessNames.ParseKind(row.Kind), AccessNames.ParseRole(row.Role), $"token:{row.Id} ({row.Name})"), row.Id);
    }

    /// <summary>
    /// A password login. After <see cref="LockoutThreshold"/> failures in a row the login is locked for
    /// <see cref="LockoutDuration"/>, during which even the right password is refused.
    /// </summary>
    public async Task<LoginResult> LoginAsync(string login, string password, CancellationToken ct = default)
    {
        login = login.Trim().ToLowerInvariant();
        await using var connection = await db.OpenAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<(long Id, string Role, string? Hash, string Stamp, long OrgId, string Org, string Kind)>(
            """
            SELECT m.id, m.role, m.password_hash, m.session_stamp, o.id, o.name, o.kind
            FROM members m JOIN orgs o ON o.id = m.org_id WHERE m.login = @login
            """, new { login });
        // No stored password is that long (Secrets.CheckPassword), and hashing megabytes would be free work for an attacker.
        var ok = password.Length <= 1024 && Secrets.VerifyPassword(password, row.Hash);
        var now = Now;
        if (row.Id == 0) return new LoginResult(null, null);
        // Decided by conditional updates after the slow hash, not by what was read before it: attempts in
        // flight while the lock is set neither count nor succeed.
        const string Unlocked = "(locked_until IS NULL OR locked_until <= @now)";
        if (!ok)
        {
            var failures = await connection.ExecuteScalarAsync<long?>(
                $"UPDATE members SET failed_logins = failed_logins + 1 WHERE id = @id AND {Unlocked} RETURNING failed_logins", new { id = row.Id, now });
            if (failures is null) return new LoginResult(null, await LockedUntilAsync(connection, row.Id));
            if (failures < LockoutThreshold) return new LoginResult(null, null);
            var lockUntil = now + (long)LockoutDuration.TotalMilliseconds;
            await connection.ExecuteAsync($"UPDATE members SET failed_logins = 0, locked_until = @lockUntil WHERE id = @id AND {Unlocked}", new { lockUntil, id = row.Id, now });
            await _audit.AppendAsync(new AuditEntry($"member:{login}", row.Org, $"member:{login}", "lockout", new { failures, lockedUntil = lockUntil }), ct);
            return new LoginResult(null, FromMs(lockUntil));
        }
        if (await connection.ExecuteAsync($"UPDATE members SET failed_logins = 0, locked_until = NULL WHERE id = @id AND {Unlocked}", new { id = row.Id, now }) == 0)
            return new LoginResult(null, await LockedUntilAsync(connection, row.Id));
        await _audit.AppendAsync(new AuditEntry($"member:{login}", row.Org, $"member:{login}", "login"), ct);
        return new LoginResult(new Caller(row.OrgId, row.Org, AccessNames.ParseKind(row.Kind), AccessNames.ParseRole(row.Role), $"member:{login}"), null, row.Stamp);
    }

    static async Task<DateTimeOffset?> LockedUntilAsync(DbConnection connection, long id) =>
        await connection.ExecuteScalarAsync<long?>("SELECT locked_until FROM members WHERE id = @id", new { id }) is { } until ? FromMs(until) : null;

    /// <summary>A member as a caller, with their current org and role; null when the member no longer exists.</summary>
    public async Task<Caller?> MemberCallerAsync(string login, CancellationToken ct = default) =>
        (await MemberAsync(login, ct))?.Caller;

    /// <summary>A member as a caller, if <paramref name="stamp"/> is still their session stamp; else null.</summary>
    public async Task<Caller?> SessionCallerAsync(string login, string stamp, CancellationToken ct = default) =>
        await MemberAsync(login, ct) is { } member && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(member.Stamp), Encoding.UTF8.GetBytes(stamp))
            ? member.Caller : null;

    async Task<(Caller Caller, string Stamp)?> MemberAsync(string login, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<(string Role, string Stamp, long OrgId, string Org, string Kind)>(
            "SELECT m.role, m.session_stamp, o.id, o.name, o.kind FROM members m JOIN orgs o ON o.id = m.org_id WHERE m.login = @login", new { login });
        return row.Role is null ? null
            : (new Caller(row.OrgId, row.Org, AccessNames.ParseKind(row.Kind), AccessNames.ParseRole(row.Role), $"member:{login}"), row.Stamp);
    }

    /// <summary>Ends every session of a member (logout ends them everywhere; so does a new password).</summary>
    public async Task EndSessionsAsync(string login, CancellationToken ct = default)
    {
        await using var connection = await db.OpenAsync(ct);
        await connection.ExecuteAsync("UPDATE members SET session_stamp = @stamp WHERE login = @login", new { stamp = Secrets.NewId(), login });
    }

    /// <summary>Sets a member's password: the member themself, their org's admins, or the coordinator's admins.</summary>
    public async Task SetPasswordAsync(Caller caller, string login, string password, CancellationToken ct = default)
    {
        login = login.Trim().ToLowerInvariant();
        Secrets.CheckPassword(password);
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await db.BeginAsync(connection, ct);
        var (orgId, org) = await connection.QuerySingleOrDefaultAsync<(long, string)>(
            "SELECT o.id, o.name FROM members m JOIN orgs o ON o.id = m.org_id WHERE m.login = @login", new { login }, tx);
        var self = caller.Actor == $"member:{login}";
        // Another org's member is "not found", and the message must not name their org either.
        if (org is null || !self && !caller.IsCoordinator && orgId != caller.OrgId) throw new NotFoundException($"No member '{login}'.");
        if (!self && caller.Role != Role.Admin) throw new AccessDeniedException($"Only admins set passwords of org '{org}''s members; you are {caller.Role.Name()}.");
        // Hashed only once the caller is known to be allowed.
        var hash = Secrets.HashPassword(password);
        await connection.ExecuteAsync("UPDATE members SET password_hash = @hash, failed_logins = 0, locked_until = NULL, session_stamp = @stamp WHERE login = @login",
            new { hash, login, stamp = Secrets.NewId() }, tx);
        await _audit.AppendAsync(connection, tx, AuditEntry.By(caller, $"org:{org}", "set-password", new { login }), ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>The id of an org the caller may manage: any for the coordinator's admins, its own for an org admin.</summary>
    static async Task<long> ManagedOrgAsync(DbConnection connection, DbTransaction tx, Caller caller, string org)
    {
        var orgId = await connection.ExecuteScalarAsync<long?>("SELECT id FROM orgs WHERE name = @org", new { org }, tx);
        if (orgId is null || !caller.IsCoordinator && orgId != caller.OrgId) throw new NotFoundException($"No org '{org}'.");
        if (caller.Role != Role.Admin) throw new AccessDeniedException($"Only admins manage org '{org}'; you are {caller.Role.Name()}.");
        return orgId.Value;
    }

    /// <summary>The id of an org the caller may see: any for the coordinator, its own otherwise; others are "not found".</summary>
    static async Task<long> VisibleOrgAsync(DbConnection connection, Caller caller, string org)
    {
        var orgId = await connection.ExecuteScalarAsync<long?>("SELECT id FROM orgs WHERE name = @org", new { org });
        if (orgId is null || !caller.IsCoordinator && orgId != caller.OrgId) throw new NotFoundException($"No org '{org}'.");
        return orgId.Value;
    }

    static void RequireCoordinatorAdmin(Caller caller, string what)
    {
        if (!caller.IsCoordinator || caller.Role != Role.Admin) throw new AccessDeniedException($"Only the coordinator's admins may {what}.");
    }

    async Task<long> InsertOrgAsync(DbConnection connection, DbTransaction tx, string name, OrgKind kind) =>
        await connection.ExecuteScalarAsync<long>(
            "INSERT INTO orgs (name, kind, created_at) VALUES (@name, @kind, @now) RETURNING id", new { name, kind = kind.Name(), now = Now }, tx);

    async Task<MemberInfo> InsertMemberAsync(DbConnection connection, DbTransaction tx, long orgId, string org, string login, Role role, string? hash)
    {
        var now = Now;
        await connection.ExecuteAsync(
            "INSERT INTO members (org_id, login, role, password_hash, session_stamp, created_at) VALUES (@orgId, @login, @role, @hash, @stamp, @now)",
            new { orgId, login, role = role.Name(), hash, stamp = Secrets.NewId(), now }, tx);
        return new MemberInfo(login, org, role, hash is not null, null, FromMs(now));
    }

    async Task<NewToken> InsertTokenAsync(DbConnection connection, DbTransaction tx, long orgId, string org, string name, Role role, DateTimeOffset? expiresAt, string createdBy)
    {
        var secret = Secrets.NewToken();
        var id = Secrets.NewId();
        var now = Now;
        await connection.ExecuteAsync(
            """
            INSERT INTO tokens (id, org_id, name, role, secret_sha256, created_by, created_at, expires_at)
            VALUES (@id, @orgId, @name, @role, @hash, @createdBy, @now, @expires)
            """,
            new { id, orgId, name, role = role.Name(), hash = Secrets.TokenHash(secret), createdBy, now, expires = expiresAt?.ToUnixTimeMilliseconds() }, tx);
        return new NewToken(new TokenInfo(id, org, name, role, createdBy, FromMs(now), expiresAt, null, null), secret);
    }

    static string RequireName(string value, string what)
    {
        value = value.Trim();
        if (value.Length is 0 or > 200 || value.Any(char.IsControl)) throw new BadInputException($"The {what} must be 1 to 200 printable characters.");
        return value;
    }

    static string RequireLogin(string login)
    {
        login = login.Trim().ToLowerInvariant();
        if (login.Length is 0 or > 254 || login.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
            throw new BadInputException($"The login '{login}' must be 1 to 254 characters without spaces (an email address or a user name).");
        return login;
    }

    static DateTimeOffset FromMs(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    sealed record TokenRow(string id, string name, string role, string created_by, long created_at, long? expires_at, long? revoked_at, long? last_used_at)
    {
        public TokenInfo ToInfo(string org) => new(id, org, name, AccessNames.ParseRole(role), created_by, FromMs(created_at),
            expires_at is { } e ? FromMs(e) : null, revoked_at is { } r ? FromMs(r) : null, last_used_at is { } u ? FromMs(u) : null);
    }
}
