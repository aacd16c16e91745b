using Clearwing.Cases;
using Clearwing.Server.Access;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Clearwing.Server.Cases;

public static class CasesApi
{
    public static void MapCases(this RouteGroupBuilder api)
    {
        api.MapGet("/cases", ListAsync).WithName("ListCases")
            .WithSummary("Cases in priority order (docs/priority.md), each with the factors behind its place; ?sort=severity|recent for other orders.");
        api.MapGet("/cases/{id}", GetAsync).WithName("GetCase").WithSummary("One case with its priority factors, its fingerprints and its merges and splits.");
    }

    static async Task<Ok<Page<CaseSummary>>> ListAsync(
        HttpContext context, CaseQueries cases, string? project, string? state, int? offset, int? limit, string? sort, CancellationToken ct)
    {
        var order = sort is null ? CaseSort.Priority : CaseSorts.Parse(sort);
        var page = await cases.ListAsync(context.Caller(), new CaseFilter(project, state is null ? null : Lifecycle.ParseState(state), offset ?? 0, limit ?? 100, order), ct);
        var embargoed = page.Items.Where(c => c.State != CaseState.Disclosed).Select(c => c.Id).ToList();
        if (embargoed.Count > 0) await context.AuditTokenReadAsync("cases", string.Join(",", embargoed));
        return TypedResults.Ok(page);
    }

    static async Task<Results<Ok<CaseDetail>, ProblemHttpResult>> GetAsync(string id, HttpContext context, CaseQueries cases, CancellationToken ct)
    {
        // Outside the caller's need-to-know and nonexistent answer alike.
        if (await cases.GetAsync(context.Caller(), id, ct) is not { } detail)
            return TypedResults.Problem($"No case {id}.", statusCode: StatusCodes.Status404NotFound, title: "Not found");
        if (detail.Case.State != CaseState.Disclosed) await context.AuditTokenReadAsync($"case:{id}", "case");
        return TypedResults.Ok(detail);
    }
}
