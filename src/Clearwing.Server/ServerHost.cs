using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using Clearwing.Access;
using Clearwing.Cases;
using Clearwing.Disclosure;
using Clearwing.Findings;
using Clearwing.Hosting;
using Clearwing.Server.Access;
using Clearwing.Server.Cases;
using Clearwing.Server.Scoring;
using Clearwing.Scoring;
using Clearwing.Server.Disclosure;
using Clearwing.Server.Findings;
using Clearwing.Server.Finders;
using Clearwing.Server.Jobs;
using Clearwing.Server.Packages;
using Clearwing.Server.Routing;
using Clearwing.Server.Validation;
using Clearwing.Server.Web;
using Clearwing.Packages;
using Clearwing.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Clearwing.Server;

/// <summary>Settings of the web host; every one has a default that works with no configuration.</summary>
public sealed record ServerOptions
{
    public string Database { get; init; } = Storage.Database.DefaultPath;
    public string Urls { get; init; } = "http://127.0.0.1:8080";
    /// <summary>Largest import request body, compressed or not, in bytes (default 1 GiB).</summary>
    public long MaxImportBytes { get; init; } = 1L << 30;
    /// <summary>
    /// Largest SBOM upload, decompressed, in bytes (default 64 MiB). SBOMs have a limit of their own, far below
    /// <see cref="MaxImportBytes"/>: the least trusted orgs (downstream) send them, and a product's SBOM is rarely over a
    /// few MiB.
    /// </summary>
    public long MaxSbomBytes { get; init; } = 64L << 20;
    /// <summary>What one uploaded SBOM may hold (<see cref="SbomLimits.Uploads"/>).</summary>
    public SbomLimits SbomLimits { get; init; } = SbomLimits.Uploads;
    /// <summary>Run the job workers inside the web host (clearwing serve does; tests may not).</summary>
    public bool RunWorkers { get; init; } = true;
    /// <summary>The job workers run inside the web host: how many, their leases, how long a job may run.</summary>
    public JobWorkersOptions Jobs { get; init; } = new();
    /// <summary>Password logins allowed per client address per minute; the per-login lockout is separate.</summary>
    public int LoginAttemptsPerMinute { get; init; } = 10;
    /// <summary>
    /// Password logins allowed per minute from all clients together (429 beyond): a flood from many addresses must not
    /// take the cores that serve everyone else.
    /// </summary>
    public int TotalLoginAttemptsPerMinute { get; init; } = 300;
    /// <summary>Requests allowed per minute to each caller (token or session), or to each address before authentication (429 beyond).</summary>
    public int RequestsPerMinute { get; init; } = 600;
    /// <summary>
    /// The key file that encrypts the web-session keys in the database (docs/access.md); null for the default: beside a
    /// SQLite database, in the user's data folder for PostgreSQL. Every server on one database needs the same file.
    /// </summary>
    public string? KeyFile { get; init; }
    /// <summary>Delete the web-session keys at start-up and make new ones with <see cref="KeyFile"/>: every web session ends.</summary>
    public bool ResetSessionKeys { get; init; }
    /// <summary>
    /// Reverse proxies whose X-Forwarded-For and X-Forwarded-Proto are believed. Without them every client
    /// behind a proxy would share one rate limit, and cookies would not know the request was HTTPS.
    /// </summary>
    public IReadOnlyList<string> TrustedProxies { get; init; } = [];
    /// <summary>
    /// How often the server checks whether the audit chain's head is due to be published (<see cref="AuditHeadStore"/>: every
    /// 1,000 events, at least hourly while events come, and when the server stops).
    /// </summary>
    public TimeSpan AuditHeadCheck { get; init; } = TimeSpan.FromMinutes(1);
    /// <summary>Load the demo program (<see cref="DemoProgram"/>) into the database, which must be empty, and log its sign-ins.</summary>
    public bool Demo { get; init; }
}

/// <summary>Builds the web application: the table of contents of the server, one Add/Map per feature.</summary>
public static class ServerHost
{
    public static async Task<WebApplication> BuildAsync(ServerOptions options, CancellationToken ct = default)
    {
        var db = Database.Open(options.Database, Database.ServerPageCacheMiB);
        await Migrator.MigrateAsync(db, TimeProvider.System, ct);
        var demo = options.Demo ? await LoadDemoAsync(db, ct) : null;

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(options.Urls);
        // URLs name cases and packages, embargoed until disclosure, and ASP.NET Core's hosting logs every request's URL
        // ("Request starting …") at Information. That category logs warnings only, so the default level records no
        // embargoed id; registered after the configuration's rules, it wins over them (docs/access.md, "Logs").
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning);
        // Small bodies everywhere (a login must not be a megabyte); the import endpoint raises its own limit.
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = MaxJsonBodyBytes);
        builder.Services.AddSingleton(options);
        builder.Services.AddClearwing(db);
        builder.Services.AddClearwingAccess(options);
        builder.Services.AddProblemDetails();
        builder.Services.AddClearwingWeb(options);
        builder.Services.AddOpenApi(o => o.AddDocumentTransformer((document, _, _) =>
        {
            // Named for the product, not for the process that hosts it (the tests' host would name it after itself).
            document.Info.Title = "Clearwing";
            document.Info.Version = "v1";
            return Task.CompletedTask;
        }));
        builder.Services.Configure<JsonOptions>(o => ApiJson.Configure(o.SerializerOptions));
        if (options.RunWorkers) builder.Services.AddJobWorkers(options.Jobs);

        var app = builder.Build();
        KeyFile keyFile;
        try
        {
            // Now, not at the first request: a missing or wrong key file stops the server here, with its name.
            keyFile = app.Services.GetRequiredService<KeyFile>();
        }
        catch
        {
            await app.DisposeAsync();
            await db.DisposeAsync();
            throw;
        }
        // Without orgs, whoever reads this console sets the program up in the browser (docs/access.md); the demo has its sign-ins.
        var setupCode = demo is null ? await app.Services.GetRequiredService<SetupCodeStore>().IssueAsync(ct) : null;
        if (options.TrustedProxies.Count > 0)
        {
            var forwarded = new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto };
            foreach (var proxy in options.TrustedProxies)
                forwarded.KnownProxies.Add(
                    IPAddress.TryParse(proxy, out var ip) ? ip : throw new BadInputException($"--trusted-proxy {proxy}: expected an IP address."));
            app.UseForwardedHeaders(forwarded);
        }
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseClearwingAccess();
        // The API's shape is public; the data behind it is not.
        app.MapOpenApi("/api/v1/openapi.json").AllowAnonymous();
        var api = app.MapGroup("/api/v1").AddEndpointFilter(Problems.MapExceptions);
        api.MapAccess();
        api.MapImports();
        api.MapCases();
        api.MapProjects();
        api.MapNotifications();
        api.MapLifecycle();
        api.MapSsvc();
        api.MapCvss();
        api.MapFeeds();
        api.MapSbom();
        api.MapExposure();
        api.MapAdvisories();
        api.MapFindings();
        api.MapCommitments();
        api.MapCaseAdvisories();
        api.MapDisclosure();
        api.MapAudit();
        api.MapJobs();
        api.MapScans();
        api.MapCampaigns();
        api.MapValidation();
        api.MapOverview();
        api.MapForecast();
        app.MapPublicFeed();
        app.MapClearwingWeb();

        app.Lifetime.ApplicationStarted.Register(() =>
        {
            app.Logger.LogInformation("Clearwing is serving {Database} on {Urls}; every request needs a token or a session.",
                db.Display, string.Join(", ", app.Urls));
            app.Logger.LogInformation("Web-session keys are encrypted with {KeyFile}.", keyFile);
            if (demo is not null)
                app.Logger.LogInformation("Loaded the demo program in {Seconds:0.0} s: {Findings} findings in {Cases} cases of {Projects} " +
                    "projects. Sign in at {Url} as one of its members (passwords shown once):\n{SignIns}",
                    demo.Took.TotalSeconds, demo.Findings, demo.Cases, demo.Projects, app.Urls.First(), demo.SignInTable());
            if (setupCode is not null)
                app.Logger.LogWarning("No orgs yet. Set Clearwing up in the browser: open {Link} (one use, within {Hours} hours), " +
                    "or run 'clearwing admin init --org NAME --admin LOGIN' on {Database}.",
                    SetupLink(app.Urls.First(), setupCode), SetupCodeStore.Lifetime.TotalHours, db.Display);
            if (app.Urls.Any(u => u.StartsWith("http:", StringComparison.OrdinalIgnoreCase) && !IsLoopback(u)))
                app.Logger.LogWarning("Plain HTTP on a non-loopback address: tokens and sessions cross the network unencrypted. " +
                    "Put TLS in front (a reverse proxy) or use an https:// URL.");
        });
        return app;
    }

    /// <summary>The demo program on an empty database; refused, with the database closed, on one that holds data.</summary>
    static async Task<DemoSummary> LoadDemoAsync(Database db, CancellationToken ct)
    {
        try
        {
            return await DemoProgram.LoadAsync(db, TimeProvider.System, ct);
        }
        catch
        {
            await db.DisposeAsync();
            throw;
        }
    }

    /// <summary>The setup page on the first bound URL; a wildcard host (0.0.0.0, *, +, [::]) is reached as localhost.</summary>
    static string SetupLink(string url, string code)
    {
        var uri = new UriBuilder(url.Replace("*", "0.0.0.0").Replace("+", "0.0.0.0")) { Path = "/setup", Query = $"code={code}" };
        if (uri.Host is "0.0.0.0" or "[::]") uri.Host = "localhost";
        return uri.Uri.ToString();
    }

    /// <summary>The body limit of every endpoint but imports.</summary>
    public const long MaxJsonBodyBytes = 1 << 20;

    static bool IsLoopback(string url)
    {
        var host = new Uri(url.Replace("*", "0.0.0.0").Replace("+", "0.0.0.0")).Host;
        return host == "localhost" || (IPAddress.TryParse(host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
    }
}
