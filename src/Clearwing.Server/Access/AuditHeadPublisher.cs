using Clearwing.Access;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Clearwing.Server.Access;

/// <summary>
/// Publishes the audit chain's head, signed with the key file's key, whenever it is due (<see cref="AuditHeadStore"/>), and
/// once more when the server stops, so that the last events before a stop are anchored too. Every server on one database
/// runs one; a head is stored once.
/// </summary>
sealed class AuditHeadPublisher(AuditHeadStore heads, KeyFile keyFile, ServerOptions options, TimeProvider time, ILogger<AuditHeadPublisher> log)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.AuditHeadCheck, time);
        try
        {
            do await PublishAsync(force: false, stoppingToken);
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await PublishAsync(force: true, cancellationToken);
    }

    async Task PublishAsync(bool force, CancellationToken ct)
    {
        try
        {
            if (await heads.PublishAsync(keyFile.AuditHeads, force, ct) is { } head)
                log.LogInformation("Published the audit chain's head {Head}, signed with key {KeyId}.", head.Head, head.KeyId);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            // The next check tries again; a failed publication must not stop the server (a failed service stops the host).
            log.LogWarning(e, "Could not publish the audit chain's head.");
        }
    }
}
