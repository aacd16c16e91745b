using Clearwing.Access;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Clearwing.Server.Access;

/// <summary>The audit chain: its events and its verification, for the coordinator; its signed heads, for anyone.</summary>
public static class AuditApi
{
    public static void MapAudit(this RouteGroupBuilder api)
    {
        // Public, as the commitments are: the more copies outside the database, the less a rewrite of it can hide.
        api.Map(ApiRoutes.ListAuditHeads, async (int? limit, KeyFile keyFile, AuditHeadStore heads, CancellationToken ct) =>
                TypedResults.Ok(new PublishedHeads(keyFile.AuditHeads.Id, keyFile.AuditHeads.PublicKey,
                    await heads.ListPageAsync(limit ?? 100, ct))))
            .AllowAnonymous()
            .WithSummary("The audit chain's signed heads, newest first, with the public key (base64 SubjectPublicKeyInfo, ECDSA P-256) " +
                "that verifies them: keep copies, and 'clearwing audit verify --head SEQ:HASH' shows a later rewrite.");
        api.Map(ApiRoutes.ListAuditEvents, async (string? subject, int? limit, HttpContext context, AuditLog audit, CancellationToken ct) =>
                TypedResults.Ok(await audit.ListAsync(context.Caller(), subject, limit ?? 100, ct)))
            .WithSummary("Audit events, newest first, optionally about one ?subject= (coordinator).");
        api.Map(ApiRoutes.VerifyAudit, async (string? head, HttpContext context, AuditLog audit, KeyFile keyFile, CancellationToken ct) =>
                TypedResults.Ok(await audit.VerifyAsync(context.Caller(), head is null ? null : AuditHead.Parse(head), keyFile.AuditHeads, null, ct)))
            .WithSummary("Recomputes the hash chain and names the first event that does not fit; the chain must hold every signed head " +
                "the server published and reach the newest, or ?head=SEQ:HASH (coordinator).");
    }
}
