using Clearwing.Cases;
using Clearwing.Server.Access;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Clearwing.Server.Cases;

/// <summary>A lifecycle move as the API takes it: state and rejection by their stored names (docs/lifecycle.md).</summary>
public sealed record TransitionBody(string To, string? Reason, string? Rejection, string? DuplicateOf, string? FixCommit, string? FixedVersion);

public static class LifecycleApi
{
    public static void MapLifecycle(this RouteGroupBuilder api)
    {
        api.Map(ApiRoutes.TransitionCase, TransitionAsync)
            .WithSummary("Moves a case through its lifecycle; a refused move answers with the moves allowed from here.");
        api.Map(ApiRoutes.ListTransitions, async (string id, HttpContext context, CaseLifecycle lifecycle, CancellationToken ct) =>
            {
                var history = await lifecycle.HistoryAsync(context.Caller(), id, ct);
                if (history.Count == 0 || history[^1].To != CaseState.Disclosed) await context.AuditReadAsync($"case:{id}", "transitions");
                return TypedResults.Ok(history);
            })
            .WithSummary("A case's lifecycle moves, oldest first.");
    }

    static async Task<Ok<CaseTransition>> TransitionAsync(
        string id, TransitionBody body, HttpContext context, CaseLifecycle lifecycle, CancellationToken ct)
    {
        var to = Lifecycle.ParseState(body.To ?? "");
        var rejection = body.Rejection is null ? (Rejection?)null : Lifecycle.ParseRejection(body.Rejection);
        var request = new TransitionRequest(to, body.Reason, rejection, body.DuplicateOf, body.FixCommit, body.FixedVersion);
        return TypedResults.Ok(await lifecycle.TransitionAsync(context.Caller(), id, request, ct));
    }
}
