using Clearwing.Access;
using Clearwing.IntegrationTests.Support;

namespace Clearwing.IntegrationTests.Access;

/// <summary>The access stores (orgs, members, tokens) behind one name, so setting up callers reads as one step.</summary>
public sealed class AccessStores(IServiceProvider services)
{
    public OrgStore Orgs { get; } = services.Get<OrgStore>();
    public MemberStore Members { get; } = services.Get<MemberStore>();
    public TokenStore Tokens { get; } = services.Get<TokenStore>();

    public Task<InitResult> InitAsync(string org, string admin, string? password, CancellationToken ct) => Orgs.InitAsync(org, admin, password, ct);
    public Task<OrgInfo> CreateOrgAsync(Caller caller, string name, OrgKind kind, CancellationToken ct) => Orgs.CreateOrgAsync(caller, name, kind, ct);
    public Task<IReadOnlyList<OrgInfo>> ListOrgsAsync(Caller caller, CancellationToken ct) => Orgs.ListOrgsAsync(caller, ct);
    public Task<MemberInfo> AddMemberAsync(Caller caller, string org, string login, Role role, string? password, CancellationToken ct) =>
        Members.AddMemberAsync(caller, org, login, role, password, ct);
    public Task<IReadOnlyList<MemberInfo>> ListMembersAsync(Caller caller, string org, CancellationToken ct) => Members.ListMembersAsync(caller, org, ct);
    public Task RemoveMemberAsync(Caller caller, string org, string login, CancellationToken ct) => Members.RemoveMemberAsync(caller, org, login, ct);
    public Task SetPasswordAsync(Caller caller, string login, string password, CancellationToken ct, string? current = null, string? org = null) =>
        Members.SetPasswordAsync(caller, login, password, current, org, ct);
    public Task<LoginResult> LoginAsync(string login, string password, CancellationToken ct, string address = "192.0.2.1", string? org = null) =>
        Members.LoginAsync(login, password, address, org, ct);
    /// <summary>The member with <paramref name="login"/> as a caller, for tests whose logins are each in one org.</summary>
    public async Task<Caller?> MemberCallerAsync(string login, CancellationToken ct) =>
        await OrgOfAsync(login, ct) is { } orgId ? await Members.MemberCallerAsync(orgId, login, ct) : null;
    public async Task<Caller?> SessionCallerAsync(string login, string stamp, CancellationToken ct) =>
        await OrgOfAsync(login, ct) is { } orgId ? await Members.SessionCallerAsync(orgId, login, stamp, ct) : null;
    public async Task EndSessionsAsync(string login, CancellationToken ct) => await Members.EndSessionsAsync((await OrgOfAsync(login, ct))!.Value, login, ct);

    async Task<long?> OrgOfAsync(string login, CancellationToken ct)
    {
        await using var connection = await services.Get<Clearwing.Storage.Database>().OpenAsync(ct);
        return await Dapper.SqlMapper.QuerySingleOrDefaultAsync<long?>(connection, "SELECT org_id FROM members WHERE login = @login", new { login });
    }
    public Task<NewToken> CreateTokenAsync(
        Caller caller, string org, string name, Role role, DateTimeOffset? expiresAt, CancellationToken ct, string? member = null) =>
        Tokens.CreateTokenAsync(caller, org, name, role, expiresAt, member, ct);
    public Task<IReadOnlyList<TokenInfo>> ListTokensAsync(Caller caller, string org, CancellationToken ct) => Tokens.ListTokensAsync(caller, org, ct);
    public Task<TokenInfo> RevokeTokenAsync(Caller caller, string id, CancellationToken ct) => Tokens.RevokeTokenAsync(caller, id, ct);
    public Task<(Caller Caller, string TokenId)?> AuthenticateTokenAsync(string secret, CancellationToken ct) => Tokens.AuthenticateTokenAsync(secret, ct);
}
