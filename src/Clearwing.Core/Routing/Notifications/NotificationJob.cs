using System.Text.Json;
using Clearwing.Storage.Jobs;

namespace Clearwing.Routing;

/// <summary>
/// Delivers a notification (the job <see cref="NotificationStore.JobKind"/>): a digest stops collecting first; the cases are read as
/// the org (<see cref="NotificationContent"/>); the webhook or e-mail goes; the outcome is recorded. A failure is recorded in the
/// coordinator's words and thrown, so the queue retries with its backoff and dead-letters the last attempt. Run twice (a lease
/// lost after sending), a delivery goes twice with the same id, which receivers drop; one already recorded is not sent again.
/// </summary>
internal sealed class NotificationJob(NotificationStore store, NotificationContent content, WebhookSender webhooks, MailSender mail,
    TimeProvider time) : IJobHandler
{

    public string Kind => NotificationStore.JobKind;

    public async Task RunAsync(Job job, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(job);
        using var payload = JsonDocument.Parse(job.Payload);
        var id = payload.RootElement.GetProperty("notification").GetString()!;
        if (await store.DeliveryAsync(id, ct) is not { } delivery || delivery.DeliveredAt is not null || delivery.Outcome is not null) return;
        if (delivery.Collecting)
        {
            await store.CloseDigestAsync(id, ct);
            delivery = (await store.DeliveryAsync(id, ct))!;
        }
        try
        {
            if (delivery.Advisory is not null)
            {
                await AnnounceAsync(delivery, ct);
                return;
            }
            var read = await content.ReadAsync(delivery, ct);
            if (read.Count == 0)
            {
                await store.FinishAsync(id, false, $"nothing sent: none of its cases is granted to {delivery.Org} any more", ct);
                return;
            }
            var now = time.GetUtcNow();
            var outcome = delivery.Channel == NotificationChannel.Webhook
                ? await webhooks.SendAsync(delivery.Target, delivery.SecretEnv!, id, NotificationContent.WebhookBody(delivery, read, now), ct)
                : await mail.SendAsync(content.Email(delivery, read, now), ct);
            await store.FinishAsync(id, true, outcome, ct);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            await store.FailedAsync(id, Describe(e), CancellationToken.None);
            throw;
        }
    }

    async Task AnnounceAsync(Delivery delivery, CancellationToken ct)
    {
        if (await content.ReadAdvisoryAsync(delivery, ct) is not { } notice)
        {
            await store.FinishAsync(delivery.Id, false, $"nothing sent: {delivery.Advisory} names none of {delivery.Org}'s products any more", ct);
            return;
        }
        var now = time.GetUtcNow();
        var outcome = delivery.Channel == NotificationChannel.Webhook
            ? await webhooks.SendAsync(delivery.Target, delivery.SecretEnv!, delivery.Id,
                NotificationContent.AdvisoryWebhookBody(delivery, notice, now), ct)
            : await mail.SendAsync(content.AdvisoryEmail(delivery, notice, now), ct);
        await store.FinishAsync(delivery.Id, true, outcome, ct);
    }

    /// <summary>The failure as the listing shows it: the message and its causes, without a stack trace.</summary>
    static string Describe(Exception e)
    {
        var parts = new List<string> { e.Message };
        for (var inner = e.InnerException; inner is not null && parts.Count < 4; inner = inner.InnerException)
            if (!parts[^1].Contains(inner.Message, StringComparison.Ordinal)) parts.Add(inner.Message);
        return string.Join(" — ", parts);
    }
}
