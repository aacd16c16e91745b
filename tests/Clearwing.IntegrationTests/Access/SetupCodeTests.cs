using Clearwing.Access;
using Clearwing.IntegrationTests.Storage;
using Clearwing.IntegrationTests.Support;
using Clearwing.Storage;
using Dapper;

namespace Clearwing.IntegrationTests.Access;

/// <summary>
/// The one-time setup code on both engines: issued only while no org exists, stored only as a hash, replaced by the next one;
/// redeemed once, within its lifetime, into the coordinator org and its admin, as <c>admin init</c> makes them. A wrong,
/// expired or used code is refused alike and creates nothing; of redeemers at once, one wins.
/// </summary>
public sealed class SetupCodeTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    const string Password = "correct horse battery staple";

    sealed record World(Database Db, FakeTime Time, SetupCodeStore Codes, AccessStores Access) : IAsyncDisposable
    {
        public async Task<long> OrgsAsync()
        {
            await using var connection = await Db.OpenAsync(Ct);
            return await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM orgs");
        }

        public ValueTask DisposeAsync() => Db.DisposeAsync();
    }

    static async Task<World> WorldAsync(Engine engine)
    {
        var db = await TestDatabases.CreateAsync(engine);
        var time = new FakeTime();
        var app = Wired.For(db, time);
        return new World(db, time, app.Get<SetupCodeStore>(), new AccessStores(app));
    }

    static async Task<string> RefusedAsync(Func<Task> redeem) => (await Assert.ThrowsAsync<AccessDeniedException>(redeem)).Message;

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_code_is_issued_only_while_no_org_exists_and_only_its_hash_is_stored(Engine engine)
    {
        await using var world = await WorldAsync(engine);

        var code = await world.Codes.IssueAsync(Ct);

        Assert.Matches("^[A-Za-z0-9_-]{43}$", code);
        await using (var connection = await world.Db.OpenAsync(Ct))
        {
            var (hash, expires) = await connection.QuerySingleAsync<(string, long)>("SELECT code_hash, expires_at FROM setup_codes");
            Assert.Equal(Secrets.TokenHash(code!), hash);
            Assert.Equal((world.Time.GetUtcNow() + TimeSpan.FromHours(24)).ToUnixTimeMilliseconds(), expires);
        }
        await world.Access.InitAsync("cert", "admin@cert.example", Password, Ct);
        await using (var connection = await world.Db.OpenAsync(Ct))
        {
            await connection.ExecuteAsync("DELETE FROM setup_codes");
            Assert.Null(await world.Codes.IssueAsync(Ct));
            Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM setup_codes"));
        }
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_code_creates_the_coordinator_and_its_admin_who_can_log_in_and_works_once(Engine engine)
    {
        await using var world = await WorldAsync(engine);
        var code = (await world.Codes.IssueAsync(Ct))!;

        var init = await world.Codes.RedeemAsync(code, "cert", "Admin@Cert.example", Password, Ct);

        Assert.Equal(("cert", OrgKind.Coordinator, "admin@cert.example", Role.Admin),
            (init.Org.Name, init.Org.Kind, init.Admin.Login, init.Admin.Role));
        Assert.Null(init.Password);
        var login = await world.Access.LoginAsync("admin@cert.example", Password, Ct);
        Assert.Equal(("cert", OrgKind.Coordinator, Role.Admin), (login.Caller!.Org, login.Caller.Kind, login.Caller.Role));
        Assert.Equal("cert", (await world.Access.AuthenticateTokenAsync(init.Token.Secret, Ct))!.Value.Caller.Org);
        await using (var connection = await world.Db.OpenAsync(Ct))
        {
            Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM setup_codes"));
            var (actor, payload) = await connection.QuerySingleAsync<(string, string)>("SELECT actor, payload FROM events WHERE action = 'init'");
            Assert.Equal("setup-code", actor);
            Assert.Contains("setup code", payload);
        }

        var again = await RefusedAsync(() => world.Codes.RedeemAsync(code, "other", "x@other.example", Password, Ct));
        var wrong = await RefusedAsync(() => world.Codes.RedeemAsync("not-the-code", "other", "x@other.example", Password, Ct));
        Assert.Equal(wrong, again);
        Assert.Equal(1, await world.OrgsAsync());
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_wrong_replaced_or_expired_code_is_refused_alike_and_creates_nothing(Engine engine)
    {
        await using var world = await WorldAsync(engine);
        var first = (await world.Codes.IssueAsync(Ct))!;
        var code = (await world.Codes.IssueAsync(Ct))!;

        var typo = code[..^1] + (code[^1] == 'A' ? 'B' : 'A');
        var wrong = await RefusedAsync(() => world.Codes.RedeemAsync(typo, "cert", "a@cert.example", Password, Ct));
        var replaced = await RefusedAsync(() => world.Codes.RedeemAsync(first, "cert", "a@cert.example", Password, Ct));
        world.Time.Advance(TimeSpan.FromHours(24));
        var expired = await RefusedAsync(() => world.Codes.RedeemAsync(code, "cert", "a@cert.example", Password, Ct));

        Assert.NotEqual(first, code);
        Assert.Equal([wrong, wrong], new[] { replaced, expired });
        Assert.DoesNotContain("expired", wrong.Split(':')[0]);
        Assert.Equal(0, await world.OrgsAsync());
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_refused_password_leaves_the_code_usable_and_an_org_made_meanwhile_ends_it(Engine engine)
    {
        await using var world = await WorldAsync(engine);
        var code = (await world.Codes.IssueAsync(Ct))!;

        await Assert.ThrowsAsync<BadInputException>(() => world.Codes.RedeemAsync(code, "cert", "a@cert.example", "short", Ct));
        await world.Access.InitAsync("cert", "admin@cert.example", Password, Ct);

        await RefusedAsync(() => world.Codes.RedeemAsync(code, "other", "a@other.example", Password, Ct));
        Assert.Equal(1, await world.OrgsAsync());
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task Of_several_visitors_redeeming_the_code_at_once_exactly_one_sets_the_program_up(Engine engine)
    {
        await using var world = await WorldAsync(engine);
        var code = (await world.Codes.IssueAsync(Ct))!;

        var attempts = await Task.WhenAll(Enumerable.Range(1, 4).Select(async i =>
        {
            try
            {
                return (await world.Codes.RedeemAsync(code, $"org-{i}", $"admin@org-{i}.example", Password, Ct)).Org.Name;
            }
            catch (AccessDeniedException)
            {
                return null;
            }
        }));

        var winner = Assert.Single(attempts, a => a is not null);
        Assert.Equal(1, await world.OrgsAsync());
        Assert.Equal(winner, (await world.Access.ListOrgsAsync(Caller.Local, Ct)).Single().Name);
    }
}
