using Clearwing.Access;
using Clearwing.IntegrationTests.Storage;
using Clearwing.Storage;
using Dapper;
using Clearwing.IntegrationTests.Support;

namespace Clearwing.IntegrationTests.Access;

/// <summary>Orgs, members and tokens in the store, on both engines.</summary>
public sealed class AccessStoreTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task Init_runs_once_and_its_token_speaks_for_the_coordinator_admin(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var access = new Clearwing.IntegrationTests.Access.AccessStores(Wired.For(db));

        var init = await access.InitAsync("cert", "Admin@Cert.example", null, Ct);

        Assert.NotNull(init.Password);
        Assert.Equal("admin@cert.example", init.Admin.Login);
        var caller = (await access.AuthenticateTokenAsync(init.Token.Secret, Ct))!.Value.Caller;
        Assert.Equal((OrgKind.Coordinator, Role.Admin, "cert"), (caller.Kind, caller.Role, caller.Org));
        Assert.True((await access.LoginAsync("admin@cert.example", init.Password!, Ct)).Succeeded);
        await Assert.ThrowsAsync<InvalidOperationException>(() => access.InitAsync("other", "x@y.example", null, Ct));
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task Tokens_are_stored_only_as_hashes_and_stop_working_when_revoked_or_expired(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var time = new Support.FakeTime();
        var access = new Clearwing.IntegrationTests.Access.AccessStores(Wired.For(db, time));
        await access.InitAsync("cert", "admin@cert.example", "correct horse battery staple", Ct);
        await access.CreateOrgAsync(Caller.Local, "alpha", OrgKind.Maintainer, Ct);

        var forever = await access.CreateTokenAsync(Caller.Local, "alpha", "ci", Role.Triager, null, Ct);
        var brief = await access.CreateTokenAsync(Caller.Local, "alpha", "brief", Role.Viewer, time.GetUtcNow().AddHours(1), Ct);

        Assert.Matches("^cw_[A-Za-z0-9_-]{43}$", forever.Secret);
        await using (var connection = await db.OpenAsync(Ct))
        {
            var stored = string.Join("\n", await connection.QueryAsync<string>("SELECT id || name || secret_sha256 FROM tokens"));
            Assert.DoesNotContain(forever.Secret, stored);
            Assert.DoesNotContain(forever.Secret[3..], stored);
        }
        Assert.Equal("alpha", (await access.AuthenticateTokenAsync(forever.Secret, Ct))!.Value.Caller.Org);
        Assert.NotNull(await access.AuthenticateTokenAsync(brief.Secret, Ct));

        time.Advance(TimeSpan.FromHours(1));
        Assert.Null(await access.AuthenticateTokenAsync(brief.Secret, Ct));
        await access.RevokeTokenAsync(Caller.Local, forever.Token.Id, Ct);
        Assert.Null(await access.AuthenticateTokenAsync(forever.Secret, Ct));
        Assert.Null(await access.AuthenticateTokenAsync(forever.Secret[..^1] + (forever.Secret[^1] == 'A' ? 'B' : 'A'), Ct));
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task An_org_admin_manages_only_its_own_org_and_other_orgs_do_not_exist_for_it(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var access = new Clearwing.IntegrationTests.Access.AccessStores(Wired.For(db));
        await access.InitAsync("cert", "admin@cert.example", "correct horse battery staple", Ct);
        await access.CreateOrgAsync(Caller.Local, "alpha", OrgKind.Maintainer, Ct);
        await access.CreateOrgAsync(Caller.Local, "beta", OrgKind.Maintainer, Ct);
        var alphaAdmin = (await access.AuthenticateTokenAsync((await access.CreateTokenAsync(Caller.Local, "alpha", "a", Role.Admin, null, Ct)).Secret, Ct))!.Value.Caller;
        var alphaTriager = alphaAdmin with { Role = Role.Triager };
        var betaToken = await access.CreateTokenAsync(Caller.Local, "beta", "b", Role.Admin, null, Ct);

        await access.AddMemberAsync(alphaAdmin, "alpha", "dev@alpha.example", Role.Viewer, null, Ct);
        Assert.Equal(["alpha"], (await access.ListOrgsAsync(alphaAdmin, Ct)).Select(o => o.Name));
        await Assert.ThrowsAsync<NotFoundException>(() => access.AddMemberAsync(alphaAdmin, "beta", "spy@alpha.example", Role.Admin, null, Ct));
        await Assert.ThrowsAsync<NotFoundException>(() => access.ListMembersAsync(alphaAdmin, "beta", Ct));
        await Assert.ThrowsAsync<NotFoundException>(() => access.RevokeTokenAsync(alphaAdmin, betaToken.Token.Id, Ct));
        await Assert.ThrowsAsync<AccessDeniedException>(() => access.CreateTokenAsync(alphaTriager, "alpha", "t", Role.Admin, null, Ct));
        await Assert.ThrowsAsync<AccessDeniedException>(() => access.CreateOrgAsync(alphaAdmin, "gamma", OrgKind.Maintainer, Ct));
        Assert.NotNull(await access.AuthenticateTokenAsync(betaToken.Secret, Ct));
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task Removing_a_member_revokes_the_tokens_they_created(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var access = new Clearwing.IntegrationTests.Access.AccessStores(Wired.For(db));
        await access.InitAsync("cert", "admin@cert.example", "correct horse battery staple", Ct);
        await access.CreateOrgAsync(Caller.Local, "alpha", OrgKind.Maintainer, Ct);
        await access.AddMemberAsync(Caller.Local, "alpha", "lead@alpha.example", Role.Admin, null, Ct);
        var lead = new Caller((await access.AuthenticateTokenAsync((await access.CreateTokenAsync(Caller.Local, "alpha", "x", Role.Admin, null, Ct)).Secret, Ct))!.Value.Caller.OrgId,
            "alpha", OrgKind.Maintainer, Role.Admin, "member:lead@alpha.example");
        var parting = await access.CreateTokenAsync(lead, "alpha", "lead's backdoor", Role.Admin, null, Ct);
        Assert.NotNull(await access.AuthenticateTokenAsync(parting.Secret, Ct));

        await access.RemoveMemberAsync(Caller.Local, "alpha", "lead@alpha.example", Ct);

        Assert.Null(await access.AuthenticateTokenAsync(parting.Secret, Ct));
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_new_password_replaces_the_old_one_and_another_orgs_member_does_not_exist_for_an_org_admin(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var access = new Clearwing.IntegrationTests.Access.AccessStores(Wired.For(db));
        await access.InitAsync("cert", "admin@cert.example", "correct horse battery staple", Ct);
        await access.CreateOrgAsync(Caller.Local, "alpha", OrgKind.Maintainer, Ct);
        await access.CreateOrgAsync(Caller.Local, "beta", OrgKind.Maintainer, Ct);
        await access.AddMemberAsync(Caller.Local, "beta", "dev@beta.example", Role.Viewer, "first long passphrase", Ct);
        var alphaAdmin = (await access.AuthenticateTokenAsync((await access.CreateTokenAsync(Caller.Local, "alpha", "a", Role.Admin, null, Ct)).Secret, Ct))!.Value.Caller;

        var hidden = await Assert.ThrowsAsync<NotFoundException>(() => access.SetPasswordAsync(alphaAdmin, "dev@beta.example", "taken over passphrase", Ct));
        Assert.DoesNotContain("beta'", hidden.Message.Replace("dev@beta.example", ""));
        await access.SetPasswordAsync(Caller.Local, "dev@beta.example", "second long passphrase", Ct);

        Assert.False((await access.LoginAsync("dev@beta.example", "first long passphrase", Ct)).Succeeded);
        Assert.True((await access.LoginAsync("dev@beta.example", "second long passphrase", Ct)).Succeeded);
    }
}
