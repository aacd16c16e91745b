using Clearwing.Cases;
using Clearwing.Findings;
using Clearwing.Server.Access;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Clearwing.Server.Findings;

public static class FindingsApi
{
    public static void MapFindings(this RouteGroupBuilder api)
    {
        api.Map(ApiRoutes.ListFindings, ListAsync)
            .WithSummary("Findings, filtered by case and/or project, newest first; page by ?after= (the `next` a page ends with) or by offset.");
        api.Map(ApiRoutes.GetFinding, GetAsync)
            .WithSummary("One finding with its snippet and evidence, whether its tool still reports it, and why it is in its case.");
    }

    static async Task<Ok<FindingDetail>> GetAsync(string id, HttpContext context, FindingQueries findings, CancellationToken ct)
    {
        // Outside the caller's need-to-know and nonexistent answer alike (404).
        var detail = await findings.GetAsync(context.Caller(), id, ct);
        await context.AuditReadAsync($"case:{detail.Finding.Case}", $"finding {id}");
        return TypedResults.Ok(detail);
    }

    static async Task<Ok<Page<Finding>>> ListAsync(
        HttpContext context, FindingQueries findings, string? @case, string? project, int? offset, int? limit, string? after, CancellationToken ct)
    {
        var page = await findings.ListAsync(context.Caller(), new FindingFilter(@case, project, offset ?? 0, limit ?? 100, after), ct);
        if (page.Items.Count > 0)
            await context.AuditReadAsync(@case is null ? $"project:{project ?? "*"}" : $"case:{@case}",
                "findings of " + string.Join(",", page.Items.Select(f => f.Case).Distinct()));
        return TypedResults.Ok(page);
    }
}
