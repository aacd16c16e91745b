using Clearwing.Cli;
using Clearwing.Hosting;
using Clearwing.IntegrationTests.Storage;
using Clearwing.Server;
using Clearwing.Server.Jobs;
using Clearwing.Storage;
using Clearwing.Storage.Jobs;
using Microsoft.Extensions.DependencyInjection;

namespace Clearwing.IntegrationTests.Hosting;

/// <summary>One wiring: <c>serve</c>, <c>worker</c> and the command line on a database resolve the same application.</summary>
public sealed class ClearwingServicesTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Every service <see cref="ClearwingServices.AddClearwing"/> registers.</summary>
    static List<Type> Registered(Database db) =>
        new ServiceCollection().AddClearwing(db).Select(d => d.ServiceType).Distinct().ToList();

    static List<string> Handlers(IServiceProvider services) =>
        services.GetServices<IJobHandler>().Select(h => $"{h.Kind} ({h.GetType().FullName})").Order().ToList();

    [Fact]
    public async Task Serve_worker_and_the_command_line_resolve_the_same_job_handlers_and_stores()
    {
        var spec = await TestDatabases.CreateSpecAsync(Engine.Sqlite);
        await using var app = await ServerHost.BuildAsync(new ServerOptions { Database = spec, Urls = "http://127.0.0.1:0", RunWorkers = false }, Ct);
        await using var db = Database.Open(spec);
        using var worker = WorkerHost.Build(db, new JobWorkersOptions(Workers: 1));
        var io = new CliIO(TextWriter.Null, TextWriter.Null, TextReader.Null, _ => null);
        var parsed = new System.CommandLine.RootCommand { CliApp.Db }.Parse(["--db", spec]);
        await using var cli = await io.OpenServicesAsync(parsed, Ct);
        var cliProvider = cli.Services;

        Assert.Equal(Handlers(app.Services), Handlers(worker.Services));
        Assert.Equal(Handlers(app.Services), Handlers(cliProvider));
        var registered = Registered(db);
        Assert.Contains(typeof(TimeProvider), registered);
        foreach (var type in registered.Where(t => t != typeof(IJobHandler)))
        {
            Assert.NotNull(app.Services.GetService(type));
            Assert.NotNull(worker.Services.GetService(type));
            Assert.NotNull(cliProvider.GetService(type));
        }
    }

    [Fact]
    public async Task A_clock_registered_first_replaces_the_system_clock()
    {
        await using var db = await TestDatabases.CreateAsync(Engine.Sqlite);
        var fake = new Support.FakeTime();
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(fake);

        await using var provider = services.AddClearwing(db).BuildServiceProvider();

        Assert.Same(fake, provider.GetRequiredService<TimeProvider>());
    }
}
