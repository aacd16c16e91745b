using Clearwing.Cases;
using Clearwing.Server.Access;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Clearwing.Server.Cases;

/// <param name="Profile">A profile name; null (for a project) removes its override so the default applies.</param>
public sealed record DisclosurePolicyRequest(string? Profile);
public sealed record AskExtensionRequest(int Days, string? Reason);
/// <param name="Verdict">"approved" or "refused"; required, never assumed.</param>
public sealed record ExtensionDecisionRequest(ExtensionVerdict? Verdict, string? Note);

/// <summary>
/// Disclosure policy, embargo extensions, clock facts and deadlines. The stores (clocks, extensions, policy) decide who may do what and
/// scopes every case by need-to-know; this maps HTTP onto it and shows instants in the zone asked for (?tz=, UTC by default).
/// </summary>
public static class DeadlinesApi
{
    public static void MapDisclosure(this RouteGroupBuilder api)
    {
        api.Map(ApiRoutes.ListDeadlines,
                async (HttpContext context, ClockStore store, string? status, int? limit, int? offset, string? tz, CancellationToken ct) =>
                {
                    var zone = ZonedDeadlines.Zone(tz);
                    var filter = new DeadlineFilter(status is null ? null : DeadlineFilter.ParseStatus(status), offset ?? 0, limit ?? 100);
                    return TypedResults.Ok(DeadlineListItem.Page(await store.ListDeadlinesAsync(context.Caller(), filter, ct), zone));
                })
            .WithSummary("Open deadlines of the notified, undisclosed cases the caller may see, soonest first; " +
                "?status=upcoming|dueSoon|breached, ?tz=Europe/Berlin.");
        api.Map(ApiRoutes.GetCaseDeadlines, async (string id, HttpContext context, ClockStore store, string? tz, CancellationToken ct) =>
            {
                var zone = ZonedDeadlines.Zone(tz);
                return TypedResults.Ok(CaseDeadlines.From(await store.GetClockAsync(context.Caller(), id, ct), zone));
            })
            .AuditsCaseRead("deadlines")
            .WithSummary("A case's deadlines with their rules, its clock facts and profile; instants in UTC or ?tz=.");

        api.Map(ApiRoutes.GetDisclosurePolicy, async (HttpContext context, DisclosurePolicyStore store, CancellationToken ct) =>
                TypedResults.Ok(await store.GetPolicyAsync(context.Caller(), ct)))
            .WithSummary("The default profile, per-project overrides (those the caller may see) and the shipped profiles.");
        api.Map(ApiRoutes.SetDisclosurePolicy,
                async (DisclosurePolicyRequest body, HttpContext context, DisclosurePolicyStore store, CancellationToken ct) =>
                    TypedResults.Ok(await store.SetDefaultProfileAsync(context.Caller(), body.Profile ?? "", ct)))
            .WithSummary("Sets the coordinator's default profile (coordinator admins).");
        api.Map(ApiRoutes.SetProjectDisclosurePolicy,
                async (string project, DisclosurePolicyRequest body, HttpContext context, DisclosurePolicyStore store, CancellationToken ct) =>
                    TypedResults.Ok(await store.SetProjectProfileAsync(context.Caller(), project, body.Profile, ct)))
            .WithSummary("Sets a project's profile, or with profile null removes its override (coordinator admins).");

        api.Map(ApiRoutes.ListExtensions, async (string id, HttpContext context, ExtensionStore store, CancellationToken ct) =>
                TypedResults.Ok(await store.ListExtensionsAsync(context.Caller(), id, ct)))
            .AuditsCaseRead("extensions")
            .WithSummary("A case's extension requests with their decisions (coordinator, granted maintainers).");
        api.Map(ApiRoutes.AskExtension,
                async (string id, AskExtensionRequest body, HttpContext context, ExtensionStore store, CancellationToken ct) =>
                    TypedResults.Ok(await store.AskExtensionAsync(context.Caller(), id, body.Days, body.Reason ?? "", ct)))
            .WithSummary("Asks for more embargo time, with a reason (maintainer admins and triagers with a grant).");
        api.Map(ApiRoutes.DecideExtension,
                async (string id, string extensionId, ExtensionDecisionRequest body, HttpContext context, ExtensionStore store,
                    CancellationToken ct) =>
                    TypedResults.Ok(await store.DecideExtensionAsync(context.Caller(), extensionId,
                        body.Verdict ?? throw new BadInputException("A decision needs its verdict: approved or refused."), body.Note, id, ct)))
            .WithSummary("Approves or refuses a pending extension request (coordinator admins and triagers).");

        api.Map(ApiRoutes.RecordClockFact,
                async (string id, ClockEntry body, HttpContext context, ClockStore store, string? tz, CancellationToken ct) =>
                {
                    var zone = ZonedDeadlines.Zone(tz);
                    return TypedResults.Ok(CaseDeadlines.From(await store.RecordAsync(context.Caller(), id, body, ct), zone));
                })
            .WithSummary("Records a clock fact: fixScheduled (scheduledFor; maintainers with a grant or the coordinator), " +
                "exploitedInTheWild or detailsPublished (at; the coordinator). Returns the case's deadlines.");
    }
}
