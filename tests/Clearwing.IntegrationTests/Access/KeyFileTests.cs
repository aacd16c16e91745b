using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Xml.Linq;
using Clearwing.Access;
using Clearwing.IntegrationTests.Server;
using Clearwing.IntegrationTests.Storage;
using Clearwing.IntegrationTests.Support;
using Clearwing.Server;
using Clearwing.Server.Access;
using Clearwing.Storage;
using Dapper;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Clearwing.IntegrationTests.Access;

/// <summary>
/// The web-session keys in the database are encrypted with a key file kept outside it: whoever has a copy of the database,
/// but not the key file, cannot make a session cookie the server takes.
/// </summary>
public sealed class KeyFileTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_session_cookie_forged_from_a_copy_of_the_database_is_refused_unless_the_forger_has_the_key_file(Engine engine)
    {
        await using var server = await TestServer.StartAsync(engine);
        await LogInAsync(server.BaseAddress);
        var copy = await CopyAsync(server, engine);

        var withKeyFile = await ForgeSessionCookieAsync(copy, server.KeyFile);
        // Second: unable to decrypt the stored key, the forger's data protection adds a key of its own to the copy.
        var withoutKeyFile = await ForgeSessionCookieAsync(copy, keyFile: null);

        Assert.Equal(HttpStatusCode.Unauthorized, await MeAsync(server.BaseAddress, withoutKeyFile));
        // The same forgery with the key file works: it is the file, not a flaw in the forgery, that stops the first.
        Assert.Equal(HttpStatusCode.OK, await MeAsync(server.BaseAddress, withKeyFile));
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_key_an_earlier_version_stored_unencrypted_is_no_longer_trusted(Engine engine)
    {
        var spec = await TestDatabases.CreateSpecAsync(engine);
        await using (var db = await OpenAsync(spec))
            await new AccessStores(Wired.For(db)).InitAsync("coordinator", TestServer.AdminLogin, TestServer.AdminPassword, Ct);
        // Data protection without a key file stores its key in the clear, as every version before key files did.
        var oldCookie = await ForgeSessionCookieAsync(spec, keyFile: null);
        Assert.Contains(await KeyRowsAsync(spec), xml => xml.Contains("masterKey", StringComparison.Ordinal));

        await using var app = await StartAsync(spec, TestDatabases.KeyFileFor(spec));
        var address = new Uri(app.Urls.First());

        Assert.Equal(HttpStatusCode.Unauthorized, await MeAsync(address, oldCookie));
        Assert.DoesNotContain(await KeyRowsAsync(spec), xml => xml.Contains("masterKey", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.OK, await MeAsync(address, await LogInAsync(address)));
    }

    [Fact]
    public async Task The_key_file_is_made_beside_the_database_readable_by_its_owner_only_and_encrypts_every_stored_key()
    {
        await using var server = await TestServer.StartAsync(Engine.Sqlite);
        await LogInAsync(server.BaseAddress);

        Assert.Equal(server.Spec + ".key", server.KeyFile);
        Assert.Equal(FileModes.OwnerOnly, FileModes.Of(server.KeyFile));
        var id = KeyFile.Read(server.KeyFile).Id;
        var keys = await KeyRowsAsync(server.Spec);
        Assert.NotEmpty(keys);
        Assert.All(keys, xml =>
        {
            Assert.DoesNotContain("masterKey", xml, StringComparison.Ordinal);
            Assert.Equal(id, KeyFileXmlEncryptor.KeyFileOf(XElement.Parse(xml)));
        });
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_missing_or_different_key_file_stops_the_server_naming_the_file_until_the_keys_are_reset(Engine engine)
    {
        await using var first = await TestServer.StartAsync(engine);
        var cookie = await LogInAsync(first.BaseAddress);
        var other = Path.Combine(Path.GetTempPath(), "clearwing-tests", $"{Guid.NewGuid():N}.key");

        var missing = await Assert.ThrowsAsync<BadInputException>(() => StartAsync(first.Spec, other));
        Assert.Contains($"{other} does not exist", missing.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(other));
        await File.WriteAllTextAsync(other, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)), Ct);
        var different = await Assert.ThrowsAsync<BadInputException>(() => StartAsync(first.Spec, other));
        Assert.Contains($"but {other} is key file {KeyFile.Read(other).Id}", different.Message, StringComparison.Ordinal);
        Assert.Contains(KeyFile.Read(first.KeyFile).Id, different.Message, StringComparison.Ordinal);

        await using var reset = await StartAsync(first.Spec, other, reset: true);
        var address = new Uri(reset.Urls.First());
        Assert.Equal(HttpStatusCode.Unauthorized, await MeAsync(address, cookie));
        Assert.Equal(HttpStatusCode.OK, await MeAsync(address, await LogInAsync(address)));
    }

    static async Task<WebApplication> StartAsync(string spec, string? keyFile, bool reset = false)
    {
        var app = await ServerHost.BuildAsync(new ServerOptions
        {
            Database = spec, Urls = "http://127.0.0.1:0", RunWorkers = false, KeyFile = keyFile, ResetSessionKeys = reset,
        }, Ct);
        await app.StartAsync(Ct);
        return app;
    }

    static async Task<Database> OpenAsync(string spec)
    {
        var db = Database.Open(spec);
        await Migrator.MigrateAsync(db, TimeProvider.System, Ct);
        return db;
    }

    /// <summary>Logs the admin in; the session cookie's value.</summary>
    static async Task<string> LogInAsync(Uri server)
    {
        var cookies = new CookieContainer();
        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = cookies }) { BaseAddress = server };
        var login = await browser.PostAsJsonAsync("/api/v1/session", new { login = TestServer.AdminLogin, password = TestServer.AdminPassword }, Ct);
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        return cookies.GetCookies(server)["clearwing_session"]!.Value;
    }

    static async Task<HttpStatusCode> MeAsync(Uri server, string sessionCookie)
    {
        using var http = new HttpClient { BaseAddress = server };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/me");
        request.Headers.Add("Cookie", $"clearwing_session={sessionCookie}");
        return (await http.SendAsync(request, Ct)).StatusCode;
    }

    static async Task<List<string>> KeyRowsAsync(string spec)
    {
        await using var db = Database.Open(spec);
        await using var connection = await db.OpenAsync(Ct);
        return [.. await connection.QueryAsync<string>("SELECT xml FROM data_protection_keys")];
    }

    /// <summary>A copy of the server's database, as a backup or a read-only replica would be.</summary>
    static async Task<string> CopyAsync(TestServer server, Engine engine)
    {
        var copy = await TestDatabases.CreateSpecAsync(engine);
        if (engine == Engine.Sqlite)
        {
            await using var connection = await server.Db.OpenAsync(Ct);
            await connection.ExecuteAsync("VACUUM INTO @copy", new { copy });
            return copy;
        }
        var name = new NpgsqlConnectionStringBuilder(copy).Database;
        var source = new NpgsqlConnectionStringBuilder(server.Spec).Database;
        await using var admin = new NpgsqlConnection(TestDatabases.PostgresServer);
        await admin.OpenAsync(Ct);
        await admin.ExecuteAsync($"DROP DATABASE {name}");
        // A template must have no other connections; the server holds none between requests (the tests' pools are off).
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await admin.ExecuteAsync($"CREATE DATABASE {name} TEMPLATE {source}");
                return copy;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ObjectInUse && attempt < 20)
            {
                await Task.Delay(100, Ct);
            }
        }
    }

    /// <summary>
    /// What someone holding the database <paramref name="spec"/> (and perhaps a key file) can build: data protection as
    /// Clearwing sets it up, over the keys stored there, signing a coordinator admin's session with the member's current
    /// session stamp, read from the same database.
    /// </summary>
    static async Task<string> ForgeSessionCookieAsync(string spec, string? keyFile)
    {
        await using var db = await OpenAsync(spec);
        await using var connection = await db.OpenAsync(Ct);
        var (orgId, stamp) = await connection.QuerySingleAsync<(long, string)>(
            "SELECT org_id, session_stamp FROM members WHERE login = @login", new { login = TestServer.AdminLogin });

        var services = new ServiceCollection().AddLogging();
        services.AddDataProtection().SetApplicationName("clearwing");
        services.Configure<KeyManagementOptions>(o => o.XmlRepository = new StoredKeys(db));
        if (keyFile is not null) services.AddSingleton(KeyFile.Read(keyFile));
        await using var provider = services.BuildServiceProvider();
        var protector = provider.GetRequiredService<IDataProtectionProvider>()
            .CreateProtector("Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationMiddleware", Authentication.SessionScheme, "v2");
        var now = DateTimeOffset.UtcNow;
        var caller = new Caller(orgId, "coordinator", OrgKind.Coordinator, Role.Admin, $"member:{TestServer.AdminLogin}");
        var ticket = new AuthenticationTicket(Authentication.SessionPrincipal(caller, stamp, now.ToUnixTimeMilliseconds()),
            new AuthenticationProperties { IssuedUtc = now, ExpiresUtc = now.AddHours(8) }, Authentication.SessionScheme);
        return new TicketDataFormat(protector).Protect(ticket);
    }

    /// <summary>The data_protection_keys table read and written with plain SQL, as anyone with the database can.</summary>
    sealed class StoredKeys(Database db) : IXmlRepository
    {
        public IReadOnlyCollection<XElement> GetAllElements()
        {
            using var connection = db.OpenAsync().GetAwaiter().GetResult();
            return [.. connection.Query<string>("SELECT xml FROM data_protection_keys").Select(XElement.Parse)];
        }

        public void StoreElement(XElement element, string friendlyName)
        {
            using var connection = db.OpenAsync().GetAwaiter().GetResult();
            connection.Execute("INSERT INTO data_protection_keys (name, xml, created_at) VALUES (@friendlyName, @xml, 0)",
                new { friendlyName, xml = element.ToString(SaveOptions.DisableFormatting) });
        }
    }
}
