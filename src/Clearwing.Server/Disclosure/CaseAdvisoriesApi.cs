using Clearwing.Disclosure;
using Clearwing.Server.Access;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Clearwing.Server.Disclosure;

/// <summary>The body of a publication: a time to publish at (now when absent or past) and what a correction changed.</summary>
public sealed record PublishBody(DateTimeOffset? At = null, string? Summary = null);

/// <summary>
/// A case's advisory before and at publication (docs/advisories.md): its editors (the coordinator, the case's maintainers) read,
/// edit and review it; the coordinator publishes. AdvisoryStore authorizes every call in its queries.
/// </summary>
public static class CaseAdvisoriesApi
{
    /// <summary>The largest content body, in bytes: details of 64 KiB and a thousand of each list fit well within it.</summary>
    public const long MaxContentBytes = 4 * 1024 * 1024;

    public static void MapCaseAdvisories(this RouteGroupBuilder api)
    {
        api.Map(ApiRoutes.ListCaseAdvisories, async (string? status, int? limit, HttpContext context, AdvisoryStore store, CancellationToken ct) =>
                TypedResults.Ok(await store.ListAsync(context.Caller(), status is null ? null : AdvisoryStore.ParseStatus(status), limit ?? 100, ct)))
            .WithSummary("The advisories of the cases the caller sees: drafts, reviewed, scheduled and published, the next due first " +
                "(?status=draft|reviewed|scheduled|published, ?limit= at most 1000).");
        api.Map(ApiRoutes.GetCaseAdvisory, async (string id, HttpContext context, AdvisoryStore store, CancellationToken ct) =>
                TypedResults.Ok(await store.GetAsync(context.Caller(), id, ct)))
            .AuditsCaseRead("advisory")
            .WithSummary("A case's advisory: its content (as edited, or what the case holds), status, versions, and what stops it going out.");
        api.Map(ApiRoutes.EditCaseAdvisory, EditAsync)
            .WithSummary("Replaces the advisory's content (the JSON of docs/advisories.md; the coordinator's and the case's maintainers' " +
                "admins and triagers). Refused whole, naming the JSON path, when any of it is invalid.");
        api.Map(ApiRoutes.ReviewCaseAdvisory, async (string id, HttpContext context, AdvisoryStore store, CancellationToken ct) =>
                TypedResults.Ok(await store.ReviewAsync(context.Caller(), id, ct)))
            .WithSummary("Marks the advisory's current content reviewed (its editors); an edit voids the review.");
        api.Map(ApiRoutes.PublishCaseAdvisory,
                async (string id, PublishBody? body, HttpContext context, AdvisoryStore store, CancellationToken ct) =>
                    TypedResults.Ok(await store.PublishAsync(context.Caller(), id, body?.At, body?.Summary, ct)))
            .WithSummary("Publishes the advisory now — disclosing the case, revealing its commitment, writing OSV, CSAF and the CVE record " +
                "together — or schedules it for {\"at\"} (the coordinator's admins and triagers). Publishing again changes nothing.");
        api.Map(ApiRoutes.ShowCaseAdvisory, ShowAsync).AuditsCaseRead("advisory")
            .WithSummary("The advisory as a document: osv, csaf, csaf-vex, cve or content — as published, or as it would be published now.");
    }

    static async Task<IResult> EditAsync(string id, HttpRequest request, AdvisoryStore store, CancellationToken ct)
    {
        using var upload = await Upload.SpoolAsync(request, MaxContentBytes, null, "the advisory's content (JSON)", ct);
        var content = AdvisoryContent.Parse(await File.ReadAllBytesAsync(upload.Path, ct), "body");
        return TypedResults.Ok(await store.EditAsync(request.HttpContext.Caller(), id, content, ct));
    }

    static async Task<IResult> ShowAsync(string id, string format, HttpContext context, AdvisoryStore store, CancellationToken ct)
    {
        var kind = AdvisoryStore.ParseFormat(format);
        return await store.ShowAsync(context.Caller(), id, kind, ct) is { } document
            ? TypedResults.Bytes(document, "application/json")
            : TypedResults.Problem(AdvisoryStore.NoCveRecord(id), statusCode: StatusCodes.Status404NotFound, title: "Not found");
    }
}
