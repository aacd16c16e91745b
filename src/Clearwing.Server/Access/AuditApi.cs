using Clearwing.Access;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Clearwing.Server.Access;

/// <summary>The audit chain: its events and its verification, for the coordinator.</summary>
public static class AuditApi
{
    public static void MapAudit(this RouteGroupBuilder api)
    {
        api.Map(ApiRoutes.ListAuditEvents, async (string? subject, int? limit, HttpContext context, AuditLog audit, CancellationToken ct) =>
                TypedResults.Ok(await audit.ListAsync(context.Caller(), subject, limit ?? 100, ct)))
            .WithSummary("Audit events, newest first, optionally about one ?subject= (coordinator).");
        api.Map(ApiRoutes.VerifyAudit, async (string? head, HttpContext context, AuditLog audit, CancellationToken ct) =>
                TypedResults.Ok(await audit.VerifyAsync(context.Caller(), head is null ? null : AuditHead.Parse(head), null, ct)))
            .WithSummary(
                "Recomputes the hash chain and names the first event that does not fit; ?head=SEQ:HASH must still be reached (coordinator).");
    }
}
