using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using Clearwing.Storage;
using Dapper;

namespace Clearwing.Access;

/// <summary>A member of an org: login, role, whether they may log in to the web, and the latest lockout in force from any address.</summary>
public sealed record MemberInfo(string Login, string Org, Role Role, bool CanLogIn, DateTimeOffset? LockedUntil, DateTimeOffset CreatedAt);

/// <summary>The outcome of a password login: a caller, or why not (never which of login or password was wrong).</summary>
public sealed record LoginResult(Caller? Caller, DateTimeOffset? LockedUntil, string? SessionStamp = null)
{
    public bool Succeeded => Caller is not null;
}

/// <summary>
/// Members of orgs and their passwords: who may log in to the web, lockout after repeated failures, sessions and the
/// stamps that end them. An org's admins manage its members, the coordinator's admins every org's.
/// </summary>
public sealed class MemberStore(Database db, AuditLog audit, TimeProvider time)
{
    /// <summary>Failed logins in a row before the login locks.</summary>
    public const int LockoutThreshold = 5;
    public static readonly TimeSpan LockoutDuration = TimeSpan.FromMinutes(15);

    public async Task<MemberInfo> AddMemberAsync(Caller caller, string org, string login, Role role, string? password, CancellationToken ct = default)
    {
        login = RequireLogin(login);
        if (password is not null) Secrets.CheckPassword(password);
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await db.BeginAsync(connection, ct);
        var orgId = await OrgStore.ManagedOrgAsync(connection, tx, caller, org);
        // Hashed only once the caller is known to be allowed: 600,000 rounds are not free work to hand out.
        var hash = password is null ? null : Secrets.HashPassword(password);
        // Only this org's members are asked about: a login may be in several orgs, so that adding one here says nothing of
        // the others (docs/access.md, "Logins").
        if (await connection.ExecuteScalarAsync<long?>(
                "SELECT id FROM members WHERE org_id = @orgId AND login = @login", new { orgId, login }, tx) is not null)
            throw new BadInputException($"'{login}' is already a member of org '{org}'.");
        var member = await InsertMemberAsync(connection, tx, orgId, org, login, role, hash, Now);
        await audit.AppendAsync(connection, tx, AuditEntry.By(caller, $"org:{org}", "add-member", new { login, role = role.Name() }), ct);
        await tx.CommitAsync(ct);
        return member;
    }

    public async Task<IReadOnlyList<MemberInfo>> ListMembersAsync(Caller caller, string org, CancellationToken ct = default)
    {
        await using var connection = await db.OpenAsync(ct);
        var orgId = await OrgStore.VisibleOrgAsync(connection, caller, org);
        var rows = (await connection.QueryAsync<(string Login, string Role, string? Hash, long CreatedAt)>(
            "SELECT login, role, password_hash, created_at FROM members WHERE org_id = @orgId ORDER BY login", new { orgId })).ToList();
        // The latest lock in force from any address: the member is locked out from there, not everywhere.
        var locks = (await connection.QueryAsync<(string LoginHash, long Until)>(
                "SELECT login_hash, max(locked_until) FROM login_failures WHERE locked_until > @now GROUP BY login_hash", new { now = Now }))
            .ToDictionary(l => l.LoginHash, l => l.Until);
        return rows.Select(r => new MemberInfo(r.Login, org, AccessNames.ParseRole(r.Role), r.Hash is not null,
            locks.TryGetValue(LoginHash(r.Login), out var l) ? FromMs(l) : null, FromMs(r.CreatedAt))).ToList();
    }

    public async Task RemoveMemberAsync(Caller caller, string org, string login, CancellationToken ct = default)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await db.BeginAsync(connection, ct);
        var orgId = await OrgStore.ManagedOrgAsync(connection, tx, caller, org);
        login = login.Trim().ToLowerInvariant();
        if (await connection.ExecuteAsync("DELETE FROM members WHERE org_id = @orgId AND login = @login", new { orgId, login }, tx) == 0)
            throw new NotFoundException($"No member '{login}' in org '{org}'.");
        // Tokens outlive sessions; every token that speaks for the departing member leaves with them: the ones they made,
        // those made with those, and those made for them on the CLI (TokenStore.CreateTokenAsync keeps made_by_member).
        var revoked = await connection.ExecuteAsync(
            "UPDATE tokens SET revoked_at = @now WHERE made_by_member = @login AND made_by_member_org = @orgId AND revoked_at IS NULL",
            new { now = Now, login, orgId }, tx);
        await audit.AppendAsync(connection, tx, AuditEntry.By(caller, $"org:{org}", "remove-member", new { login, revokedTokens = revoked }), ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>
    /// A password login from client <paramref name="address"/>. After <see cref="LockoutThreshold"/> failures in a row from
    /// one address the login is locked for that address for <see cref="LockoutDuration"/>, during which even the right
    /// password is refused from there; other addresses are not affected, so a guesser who knows a login cannot keep its
    /// member out (docs/access.md, "Passwords"). Unknown logins are counted alike, so they cost the same work.
    /// A login held in several orgs needs <paramref name="org"/>; without it, it is refused as an unknown login is.
    /// </summary>
    public async Task<LoginResult> LoginAsync(string login, string password, string address, string? org = null, CancellationToken ct = default)
    {
        login = login.Trim().ToLowerInvariant();
        await using var connection = await db.OpenAsync(ct);
        var rows = (await connection.QueryAsync<(long Id, string Role, string? Hash, string Stamp, long OrgId, string Org, string Kind)>(
            $"""
            SELECT m.id, m.role, m.password_hash, m.session_stamp, o.id, o.name, o.kind
            FROM members m JOIN orgs o ON o.id = m.org_id WHERE m.login = @login {(org is null ? "" : "AND o.name = @org")}
            ORDER BY m.id LIMIT 2
            """, new { login, org })).ToList();
        // Which of several orgs is meant is not guessed; the answer and its cost are an unknown login's, so that they do
        // not tell a guesser the login is in more than one org.
        var row = rows.Count == 1 ? rows[0] : default;
        // The full check runs whether or not the login exists and however long the password is (Secrets.VerifyPassword).
        var ok = Secrets.VerifyPassword(password, row.Hash) && row.Id != 0;
        var now = Now;
        var (loginHash, key) = (LoginHash(login), Secrets.TokenHash(login + "\n" + address));
        // Decided by conditional statements after the slow hash, not by what was read before it: attempts in
        // flight while the lock is set neither count nor succeed.
        if (!ok)
        {
            var failures = await connection.ExecuteScalarAsync<long?>(
                """
                INSERT INTO login_failures (login_address_hash, login_hash, failures, last_failed_at) VALUES (@key, @loginHash, 1, @now)
                ON CONFLICT (login_address_hash) DO UPDATE SET failures = login_failures.failures + 1, last_failed_at = @now
                WHERE login_failures.locked_until IS NULL OR login_failures.locked_until <= @now
                RETURNING failures
                """, new { key, loginHash, now });
            if (failures is null) return new LoginResult(null, await LockedUntilAsync(connection, key));
            // Failures of a day ago say nothing now; keeping them would let the table grow with every guess ever made.
            await connection.ExecuteAsync(
                "DELETE FROM login_failures WHERE last_failed_at < @old AND (locked_until IS NULL OR locked_until <= @now)",
                new { old = now - (long)TimeSpan.FromDays(1).TotalMilliseconds, now });
            if (failures < LockoutThreshold) return new LoginResult(null, null);
            var lockUntil = now + (long)LockoutDuration.TotalMilliseconds;
            await connection.ExecuteAsync(
                "UPDATE login_failures SET failures = 0, locked_until = @lockUntil WHERE login_address_hash = @key", new { lockUntil, key });
            if (row.Id != 0)
                await audit.AppendAsync(new AuditEntry($"member:{login}", row.Org, $"member:{login}", "lockout",
                    new { failures, lockedUntil = lockUntil, loginAddressHash = key }), ct);
            return new LoginResult(null, FromMs(lockUntil));
        }
        if (await LockedUntilAsync(connection, key) is { } locked && locked.ToUnixTimeMilliseconds() > now) return new LoginResult(null, locked);
        await connection.ExecuteAsync("DELETE FROM login_failures WHERE login_address_hash = @key", new { key });
        await audit.AppendAsync(new AuditEntry($"member:{login}", row.Org, $"member:{login}", "login"), ct);
        return new LoginResult(
            new Caller(row.OrgId, row.Org, AccessNames.ParseKind(row.Kind), AccessNames.ParseRole(row.Role), $"member:{login}"), null, row.Stamp);
    }

    static async Task<DateTimeOffset?> LockedUntilAsync(DbConnection connection, string key) =>
        await connection.ExecuteScalarAsync<long?>("SELECT locked_until FROM login_failures WHERE login_address_hash = @key", new { key })
            is { } until ? FromMs(until) : null;

    static string LoginHash(string login) => Secrets.TokenHash(login);

    /// <summary>The member <paramref name="login"/> of org <paramref name="orgId"/> as a caller, with their current role; null
    /// when there is no such member (any more).</summary>
    public async Task<Caller?> MemberCallerAsync(long orgId, string login, CancellationToken ct = default) =>
        (await MemberAsync(orgId, login, ct))?.Caller;

    /// <summary>A member as a caller, if <paramref name="stamp"/> is still their session stamp; else null.</summary>
    public async Task<Caller?> SessionCallerAsync(long orgId, string login, string stamp, CancellationToken ct = default) =>
        await MemberAsync(orgId, login, ct) is { } member
            && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(member.Stamp), Encoding.UTF8.GetBytes(stamp))
            ? member.Caller : null;

    async Task<(Caller Caller, string Stamp)?> MemberAsync(long orgId, string login, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<(string Role, string Stamp, long OrgId, string Org, string Kind)>(
            """
            SELECT m.role, m.session_stamp, o.id, o.name, o.kind FROM members m JOIN orgs o ON o.id = m.org_id
            WHERE m.login = @login AND m.org_id = @orgId
            """, new { login, orgId });
        return row.Role is null ? null
            : (new Caller(row.OrgId, row.Org, AccessNames.ParseKind(row.Kind), AccessNames.ParseRole(row.Role), $"member:{login}"), row.Stamp);
    }

    /// <summary>Ends every session of a member (logout ends them everywhere; so does a new password).</summary>
    public async Task EndSessionsAsync(long orgId, string login, CancellationToken ct = default)
    {
        await using var connection = await db.OpenAsync(ct);
        await connection.ExecuteAsync("UPDATE members SET session_stamp = @stamp WHERE org_id = @orgId AND login = @login",
            new { stamp = Secrets.NewId(), orgId, login });
    }

    /// <summary>
    /// Sets a member's password: the member themself, who must give <paramref name="currentPassword"/> (a session left open
    /// on a shared machine must not be enough to take the account over), their org's admins, or the coordinator's admins.
    /// The member is <paramref name="login"/> of <paramref name="org"/>; without it, of the caller's own org, else (for the
    /// coordinator) of the one org that has it.
    /// </summary>
    public async Task SetPasswordAsync(
        Caller caller, string login, string password, string? currentPassword = null, string? org = null, CancellationToken ct = default)
    {
        login = login.Trim().ToLowerInvariant();
        Secrets.CheckPassword(password);
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await db.BeginAsync(connection, ct);
        var memberships = (await connection.QueryAsync<(long OrgId, string Org, string? Hash)>(
            "SELECT o.id, o.name, m.password_hash FROM members m JOIN orgs o ON o.id = m.org_id WHERE m.login = @login ORDER BY o.name",
            new { login }, tx)).ToList();
        // Only memberships the caller may manage are candidates: another org's member is "not found", and the message must
        // not name their org either.
        var candidates = memberships.Where(m => (org is null || m.Org == org) && (caller.IsCoordinator || m.OrgId == caller.OrgId)).ToList();
        var own = candidates.Where(m => m.OrgId == caller.OrgId).ToList();
        if (own.Count == 1) candidates = own;
        if (candidates.Count > 1)
            throw new BadInputException(
                $"'{login}' is a member of {candidates.Count} orgs ({string.Join(", ", candidates.Select(m => m.Org))}): name the org.");
        if (candidates.Count == 0) throw new NotFoundException($"No member '{login}'.");
        var (orgId, memberOrg, storedHash) = candidates[0];
        var self = caller.Actor == $"member:{login}" && caller.OrgId == orgId;
        if (!self && caller.Role != Role.Admin)
            throw new AccessDeniedException($"Only admins set passwords of org '{memberOrg}''s members; you are {caller.Role.Name()}.");
        if (self && currentPassword is null)
            throw new BadInputException("Changing your own password needs your current password (\"currentPassword\").");
        if (self && !Secrets.VerifyPassword(currentPassword!, storedHash))
            throw new AccessDeniedException("The current password is not right; the password is unchanged.");
        // Hashed only once the caller is known to be allowed.
        var hash = Secrets.HashPassword(password);
        await connection.ExecuteAsync(
            "UPDATE members SET password_hash = @hash, session_stamp = @stamp WHERE org_id = @orgId AND login = @login",
            new { hash, orgId, login, stamp = Secrets.NewId() }, tx);
        // A new password lifts every lock on the login (an admin's unlock): the guesses were against the old one.
        await connection.ExecuteAsync("DELETE FROM login_failures WHERE login_hash = @loginHash", new { loginHash = LoginHash(login) }, tx);
        await audit.AppendAsync(connection, tx, AuditEntry.By(caller, $"org:{memberOrg}", "set-password", new { login }), ct);
        await tx.CommitAsync(ct);
    }

    internal static async Task<MemberInfo> InsertMemberAsync(
        DbConnection connection, DbTransaction tx, long orgId, string org, string login, Role role, string? hash, long now)
    {
        await connection.ExecuteAsync(
            "INSERT INTO members (org_id, login, role, password_hash, session_stamp, created_at) VALUES (@orgId, @login, @role, @hash, @stamp, @now)",
            new { orgId, login, role = role.Name(), hash, stamp = Secrets.NewId(), now }, tx);
        return new MemberInfo(login, org, role, hash is not null, null, FromMs(now));
    }


    internal static string RequireLogin(string login)
    {
        login = login.Trim().ToLowerInvariant();
        if (login.Length is 0 or > 254 || login.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
            throw new BadInputException($"The login '{login}' must be 1 to 254 characters without spaces (an email address or a user name).");
        return login;
    }


    long Now => time.GetUtcNow().ToUnixTimeMilliseconds();

    static DateTimeOffset FromMs(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);
}
