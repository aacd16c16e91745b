using System.Data.Common;
using Clearwing.Storage;
using Dapper;

namespace Clearwing.Access;

/// <summary>An org as listed: its name and kind (coordinator, maintainer, validator, downstream).</summary>
public sealed record OrgInfo(string Name, OrgKind Kind, DateTimeOffset CreatedAt);

/// <summary>What <c>admin init</c> made. <see cref="Password"/> is set only when one was generated.</summary>
public sealed record InitResult(OrgInfo Org, MemberInfo Admin, string? Password, NewToken Token);

/// <summary>
/// Orgs: the first one (<see cref="InitAsync(string, string, string?, CancellationToken)"/>), the others, and which a caller may
/// see and manage. The coordinator's admins create orgs; every org sees itself, the coordinator sees all.
/// </summary>
public sealed class OrgStore(Database db, AuditLog audit, TimeProvider time)
{
    /// <summary>
    /// On an empty database: the coordinator org, its first admin (with the given password, or a generated
    /// one) and an admin token. Refused once any org exists.
    /// </summary>
    public async Task<InitResult> InitAsync(string orgName, string adminLogin, string? password, CancellationToken ct = default)
    {
        var generated = password is null ? Secrets.NewPassword() : null;
        var init = Init(orgName, adminLogin, password ?? generated!);
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await db.BeginAsync(connection, ct);
        var result = await InitAsync(connection, tx, init, generated, Caller.Local, null, ct);
        await tx.CommitAsync(ct);
        return result;
    }

    /// <summary>The first org's name, its admin's login and password hash, checked before any transaction opens.</summary>
    internal sealed record FirstOrg(string OrgName, string AdminLogin, string PasswordHash);

    /// <summary>Checks the names and the password and hashes it (600,000 rounds: outside any transaction where it can be).</summary>
    internal static FirstOrg Init(string orgName, string adminLogin, string password) =>
        new(RequireName(orgName, "org name"), MemberStore.RequireLogin(adminLogin), Secrets.HashPassword(password));

    /// <summary>
    /// The body of <see cref="InitAsync(string, string, string?, CancellationToken)"/> inside the caller's transaction, shared
    /// with the one-time setup code (<see cref="SetupCodeStore"/>): the coordinator org, its admin, an admin token, and the
    /// <c>init</c> event by <paramref name="by"/> (with <paramref name="via"/> when given). Refused once any org exists.
    /// </summary>
    internal async Task<InitResult> InitAsync(
        DbConnection connection, DbTransaction tx, FirstOrg init, string? generated, Caller by, string? via, CancellationToken ct)
    {
        var (orgName, adminLogin, hash) = init;
        if (await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM orgs", transaction: tx) > 0)
            throw new InvalidOperationException(
                "This database is already initialized: it has orgs. Use 'clearwing orgs', 'members' and 'tokens' to manage them.");
        var orgId = await InsertOrgAsync(connection, tx, orgName, OrgKind.Coordinator, Now);
        var member = await MemberStore.InsertMemberAsync(connection, tx, orgId, orgName, adminLogin, Role.Admin, hash, Now);
        var token = await TokenStore.InsertTokenAsync(
            connection, tx, orgId, orgName, $"{adminLogin} (admin init)", Role.Admin, null, $"member:{adminLogin}", (adminLogin, orgId), Now);
        await audit.AppendAsync(connection, tx, AuditEntry.By(by, $"org:{orgName}", "init",
            via is null ? new { admin = adminLogin, token = token.Token.Id } : new { admin = adminLogin, token = token.Token.Id, via }), ct);
        return new InitResult(new OrgInfo(orgName, OrgKind.Coordinator, FromMs(Now)), member, generated, token);
    }

    public async Task<OrgInfo> CreateOrgAsync(Caller caller, string name, OrgKind kind, CancellationToken ct = default)
    {
        caller.RequireCoordinatorAdmin("create orgs");
        name = RequireName(name, "org name");
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await db.BeginAsync(connection, ct);
        if (await connection.ExecuteScalarAsync<long?>("SELECT id FROM orgs WHERE name = @name", new { name }, tx) is not null)
            throw new BadInputException($"An org named '{name}' already exists.");
        await InsertOrgAsync(connection, tx, name, kind, Now);
        await audit.AppendAsync(connection, tx, AuditEntry.By(caller, $"org:{name}", "create-org", new { kind = kind.Name() }), ct);
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

    /// <summary>The id of an org the caller may manage: any for the coordinator's admins, its own for an org admin.</summary>
    internal static async Task<long> ManagedOrgAsync(DbConnection connection, DbTransaction tx, Caller caller, string org)
    {
        var orgId = await connection.ExecuteScalarAsync<long?>("SELECT id FROM orgs WHERE name = @org", new { org }, tx);
        if (orgId is null || !caller.IsCoordinator && orgId != caller.OrgId) throw new NotFoundException($"No org '{org}'.");
        if (caller.Role != Role.Admin) throw new AccessDeniedException($"Only admins manage org '{org}'; you are {caller.Role.Name()}.");
        return orgId.Value;
    }

    /// <summary>The id of an org the caller may see: any for the coordinator, its own otherwise; others are "not found".</summary>
    internal static async Task<long> VisibleOrgAsync(DbConnection connection, Caller caller, string org)
    {
        var orgId = await connection.ExecuteScalarAsync<long?>("SELECT id FROM orgs WHERE name = @org", new { org });
        if (orgId is null || !caller.IsCoordinator && orgId != caller.OrgId) throw new NotFoundException($"No org '{org}'.");
        return orgId.Value;
    }

    static async Task<long> InsertOrgAsync(DbConnection connection, DbTransaction tx, string name, OrgKind kind, long now) =>
        await connection.ExecuteScalarAsync<long>(
            "INSERT INTO orgs (name, kind, created_at) VALUES (@name, @kind, @now) RETURNING id", new { name, kind = kind.Name(), now }, tx);


    internal static string RequireName(string value, string what)
    {
        value = value.Trim();
        if (value.Length is 0 or > 200 || value.Any(char.IsControl))
            throw new BadInputException($"The {what} must be 1 to 200 printable characters.");
        return value;
    }


    long Now => time.GetUtcNow().ToUnixTimeMilliseconds();

    static DateTimeOffset FromMs(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);
}
