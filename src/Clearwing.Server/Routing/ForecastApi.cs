using Clearwing.Routing;
using Clearwing.Server.Access;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Clearwing.Server.Routing;

/// <summary>The forecast (docs/forecast.md): whether fixing keeps up, within the caller's need-to-know.</summary>
public static class ForecastApi
{
    public static void MapForecast(this RouteGroupBuilder api) =>
        api.Map(ApiRoutes.GetForecast, async (string? project, HttpContext context, ForecastQueries forecasts, CancellationToken ct) =>
                TypedResults.Ok(await ReadAsync(context, forecasts, project, ct)))
            .WithSummary("The backlog's forecast, per project and overall (?project= one project), as the caller may see it: the backlog, " +
                "weekly inflow of confirmed cases and fixes over the last 8 weeks, the date it clears with an 80% band (a seeded Monte Carlo), " +
                "its past and projected trajectory, and the deadlines predicted to be missed.");

    /// <summary>The forecast as the caller may see it, the API's and the dashboard's alike.</summary>
    public static async Task<Forecast> ReadAsync(HttpContext context, ForecastQueries forecasts, string? project, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(forecasts);
        var result = await forecasts.GetAsync(context.Caller(), string.IsNullOrWhiteSpace(project) ? null : project, ct);
        // The cases at risk are named with their titles, as a case list would show them: embargoed reads are audited alike.
        if (result.DeadlinesAtRisk.Count > 0)
            await context.AuditReadAsync("cases", string.Join(",", result.DeadlinesAtRisk.Select(d => d.Case)));
        return result;
    }
}
