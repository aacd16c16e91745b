using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Clearwing.IntegrationTests.Server;
using Clearwing.IntegrationTests.Storage;
using Clearwing.Server;
using Clearwing.Storage;

namespace Clearwing.IntegrationTests.Access;

/// <summary>Web sessions: password login, CSRF on changes, lockout after repeated failures, rate limiting.</summary>
public sealed class SessionTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;
    const string Admin = TestServer.AdminLogin, Password = TestServer.AdminPassword;

    static HttpClient Browser(TestServer server) => new(new HttpClientHandler { UseCookies = true, CookieContainer = new CookieContainer() })
    {
        BaseAddress = server.BaseAddress,
    };

    [Fact]
    public async Task A_session_reads_freely_but_changes_only_with_its_csrf_token()
    {
        await using var server = await TestServer.StartAsync(Engine.Sqlite);
        using var browser = Browser(server);

        var login = await browser.PostAsJsonAsync("/api/v1/session", new { login = Admin, password = Password }, Ct);
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var session = JsonDocument.Parse(await login.Content.ReadAsStringAsync(Ct)).RootElement;
        Assert.Equal("coordinator", session.GetProperty("org").GetString());
        var csrf = session.GetProperty("csrfToken").GetString()!;

        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/api/v1/cases", Ct)).StatusCode);
        var forged = await browser.PostAsJsonAsync("/api/v1/orgs", new { name = "evil", kind = "maintainer" }, Ct);
        Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode);

        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/orgs") { Content = JsonContent.Create(new { name = "alpha", kind = "maintainer" }) };
        request.Headers.Add("X-CSRF-Token", csrf);
        Assert.Equal(HttpStatusCode.OK, (await browser.SendAsync(request, Ct)).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await SendWithCsrf(browser, HttpMethod.Delete, "/api/v1/session", csrf)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync("/api/v1/cases", Ct)).StatusCode);
    }

    [Fact]
    public async Task A_login_in_two_orgs_signs_in_with_its_org_and_each_session_speaks_for_its_own_member()
    {
        await using var server = await TestServer.StartAsync(Engine.Sqlite);
        foreach (var org in new[] { "alpha", "beta" })
        {
            await server.Access.CreateOrgAsync(Clearwing.Access.Caller.Local, org, Clearwing.Access.OrgKind.Maintainer, Ct);
            await server.Access.AddMemberAsync(Clearwing.Access.Caller.Local, org, "dev@example.org", Clearwing.Access.Role.Viewer, $"{org}'s passphrase", Ct);
        }
        using var browser = Browser(server);

        var unnamed = await browser.PostAsJsonAsync("/api/v1/session", new { login = "dev@example.org", password = "beta's passphrase" }, Ct);
        var wrong = await browser.PostAsJsonAsync("/api/v1/session", new { login = "dev@example.org", password = "beta's passphrase", org = "alpha" }, Ct);
        Assert.Equal((HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized), (unnamed.StatusCode, wrong.StatusCode));
        static async Task<string> Detail(HttpResponseMessage r) => JsonDocument.Parse(await r.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("detail").GetString()!;
        Assert.Equal(await Detail(wrong), await Detail(unnamed));

        var login = await browser.PostAsJsonAsync("/api/v1/session", new { login = "dev@example.org", password = "beta's passphrase", org = "beta" }, Ct);
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var me = JsonDocument.Parse(await browser.GetStringAsync("/api/v1/me", Ct)).RootElement;
        Assert.Equal("beta", me.GetProperty("org").GetString());
        // Removing alpha's member leaves beta's session alone.
        await server.Access.RemoveMemberAsync(Clearwing.Access.Caller.Local, "alpha", "dev@example.org", Ct);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/api/v1/me", Ct)).StatusCode);
        await server.Access.RemoveMemberAsync(Clearwing.Access.Caller.Local, "beta", "dev@example.org", Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync("/api/v1/me", Ct)).StatusCode);
    }

    static async Task<HttpResponseMessage> SendWithCsrf(HttpClient http, HttpMethod method, string url, string csrf)
    {
        using var request = new HttpRequestMessage(method, url);
        request.Headers.Add("X-CSRF-Token", csrf);
        return await http.SendAsync(request, Ct);
    }

    [Fact]
    public async Task Five_wrong_passwords_lock_the_login_even_against_the_right_one()
    {
        await using var server = await TestServer.StartAsync(Engine.Sqlite);
        using var browser = Browser(server);

        for (var i = 0; i < 5; i++)
            Assert.Equal(HttpStatusCode.Unauthorized, (await browser.PostAsJsonAsync("/api/v1/session", new { login = Admin, password = $"wrong password {i}" }, Ct)).StatusCode);
        var locked = await browser.PostAsJsonAsync("/api/v1/session", new { login = Admin, password = Password }, Ct);
        var unknown = await browser.PostAsJsonAsync("/api/v1/session", new { login = "nobody@example.org", password = Password }, Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, locked.StatusCode);
        Assert.Equal(WithoutTraceId(await unknown.Content.ReadAsStringAsync(Ct)), WithoutTraceId(await locked.Content.ReadAsStringAsync(Ct)));
        var member = (await server.Access.ListMembersAsync(Clearwing.Access.Caller.Local, "coordinator", Ct)).Single();
        Assert.NotNull(member.LockedUntil);
    }

    /// <summary>A problem body without its per-request trace id, the one part that differs between any two answers.</summary>
    internal static string WithoutTraceId(string problem)
    {
        var json = System.Text.Json.Nodes.JsonNode.Parse(problem)!.AsObject();
        json.Remove("traceId");
        return json.ToJsonString();
    }

    [Fact]
    public async Task Login_attempts_are_rate_limited_per_client()
    {
        await using var server = await TestServer.StartAsync(Engine.Sqlite);
        using var browser = Browser(server);

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 11; i++)
            statuses.Add((await browser.PostAsJsonAsync("/api/v1/session", new { login = $"guess{i}@example.org", password = "not the password" }, Ct)).StatusCode);

        Assert.All(statuses.Take(10), s => Assert.Equal(HttpStatusCode.Unauthorized, s));
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[10]);
    }

    [Fact]
    public async Task Logging_out_ends_the_session_everywhere_including_a_copied_cookie()
    {
        await using var server = await TestServer.StartAsync(Engine.Sqlite);
        var cookies = new CookieContainer();
        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = cookies }) { BaseAddress = server.BaseAddress };
        var login = await browser.PostAsJsonAsync("/api/v1/session", new { login = Admin, password = Password }, Ct);
        var csrf = JsonDocument.Parse(await login.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("csrfToken").GetString()!;
        var stolen = new CookieContainer();
        stolen.Add(cookies.GetCookies(server.BaseAddress));
        using var thief = new HttpClient(new HttpClientHandler { CookieContainer = stolen }) { BaseAddress = server.BaseAddress };
        Assert.Equal(HttpStatusCode.OK, (await thief.GetAsync("/api/v1/me", Ct)).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await SendWithCsrf(browser, HttpMethod.Delete, "/api/v1/session", csrf)).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await thief.GetAsync("/api/v1/me", Ct)).StatusCode);
    }

    [Fact]
    public async Task A_login_body_larger_than_a_json_request_is_refused_before_it_is_read()
    {
        await using var server = await TestServer.StartAsync(Engine.Sqlite);
        using var anonymous = TestServer.Client(server.BaseAddress, null);

        var huge = await anonymous.PostAsync("/api/v1/session",
            new StringContent($"{{\"login\":\"x\",\"password\":\"{new string('a', 2 << 20)}\"}}", null, "application/json"), Ct);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, huge.StatusCode);
    }

    [Fact]
    public async Task Behind_a_trusted_proxy_each_client_address_has_its_own_login_budget()
    {
        await using var server = await TestServer.StartAsync(Engine.Sqlite, trustedProxies: ["127.0.0.1"]);
        using var proxy = TestServer.Client(server.BaseAddress, null);

        async Task<HttpStatusCode> Attempt(string client)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/session") { Content = JsonContent.Create(new { login = "guess@example.org", password = "not the password" }) };
            request.Headers.Add("X-Forwarded-For", client);
            return (await proxy.SendAsync(request, Ct)).StatusCode;
        }
        for (var i = 0; i < 10; i++) Assert.Equal(HttpStatusCode.Unauthorized, await Attempt("203.0.113.7"));

        Assert.Equal(HttpStatusCode.TooManyRequests, await Attempt("203.0.113.7"));
        Assert.Equal(HttpStatusCode.Unauthorized, await Attempt("198.51.100.9"));
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_session_from_one_server_is_honoured_by_another_on_the_same_database(Engine engine)
    {
        await using var first = await TestServer.StartAsync(engine);
        // Every server on one database has a copy of the key file that encrypts the keys there.
        await using var second = await ServerHost.BuildAsync(
            new ServerOptions { Database = first.Spec, Urls = "http://127.0.0.1:0", RunWorkers = false, KeyFile = first.KeyFile }, Ct);
        await second.StartAsync(Ct);
        // Cookies are not separated by port, so one browser carries the session to both servers.
        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() });

        var login = await browser.PostAsJsonAsync(new Uri(first.BaseAddress, "/api/v1/session"), new { login = Admin, password = Password }, Ct);
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var csrf = JsonDocument.Parse(await login.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("csrfToken").GetString()!;

        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync(new Uri(new Uri(second.Urls.First()), "/api/v1/me"), Ct)).StatusCode);
        using var change = new HttpRequestMessage(HttpMethod.Post, new Uri(new Uri(second.Urls.First()), "/api/v1/orgs"))
        {
            Content = JsonContent.Create(new { name = "alpha", kind = "maintainer" }),
        };
        change.Headers.Add("X-CSRF-Token", csrf);
        Assert.Equal(HttpStatusCode.OK, (await browser.SendAsync(change, Ct)).StatusCode);
        // The keys live in the database, not in this machine's profile: a server elsewhere reads the same ones.
        await using var connection = await first.Db.OpenAsync(Ct);
        Assert.True(await Dapper.SqlMapper.ExecuteScalarAsync<long>(connection, "SELECT count(*) FROM data_protection_keys") > 0);
    }
}
