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
        api.MapGet("/cases/{id}/ssvc", async (string id, HttpContext context, CaseSsvc ssvc, CancellationToken ct) =>
                TypedResults.Ok(await ssvc.GetAsync(context.Caller(), id, ct)))
            .WithName("GetCaseSsvc").WithSummary("A case's SSVC decision points and the decision of each table, explained.");
        api.MapPut("/cases/{id}/ssvc", async (string id, Dictionary<string, string> values, HttpContext context, CaseSsvc ssvc, CancellationToken ct) =>
                TypedResults.Ok(await ssvc.SetAsync(context.Caller(), id, values, ct)))
            .WithName("SetCaseSsvc").WithSummary("Sets decision point values ({\"exploitation\":\"public poc\",…}; coordinator and validators).");
    }
}
