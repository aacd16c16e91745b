using Clearwing.Hosting;
using Clearwing.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Clearwing.Server.Jobs;

/// <summary>The host of <c>clearwing worker</c>: the application as <c>serve</c> wires it, with job workers and no web API.</summary>
public static class WorkerHost
{
    /// <param name="db">Opened and migrated by the caller, who disposes it after the host.</param>
    /// <param name="workers">Workers in this process, their leases and time limit.</param>
    public static IHost Build(Database db, JobWorkersOptions workers)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddClearwing(db);
        builder.Services.AddJobWorkers(workers);
        return builder.Build();
    }
}
