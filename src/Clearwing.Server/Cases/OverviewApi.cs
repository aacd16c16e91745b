using Clearwing.Cases;
using Clearwing.Server.Access;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Clearwing.Server.Cases;

/// <summary>The program overview (docs/overview.md): the figures behind the dashboard's first page, within the caller's need-to-know.</summary>
public static class OverviewApi
{
    public static void MapOverview(this RouteGroupBuilder api) =>
        api.Map(ApiRoutes.GetOverview, GetAsync)
            .WithSummary("The program at a glance, as the caller may see it: the funnel from findings to disclosure, new and fixed cases " +
                "per week (?weeks=, default 12), time in each state, deadlines at risk (?window= days, default 14), the biggest backlogs.");

    static async Task<Ok<ProgramOverview>> GetAsync(HttpContext context, ProgramOverviewQueries overview, int? weeks, int? window,
        CancellationToken ct)
    {
        var defaults = new OverviewOptions();
        return TypedResults.Ok(await ReadAsync(context, overview, new OverviewOptions(weeks ?? defaults.Weeks, window ?? defaults.WindowDays), ct));
    }

    /// <summary>The overview as the caller may see it, the API's and the dashboard's alike.</summary>
    public static async Task<ProgramOverview> ReadAsync(HttpContext context, ProgramOverviewQueries overview, OverviewOptions options,
        CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(overview);
        var result = await overview.GetAsync(context.Caller(), options, ct);
        // The cases at risk are named with their titles, as a case list would show them: embargoed reads are audited alike.
        if (result.Deadlines.Nearest.Count > 0)
            await context.AuditReadAsync("cases", string.Join(",", result.Deadlines.Nearest.Select(d => d.Case)));
        return result;
    }
}
