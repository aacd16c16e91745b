using Clearwing.Cases;
using Clearwing.Server.Access;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Clearwing.Server.Cases;

/// <param name="Cases">The cases merged into the one named in the route.</param>
public sealed record MergeRequest(IReadOnlyList<string> Cases, string Reason);
public sealed record SplitRequest(IReadOnlyList<string> Fingerprints, string Reason);
public sealed record SplitResponse(string Id);

public static class CasesApi
{
    public static void MapCases(this RouteGroupBuilder api)
    {
        api.Map(ApiRoutes.ListCases, ListAsync)
            .WithSummary(
                "Cases in priority order (docs/priority.md), each with the factors behind its place; ?sort=deadline|age|severity|recent for " +
                "other orders; filters state (several: state=new,triage or repeated), project, signal, minSeverity, minPriority, finder, " +
                "deadline (passed or days), exposed; page by ?after= (the `next` a page ends with) or by offset; `total` counts up to 1,000 " +
                "(`totalCapped` beyond) unless ?total=exact (docs/case-queue.md).");
        api.Map(ApiRoutes.GetCase, GetAsync).WithSummary("One case with its priority factors, its fingerprints and its merges and splits.");
        api.Map(ApiRoutes.MergeCases, async (string id, MergeRequest body, HttpContext context, CaseEditor editor, CancellationToken ct) =>
            {
                await editor.MergeAsync(context.Caller(), id, body.Cases ?? [], body.Reason ?? "", ct);
                return TypedResults.NoContent();
            })
            .WithSummary("Merges cases that share one root cause into this one, with the reason (coordinator admins and triagers).");
        api.Map(ApiRoutes.SplitCase, async (string id, SplitRequest body, HttpContext context, CaseEditor editor, CancellationToken ct) =>
                TypedResults.Ok(new SplitResponse(await editor.SplitAsync(context.Caller(), id, body.Fingerprints ?? [], body.Reason ?? "", ct))))
            .WithSummary("Moves some fingerprints of this case into a new case, with the reason; " +
                "returns the new case's id (coordinator admins and triagers).");
    }

    static async Task<Ok<Page<CaseSummary>>> ListAsync(
        HttpContext context, CaseQueries cases, string? project, string[]? state, int? offset, int? limit, string? sort, string? signal,
        string? after, string? minSeverity, int? minPriority, string? finder, string? deadline, bool? exposed, string? total,
        CancellationToken ct)
    {
        var filter = Filter(project, state, sort, signal, after, minSeverity, minPriority, finder, deadline, exposed) with
        {
            Offset = offset ?? 0, Limit = limit ?? 100, ExactTotal = Blank(total) is { } count && CaseFilters.ParseTotal(count),
        };
        return TypedResults.Ok(await ReadListAsync(context, cases, filter, ct));
    }

    /// <summary>
    /// The case list's filter from the query's values as the API and the case queue page receive them (docs/case-queue.md): a blank
    /// value is no filter, as an empty field of the page's form sends it, so the page's URL asks the API the same.
    /// </summary>
    public static CaseFilter Filter(string? project, IEnumerable<string>? state, string? sort, string? signal, string? after,
        string? minSeverity, int? minPriority, string? finder, string? deadline, bool? exposed) =>
        new(Blank(project), null, 0, 100, Blank(sort) is { } order ? CaseSorts.Parse(order) : CaseSort.Priority,
            Blank(signal) is { } name ? SecuritySignals.Parse(name) : null, Blank(after))
        {
            States = CaseFilters.ParseStates(state ?? []),
            MinSeverity = Blank(minSeverity) is { } severity ? CaseFilters.ParseSeverity(severity) : null,
            MinPriority = minPriority,
            Finder = Blank(finder),
            Deadline = Blank(deadline) is { } window ? DeadlineWindow.Parse(window) : null,
            Exposed = exposed,
        };

    static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    static async Task<Results<Ok<CaseDetail>, ProblemHttpResult>> GetAsync(string id, HttpContext context, CaseQueries cases, CancellationToken ct) =>
        // Outside the caller's need-to-know and nonexistent answer alike.
        await ReadAsync(context, cases, id, ct) is { } detail
            ? TypedResults.Ok(detail)
            : TypedResults.Problem($"No case {id}.", statusCode: StatusCodes.Status404NotFound, title: "Not found");

    /// <summary>A page of the caller's cases, its embargoed ones recorded as read: the API's listing and the case queue page.</summary>
    public static async Task<Page<CaseSummary>> ReadListAsync(HttpContext context, CaseQueries cases, CaseFilter filter, CancellationToken ct)
    {
        var page = await cases.ListAsync(context.Caller(), filter, ct);
        var embargoed = page.Items.Where(c => c.State != CaseState.Disclosed).Select(c => c.Id).ToList();
        if (embargoed.Count > 0) await context.AuditReadAsync("cases", string.Join(",", embargoed));
        return page;
    }

    /// <summary>One case, recorded as read while embargoed; null outside need-to-know: the API's case and the case page.</summary>
    public static async Task<CaseDetail?> ReadAsync(HttpContext context, CaseQueries cases, string id, CancellationToken ct, string what = "case")
    {
        if (await cases.GetAsync(context.Caller(), id, ct) is not { } detail) return null;
        if (detail.Case.State != CaseState.Disclosed) await context.AuditReadAsync($"case:{id}", what);
        return detail;
    }
}
