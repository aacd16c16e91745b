using Clearwing.Routing;
using Clearwing.Server.Access;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Clearwing.Server.Routing;

/// <summary>An org's channels as PUT takes them: webhooks (each a URL and the server's variable with its secret) and addresses.</summary>
public sealed record OrgChannelsBody(IReadOnlyList<WebhookChannel> Webhooks, IReadOnlyList<string> Email);

/// <summary>Notifications (docs/notifications.md): the coordinator lists them and replays dead letters; the store authorizes.</summary>
public static class NotificationsApi
{
    public static void MapNotifications(this RouteGroupBuilder api)
    {
        api.Map(ApiRoutes.ListNotifications,
                async (string? state, int? limit, HttpContext context, NotificationStore store, CancellationToken ct) => TypedResults.Ok(
                    await store.ListAsync(context.Caller(), state is null ? null : NotificationStore.ParseState(state), limit ?? 100, ct)))
            .WithSummary("Notifications of dispatched cases, newest first, optionally in one ?state= (collecting, pending, sending, retrying, " +
                "delivered, skipped, dead), at most ?limit= (default 100, at most 1000) (the coordinator).");
        api.Map(ApiRoutes.ReplayNotification, async (string id, HttpContext context, NotificationStore store, CancellationToken ct) =>
                TypedResults.Ok(await store.ReplayAsync(context.Caller(), id, ct)))
            .WithSummary("Queues a dead-lettered notification's delivery again, with the same id and all its attempts (coordinator admins " +
                "and triagers; 409 when it is not dead).");
        api.Map(ApiRoutes.GetOrgChannels, async (string org, HttpContext context, OrgChannelStore store, CancellationToken ct) =>
                TypedResults.Ok(await store.GetAsync(context.Caller(), org, ct)))
            .WithSummary("An org's own notification channels (the coordinator's members for any org, others for their own).");
        api.Map(ApiRoutes.SetOrgChannels,
                async (string org, OrgChannelsBody body, HttpContext context, OrgChannelStore store, CancellationToken ct) =>
                    TypedResults.Ok(await store.SetAsync(context.Caller(), org, body.Webhooks ?? [], body.Email ?? [], ct)))
            .WithSummary("Replaces an org's channels: where it hears that an advisory naming its products is published (the coordinator's " +
                "admins and the org's own admins).");
    }
}
