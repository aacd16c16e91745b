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
    public async Task Removing_a_member_revokes_tokens_made_with_their_tokens_and_tokens_made_for_them_on_the_cli(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var access = new Clearwing.IntegrationTests.Access.AccessStores(Wired.For(db));
        await access.InitAsync("cert", "admin@cert.example", "correct horse battery staple", Ct);
        await access.CreateOrgAsync(Caller.Local, "alpha", OrgKind.Maintainer, Ct);
        await access.AddMemberAsync(Caller.Local, "alpha", "lead@alpha.example", Role.Admin, null, Ct);
        await access.AddMemberAsync(Caller.Local, "alpha", "dev@alpha.example", Role.Admin, null, Ct);
        var forLead = await access.CreateTokenAsync(Caller.Local, "alpha", "lead's laptop", Role.Admin, null, Ct, member: "Lead@alpha.example");
        var leadByToken = (await access.AuthenticateTokenAsync(forLead.Secret, Ct))!.Value.Caller;
        var child = await access.CreateTokenAsync(leadByToken, "alpha", "made with a token", Role.Admin, null, Ct);
        var grandchild = await access.CreateTokenAsync(
            (await access.AuthenticateTokenAsync(child.Secret, Ct))!.Value.Caller, "alpha", "and again", Role.Viewer, null, Ct);
        var devs = await access.CreateTokenAsync(Caller.Local, "alpha", "dev's", Role.Viewer, null, Ct, member: "dev@alpha.example");

        Assert.All(new[] { forLead, child, grandchild }, t => Assert.Equal("lead@alpha.example", t.Token.Member));
        // A member cannot make a token that speaks for someone else, which would outlive their own removal.
        await Assert.ThrowsAsync<AccessDeniedException>(() =>
            access.CreateTokenAsync(leadByToken, "alpha", "for dev", Role.Viewer, null, Ct, member: "dev@alpha.example"));
        await Assert.ThrowsAsync<NotFoundException>(() =>
            access.CreateTokenAsync(Caller.Local, "alpha", "for nobody", Role.Viewer, null, Ct, member: "admin@cert.example"));

        await access.RemoveMemberAsync(Caller.Local, "alpha", "lead@alpha.example", Ct);

        foreach (var token in new[] { forLead, child, grandchild })
            Assert.Null(await access.AuthenticateTokenAsync(token.Secret, Ct));
        Assert.NotNull(await access.AuthenticateTokenAsync(devs.Secret, Ct));
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task The_migration_attributes_earlier_tokens_to_the_member_at_the_start_of_their_chain(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var access = new Clearwing.IntegrationTests.Access.AccessStores(Wired.For(db));
        await access.InitAsync("cert", "admin@cert.example", "correct horse battery staple", Ct);
        // Back to the schema before migration 0025, with tokens as it recorded them: made by a member, or by a token.
        await using (var connection = await db.OpenAsync(Ct))
        {
            await connection.ExecuteAsync("DROP INDEX tokens_by_member; ALTER TABLE tokens DROP COLUMN made_by_member");
            await connection.ExecuteAsync("DELETE FROM schema_migrations WHERE version = 25");
            foreach (var (id, createdBy) in new[]
                     {
                         ("00000000000000a1", "member:lead@cert.example"), ("00000000000000a2", "token:00000000000000a1 (lead's)"),
                         ("00000000000000a3", "token:00000000000000a2 (made with a token)"), ("00000000000000b1", "local"),
                     })
                await connection.ExecuteAsync(
                    """
                    INSERT INTO tokens (id, org_id, name, role, secret_sha256, created_by, created_at)
                    SELECT @id, id, @id, 'admin', @id, @createdBy, 0 FROM orgs WHERE name = 'cert'
                    """,
                    new { id, createdBy });
        }

        await Migrator.MigrateAsync(db, TimeProvider.System, Ct);

        var members = (await access.ListTokensAsync(Caller.Local, "cert", Ct)).ToDictionary(t => t.Id, t => t.Member);
        Assert.Equal("lead@cert.example", members["00000000000000a1"]);
        Assert.Equal("lead@cert.example", members["00000000000000a2"]);
        Assert.Equal("lead@cert.example", members["00000000000000a3"]);
        Assert.Null(members["00000000000000b1"]);
        Assert.Equal("admin@cert.example", members.Values.Single(m => m is not null && m.StartsWith("admin", StringComparison.Ordinal)));
    }

    /// <summary>Two maintainer orgs, a member of beta (<paramref name="login"/>), and a token of alpha's admin.</summary>
    static async Task<(AccessStores Access, Caller AlphaAdmin)> AlphaAndBetaAsync(Database db, string login, Role role, string password)
    {
        var access = new AccessStores(Wired.For(db));
        await access.InitAsync("cert", "admin@cert.example", "correct horse battery staple", Ct);
        await access.CreateOrgAsync(Caller.Local, "alpha", OrgKind.Maintainer, Ct);
        await access.CreateOrgAsync(Caller.Local, "beta", OrgKind.Maintainer, Ct);
        await access.AddMemberAsync(Caller.Local, "beta", login, role, password, Ct);
        var token = await access.CreateTokenAsync(Caller.Local, "alpha", "a", Role.Admin, null, Ct);
        return (access, (await access.AuthenticateTokenAsync(token.Secret, Ct))!.Value.Caller);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_new_password_replaces_the_old_one_and_another_orgs_member_does_not_exist_for_an_org_admin(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var (access, alphaAdmin) = await AlphaAndBetaAsync(db, "dev@beta.example", Role.Viewer, "first long passphrase");

        var hidden = await Assert.ThrowsAsync<NotFoundException>(() => access.SetPasswordAsync(alphaAdmin, "dev@beta.example", "taken over passphrase", Ct));
        Assert.DoesNotContain("beta'", hidden.Message.Replace("dev@beta.example", ""));
        await access.SetPasswordAsync(Caller.Local, "dev@beta.example", "second long passphrase", Ct);

        Assert.False((await access.LoginAsync("dev@beta.example", "first long passphrase", Ct)).Succeeded);
        Assert.True((await access.LoginAsync("dev@beta.example", "second long passphrase", Ct)).Succeeded);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task An_org_admin_cannot_learn_that_a_login_is_in_another_org_and_the_two_members_stay_apart(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var (access, alphaAdmin) = await AlphaAndBetaAsync(db, "dev@example.org", Role.Admin, "beta's long passphrase");

        // What alpha's admin sees is what it would see if beta had no such member: the login is added.
        var added = await access.AddMemberAsync(alphaAdmin, "alpha", "dev@example.org", Role.Admin, "alpha's long passphrase", Ct);
        Assert.Equal(("alpha", "dev@example.org"), (added.Org, added.Login));
        var again = await Assert.ThrowsAsync<BadInputException>(() => access.AddMemberAsync(alphaAdmin, "alpha", "dev@example.org", Role.Viewer, null, Ct));
        Assert.Equal("'dev@example.org' is already a member of org 'alpha'.", again.Message);

        // Signing in names the org when the login is in two; without it the answer is an unknown login's.
        using (var derivations = PasswordDerivations.Count())
        {
            var ambiguous = await access.LoginAsync("dev@example.org", "alpha's long passphrase", Ct);
            Assert.Equal((false, (DateTimeOffset?)null), (ambiguous.Succeeded, ambiguous.LockedUntil));
            Assert.Equal([Secrets.PasswordIterations], derivations.Iterations);
        }
        var inAlpha = (await access.LoginAsync("dev@example.org", "alpha's long passphrase", Ct, org: "alpha")).Caller!;
        var inBeta = (await access.LoginAsync("dev@example.org", "beta's long passphrase", Ct, org: "beta")).Caller!;
        Assert.Equal(("alpha", "beta"), (inAlpha.Org, inBeta.Org));
        Assert.False((await access.LoginAsync("dev@example.org", "beta's long passphrase", Ct, org: "alpha")).Succeeded);

        // Each member's tokens, password and sessions are their own.
        var alphaToken = await access.CreateTokenAsync(inAlpha, "alpha", "alpha ci", Role.Viewer, null, Ct);
        var betaToken = await access.CreateTokenAsync(inBeta, "beta", "beta ci", Role.Viewer, null, Ct);
        await access.SetPasswordAsync(alphaAdmin, "dev@example.org", "alpha's newer passphrase", Ct);
        Assert.True((await access.LoginAsync("dev@example.org", "beta's long passphrase", Ct, org: "beta")).Succeeded);
        Assert.True((await access.LoginAsync("dev@example.org", "alpha's newer passphrase", Ct, org: "alpha")).Succeeded);
        var which = await Assert.ThrowsAsync<BadInputException>(() => access.SetPasswordAsync(Caller.Local, "dev@example.org", "which of the two members", Ct));
        Assert.Contains("member of 2 orgs (alpha, beta): name the org", which.Message);
        await access.RemoveMemberAsync(alphaAdmin, "alpha", "dev@example.org", Ct);
        Assert.Null(await access.AuthenticateTokenAsync(alphaToken.Secret, Ct));
        Assert.NotNull(await access.AuthenticateTokenAsync(betaToken.Secret, Ct));
        Assert.True((await access.LoginAsync("dev@example.org", "beta's long passphrase", Ct)).Succeeded);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task Members_changing_their_own_password_must_give_the_current_one(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var access = new Clearwing.IntegrationTests.Access.AccessStores(Wired.For(db));
        await access.InitAsync("cert", "admin@cert.example", "correct horse battery staple", Ct);
        var self = (await access.LoginAsync("admin@cert.example", "correct horse battery staple", Ct)).Caller!;

        await Assert.ThrowsAsync<BadInputException>(() => access.SetPasswordAsync(self, "admin@cert.example", "stolen session passphrase", Ct));
        await Assert.ThrowsAsync<AccessDeniedException>(() =>
            access.SetPasswordAsync(self, "admin@cert.example", "stolen session passphrase", Ct, current: "a wrong guess at it"));
        Assert.True((await access.LoginAsync("admin@cert.example", "correct horse battery staple", Ct)).Succeeded);

        await access.SetPasswordAsync(self, "admin@cert.example", "a new long passphrase", Ct, current: "correct horse battery staple");
        Assert.True((await access.LoginAsync("admin@cert.example", "a new long passphrase", Ct)).Succeeded);
        // An admin setting another member's password (a reset) needs no password of theirs.
        await access.SetPasswordAsync(Caller.Local, "admin@cert.example", "reset by the operator", Ct);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task An_unknown_login_costs_the_full_password_derivation_whatever_the_passwords_length(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var access = new Clearwing.IntegrationTests.Access.AccessStores(Wired.For(db));
        await access.InitAsync("cert", "admin@cert.example", "correct horse battery staple", Ct);

        foreach (var length in new[] { 1, 12, 64, 1024, 1025, 100_000 })
        {
            foreach (var login in new[] { "admin@cert.example", "nobody@cert.example" })
            {
                using var derivations = PasswordDerivations.Count();
                Assert.False((await access.LoginAsync(login, new string('x', length), Ct)).Succeeded);
                Assert.Equal([Secrets.PasswordIterations], derivations.Iterations);
            }
        }
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task Five_wrong_passwords_lock_out_the_guessing_address_not_the_member_elsewhere(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var access = new Clearwing.IntegrationTests.Access.AccessStores(Wired.For(db));
        const string Admin = "admin@cert.example", Password = "correct horse battery staple", Guesser = "203.0.113.9";
        await access.InitAsync("cert", Admin, Password, Ct);

        for (var i = 0; i < MemberStore.LockoutThreshold; i++)
            Assert.False((await access.LoginAsync(Admin, $"wrong guess {i}", Ct, Guesser)).Succeeded);
        var fromGuesser = await access.LoginAsync(Admin, Password, Ct, Guesser);

        Assert.False(fromGuesser.Succeeded);
        Assert.NotNull(fromGuesser.LockedUntil);
        Assert.True((await access.LoginAsync(Admin, Password, Ct, "198.51.100.7")).Succeeded);
        Assert.NotNull((await access.ListMembersAsync(Caller.Local, "cert", Ct)).Single().LockedUntil);
        // A new password (an admin's reset) lifts every lock on the login.
        await access.SetPasswordAsync(Caller.Local, Admin, "a new long passphrase", Ct);
        Assert.True((await access.LoginAsync(Admin, "a new long passphrase", Ct, Guesser)).Succeeded);
        Assert.Null((await access.ListMembersAsync(Caller.Local, "cert", Ct)).Single().LockedUntil);
    }

    /// <summary>The PBKDF2 runs of this async flow (not of tests running beside it), with their iterations.</summary>
    sealed class PasswordDerivations : IDisposable
    {
        static readonly AsyncLocal<List<int>?> Current = new();
        static readonly System.Diagnostics.Metrics.MeterListener Listener = Listen();
        public List<int> Iterations { get; } = [];

        public static PasswordDerivations Count()
        {
            _ = Listener;
            var counting = new PasswordDerivations();
            Current.Value = counting.Iterations;
            return counting;
        }

        public void Dispose() => Current.Value = null;

        static System.Diagnostics.Metrics.MeterListener Listen()
        {
            var listener = new System.Diagnostics.Metrics.MeterListener
            {
                InstrumentPublished = (instrument, l) =>
                {
                    if (instrument.Meter == Secrets.Meter) l.EnableMeasurementEvents(instrument);
                },
            };
            listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
            {
                foreach (var tag in tags)
                    if (tag.Key == "iterations") Current.Value?.Add((int)tag.Value!);
            });
            listener.Start();
            return listener;
        }
    }
}
