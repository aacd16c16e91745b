using System.Collections.Concurrent;
using Clearwing.IntegrationTests.Storage;
using Clearwing.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Clearwing.IntegrationTests.Server;

/// <summary>What the server logs about requests at its default level: never the case ids and package names in their URLs.</summary>
public sealed class RequestLogTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Request_logs_at_the_default_level_do_not_record_case_ids_or_package_names_from_urls()
    {
        await using var server = await TestServer.StartAsync(Engine.Sqlite);
        var logs = new CapturedLogs();
        server.App.Services.GetRequiredService<ILoggerFactory>().AddProvider(logs);
        const string caseId = "5ec2e7c0ffee5ec2e7c0ffee5ec2e7c0", package = "pkg:npm/embargoed-widget";

        foreach (var path in new[] { "ssvc", "cvss", "feeds", "deadlines", "extensions", "exposure" })
            await server.Http.GetAsync($"/api/v1/cases/{caseId}/{path}", Ct);
        await server.Http.DeleteAsync($"/api/v1/cases/{caseId}/packages?purl={Uri.EscapeDataString(package)}", Ct);

        // The capture works: routing logs the endpoint's pattern (not the URL) at Information.
        Assert.Contains(logs.Lines, l => l.Contains("/api/v1/cases/{id}/exposure", StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Lines, l => l.Contains(caseId, StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Lines, l => l.Contains("embargoed-widget", StringComparison.Ordinal));
    }

    /// <summary>Every message the server's loggers write, as "category: message", at the levels the server's filters let through.</summary>
    internal sealed class CapturedLogs : ILoggerProvider
    {
        readonly ConcurrentQueue<string> _lines = new();
        public IReadOnlyCollection<string> Lines => _lines;
        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _lines);
        public void Dispose() { }

        sealed class Logger(string category, ConcurrentQueue<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                lines.Enqueue($"{category}: {formatter(state, exception)} {exception}");
        }
    }
}
