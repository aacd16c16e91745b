using Clearwing.Finders.Campaigns;
using Clearwing.Server.Access;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Clearwing.Server.Finders;

/// <summary>A grant of usage credits to an org (docs/campaigns.md, "Credits"); a negative amount takes some back.</summary>
public sealed record GrantCreditsRequest(decimal Amount, string Currency, string? Note);

/// <summary>
/// Campaigns and usage credits through the API: status and spend, read-only (a campaign runs where its repositories are checked
/// out, with the database: <c>clearwing campaign run</c>). The coordinator sees every campaign and org; an org sees the campaigns
/// it pays for and its own credits; the coordinator's admins grant credits.
/// </summary>
public static class CampaignsApi
{
    public static void MapCampaigns(this RouteGroupBuilder api)
    {
        api.Map(ApiRoutes.ListCampaigns, async (HttpContext context, CampaignStore campaigns, CancellationToken ct) =>
                TypedResults.Ok(await campaigns.ListAsync(context.Caller(), ct)))
            .WithSummary("Lists the campaigns the caller may see (the coordinator: all; an org: those it pays for), newest first.");
        api.Map(ApiRoutes.GetCampaign, async (long id, HttpContext context, CampaignStore campaigns, CancellationToken ct) =>
                TypedResults.Ok(await campaigns.GetAsync(context.Caller(), id, ct)))
            .WithSummary("A campaign's status: repositories done, units, findings, cases, spend per model and per repository run.");
        api.Map(ApiRoutes.ListCredits, async (HttpContext context, CreditStore credits, CancellationToken ct) =>
                TypedResults.Ok(await credits.ListAsync(context.Caller(), ct)))
            .WithSummary("Usage credits: each visible org's grants, spend and balance, with spend per campaign, repository and model.");
        api.Map(ApiRoutes.GetCredits, async (string org, HttpContext context, CreditStore credits, CancellationToken ct) =>
                TypedResults.Ok(await credits.GetAsync(context.Caller(), org, ct)))
            .WithSummary("One org's usage credits (the coordinator: any org; others: their own).");
        api.Map(ApiRoutes.GrantCredits, async (string org, GrantCreditsRequest body, HttpContext context, CreditStore credits,
                CancellationToken ct) =>
                TypedResults.Ok(await credits.GrantAsync(context.Caller(), org, body.Amount, body.Currency, body.Note, ct)))
            .WithSummary("Grants an org usage credits (the coordinator's admins); a negative amount takes some back.");
    }
}
