using System.Net.Http.Headers;
using Clearwing.Access;
using Clearwing.IntegrationTests.Storage;
using Clearwing.Server;
using Clearwing.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Clearwing.IntegrationTests.Support;

namespace Clearwing.IntegrationTests.Server;

/// <summary>
/// A real Kestrel server on a loopback port over a fresh database, initialized like `clearwing admin init`:
/// <see cref="Http"/> carries the coordinator admin's token. <see cref="ClientForAsync"/> makes other orgs' callers.
/// </summary>
public sealed class TestServer : IAsyncDisposable
{
    public required WebApplication App { get; init; }
    public required Database Db { get; init; }
    public required HttpClient Http { get; init; }
    public required Uri BaseAddress { get; init; }
    /// <summary>The --db value of the server's database.</summary>
    public required string Spec { get; init; }
    /// <summary>The key file that encrypts the server's web-session keys.</summary>
    public string KeyFile => App.Services.GetRequiredService<Clearwing.Server.Access.KeyFile>().Path;
    /// <summary>The coordinator admin's API token, as `admin init` printed it.</summary>
    public required string AdminToken { get; init; }
    public Clearwing.IntegrationTests.Access.AccessStores Access => new(Wired.For(Db));

    static CancellationToken Ct => TestContext.Current.CancellationToken;
    public const string AdminLogin = "admin@coordinator.example", AdminPassword = "correct horse battery staple";

    public static async Task<TestServer> StartAsync(Engine engine, long maxImportBytes = 1L << 30, int loginAttemptsPerMinute = 10, IReadOnlyList<string>? trustedProxies = null,
        Func<ServerOptions, ServerOptions>? configure = null)
    {
        var spec = await TestDatabases.CreateSpecAsync(engine);
        var options = new ServerOptions
        {
            Database = spec, Urls = "http://127.0.0.1:0", RunWorkers = false, MaxImportBytes = maxImportBytes, LoginAttemptsPerMinute = loginAttemptsPerMinute, TrustedProxies = trustedProxies ?? [],
            KeyFile = TestDatabases.KeyFileFor(spec),
        };
        var app = await ServerHost.BuildAsync(configure?.Invoke(options) ?? options, Ct);
        await app.StartAsync(Ct);
        var db = Database.Open(spec);
        var init = await new Clearwing.IntegrationTests.Access.AccessStores(Wired.For(db)).InitAsync("coordinator", AdminLogin, AdminPassword, Ct);
        var baseAddress = new Uri(app.Urls.First());
        return new TestServer
        {
            App = app, Db = db, BaseAddress = baseAddress, Spec = spec, AdminToken = init.Token.Secret, Http = Client(baseAddress, init.Token.Secret),
        };
    }

    public static HttpClient Client(Uri baseAddress, string? token)
    {
        var http = new HttpClient { BaseAddress = baseAddress };
        if (token is not null) http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    /// <summary>A client holding a token of <paramref name="org"/> (created with <paramref name="kind"/> when new) with <paramref name="role"/>.</summary>
    public async Task<HttpClient> ClientForAsync(string org, OrgKind kind, Role role = Role.Admin)
    {
        if (!(await Access.ListOrgsAsync(Caller.Local, Ct)).Any(o => o.Name == org))
            await Access.CreateOrgAsync(Caller.Local, org, kind, Ct);
        var token = await Access.CreateTokenAsync(Caller.Local, org, $"{org} {role.Name()}", role, null, Ct);
        return Client(BaseAddress, token.Secret);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await App.DisposeAsync();
        await Db.DisposeAsync();
    }
}
