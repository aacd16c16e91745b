using Clearwing.Scoring;
using Clearwing.Server.Access;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Clearwing.Server.Scoring;

public static class FeedsApi
{
    public static void MapFeeds(this RouteGroupBuilder api)
    {
        api.MapGet("/cases/{id}/feeds", async (string id, HttpContext context, FeedStore feeds, CancellationToken ct) =>
                TypedResults.Ok(await feeds.GetAsync(context.Caller(), id, ct)))
            .WithName("GetCaseFeeds").WithSummary("A case's aliases and what CISA KEV and FIRST EPSS say about them.");
        api.MapPost("/cases/{id}/aliases", async (string id, List<string> aliases, HttpContext context, FeedStore feeds, CancellationToken ct) =>
                TypedResults.Ok(await feeds.AddAliasesAsync(context.Caller(), id, aliases, ct)))
            .WithName("AddCaseAliases").WithSummary("Adds aliases (CVE, GHSA, … ids) to a case (coordinator); feeds match cases by them.");
    }
}
