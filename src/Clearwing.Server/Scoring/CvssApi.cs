using Clearwing.Scoring;
using Clearwing.Server.Access;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Clearwing.Server.Scoring;

public sealed record CvssBody(string Vector, string? Reason);

public static class CvssApi
{
    public static void MapCvss(this RouteGroupBuilder api)
    {
        api.Map(ApiRoutes.GetCaseCvss, async (string id, HttpContext context, CaseCvss cvss, CancellationToken ct) =>
                TypedResults.Ok(await cvss.GetAsync(context.Caller(), id, ct)))
            .AuditsCaseRead("cvss")
            .WithSummary("A case's CVSS: the current vector, who set which, and what the findings reported.");
        api.Map(ApiRoutes.SetCaseCvss, async (string id, CvssBody body, HttpContext context, CaseCvss cvss, CancellationToken ct) =>
                TypedResults.Ok(await cvss.SetAsync(context.Caller(), id, body.Vector ?? "", body.Reason, ct)))
            .WithSummary("Sets the case's CVSS vector (2.0, 3.0, 3.1 or 4.0; coordinator and validators); earlier ones stay in its history.");
    }
}
