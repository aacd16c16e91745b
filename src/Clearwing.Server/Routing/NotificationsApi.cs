using Clearwing.Routing;
using Clearwing.Server.Access;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Clearwing.Server.Routing;

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
    }
}
