using Clearwing.Scoring;
using Clearwing.Server.Access;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Clearwing.Server.Scoring;

public static class SsvcApi
{
    public static void MapSsvc(this RouteGroupBuilder api)
    {
        api.Map(ApiRoutes.GetCaseSsvc, async (string id, HttpContext context, CaseSsvc ssvc, CancellationToken ct) =>
                TypedResults.Ok(await ssvc.GetAsync(context.Caller(), id, ct)))
            .AuditsCaseRead("ssvc")
            .WithSummary("A case's SSVC decision points and the decision of each table, explained.");
        api.Map(ApiRoutes.SetCaseSsvc,
                async (string id, Dictionary<string, string> values, HttpContext context, CaseSsvc ssvc, CancellationToken ct) =>
                    TypedResults.Ok(await ssvc.SetAsync(context.Caller(), id, values, ct)))
            .WithSummary("Sets decision point values ({\"exploitation\":\"public poc\",…}; coordinator and validators).");
    }
}
