using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Clearwing.Access;
using Clearwing.IntegrationTests.Storage;
using Clearwing.IntegrationTests.Support;
using Clearwing.Server;
using Clearwing.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Clearwing.IntegrationTests.Server;

/// <summary>
/// What a server prints when it starts on a database without orgs: a one-time setup link whose code sets the program up;
/// and with <c>--demo</c>, the demo program's sign-ins, which log in through the API. <c>serve --demo</c> on a database with
/// data stops with bad input, naming it.
/// </summary>
public sealed partial class FirstStartTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Builds a server on a new database, captures its logs from the start, and starts it.</summary>
    static async Task<(WebApplication App, RequestLogTests.CapturedLogs Logs, string Spec)> StartAsync(Engine engine, bool demo)
    {
        var spec = await TestDatabases.CreateSpecAsync(engine);
        var app = await ServerHost.BuildAsync(new ServerOptions
        {
            Database = spec, Urls = "http://127.0.0.1:0", RunWorkers = false, KeyFile = TestDatabases.KeyFileFor(spec), Demo = demo,
        }, Ct);
        var logs = new RequestLogTests.CapturedLogs();
        app.Services.GetRequiredService<ILoggerFactory>().AddProvider(logs);
        await app.StartAsync(Ct);
        return (app, logs, spec);
    }

    [GeneratedRegex(@"(http://127\.0\.0\.1:\d+)/setup\?code=([A-Za-z0-9_-]{43})")]
    private static partial Regex SetupLink();

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_server_without_orgs_prints_a_setup_link_whose_code_sets_the_program_up(Engine engine)
    {
        var (app, logs, spec) = await StartAsync(engine, demo: false);
        await using var _ = app;

        var link = SetupLink().Match(Assert.Single(logs.Lines, l => l.Contains("/setup?code=", StringComparison.Ordinal)));
        Assert.True(link.Success);
        Assert.Equal(app.Urls.First(), link.Groups[1].Value);
        Assert.Contains(logs.Lines, l => l.Contains("admin init", StringComparison.Ordinal));
        await using var db = Database.Open(spec);
        await Wired.For(db).Get<SetupCodeStore>().RedeemAsync(link.Groups[2].Value, "cert", "admin@cert.example", "correct horse battery staple", Ct);
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
        using var login = await http.PostAsJsonAsync(
            "/api/v1/session", new { login = "admin@cert.example", password = "correct horse battery staple" }, Ct);
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
    }

    [Fact]
    public async Task A_demo_server_prints_its_sign_ins_which_log_in_and_no_setup_link()
    {
        var (app, logs, _) = await StartAsync(Engine.Sqlite, demo: true);
        await using var __ = app;

        var printed = Assert.Single(logs.Lines, l => l.Contains("Loaded the demo program", StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Lines, l => l.Contains("/setup?code=", StringComparison.Ordinal));
        // One row per sign-in: login, org, kind, role, password.
        var rows = printed.Split('\n').Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(r => r is [_, _, _, _, _] && r[0].Contains('@')).ToList();
        Assert.Equal(7, rows.Count);
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
        var maintainer = rows.First(r => r[2] == "maintainer");
        using var login = await http.PostAsJsonAsync("/api/v1/session", new { login = maintainer[0], password = maintainer[4] }, Ct);
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task Serve_demo_on_a_database_with_data_stops_with_bad_input_naming_it(Engine engine)
    {
        var spec = await TestDatabases.CreateSpecAsync(engine);
        var keyFile = TestDatabases.KeyFileFor(spec);
        Assert.Equal(0, (await Cli.CliTests.Run("admin", "init", "--org", "cert", "--admin", "admin@cert.example", "--db", spec)).Exit);

        var (exit, _, error) = await Cli.CliTests.Run(
            ["serve", "--demo", "--urls", "http://127.0.0.1:0", "--db", spec, .. keyFile is null ? Array.Empty<string>() : ["--key-file", keyFile]]);

        await using var db = Database.Open(spec);
        Assert.Equal(2, exit);
        Assert.Contains("--demo", error);
        Assert.Contains(db.Display, error);
        Assert.Single(await Wired.For(db).Get<OrgStore>().ListOrgsAsync(Caller.Local, Ct));
    }
}
