using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using Clearwing.Cases;
using Clearwing.Findings;
using Clearwing.Server.Cases;
using Clearwing.Server.Findings;
using Clearwing.Server.Jobs;
using Clearwing.Storage;
using Microsoft.AspNetCore.Builder;
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
    /// <summary>Run the job workers inside the web host (clearwing serve does; tests may not).</summary>
    public bool RunWorkers { get; init; } = true;
    public int Workers { get; init; } = 2;
}

/// <summary>Builds the web application: the table of contents of the server, one Add/Map per feature.</summary>
public static class ServerHost
{
    public static async Task<WebApplication> BuildAsync(ServerOptions options, CancellationToken ct = default)
    {
        RequireLoopback(options.Urls);
        var db = Database.Open(options.Database);
        await Migrator.MigrateAsync(db, ct);

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(options.Urls);
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = options.MaxImportBytes);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(db);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<Clearwing.Access.AuditLog>();
        builder.Services.AddSingleton<Importer>();
        builder.Services.AddSingleton<CaseQueries>();
        builder.Services.AddSingleton<FindingQueries>();
        builder.Services.AddProblemDetails();
        builder.Services.AddOpenApi();
        builder.Services.Configure<JsonOptions>(o => ConfigureJson(o.SerializerOptions));
        if (options.RunWorkers) builder.Services.AddJobWorkers(options.Workers);

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.MapOpenApi("/api/v1/openapi.json");
        var api = app.MapGroup("/api/v1");
        api.MapImports();
        api.MapCases();
        api.MapFindings();

        app.Lifetime.ApplicationStarted.Register(() => app.Logger.LogWarning(
            "Clearwing is serving {Database} on {Urls}. Authentication is not enforced yet, so it listens on loopback only.",
            db.Display, string.Join(", ", app.Urls)));
        return app;
    }

    public static void ConfigureJson(JsonSerializerOptions json)
    {
        json.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        json.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
        json.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
    }

    /// <summary>Until access control lands, anything but a loopback address is refused.</summary>
    static void RequireLoopback(string urls)
    {
        foreach (var url in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var host = new Uri(url.Replace("*", "0.0.0.0").Replace("+", "0.0.0.0")).Host;
            var loopback = host == "localhost" || (IPAddress.TryParse(host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
            if (!loopback)
                throw new ArgumentException($"Refusing to listen on {url}: without authentication Clearwing serves loopback addresses only (127.0.0.1, [::1], localhost).");
        }
    }
}
