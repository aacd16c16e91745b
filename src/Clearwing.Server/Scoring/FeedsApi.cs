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
        api.Map(ApiRoutes.GetCaseFeeds, async (string id, HttpContext context, FeedStore feeds, CancellationToken ct) =>
                TypedResults.Ok(await feeds.GetAsync(context.Caller(), id, ct)))
            .AuditsCaseRead("feeds")
            .WithSummary("A case's aliases and what CISA KEV and FIRST EPSS say about them.");
        api.Map(ApiRoutes.AddCaseAliases, async (string id, List<string> aliases, HttpContext context, FeedStore feeds, CancellationToken ct) =>
                TypedResults.Ok(await feeds.AddAliasesAsync(context.Caller(), id, aliases, ct)))
            .WithSummary("Adds aliases (CVE, GHSA, … ids) to a case (coordinator); feeds match cases by them.");
        api.Map(ApiRoutes.ImportKev, (HttpRequest request, FeedStore feeds, ServerOptions options, CancellationToken ct) =>
                ImportAsync(request, options, "the CISA KEV catalog (JSON)", feeds.ImportKevAsync, ct))
            .Accepts<object>("application/json", "application/gzip")
            .WithSummary("Imports the CISA KEV catalog; cases whose aliases it lists become actively exploited (coordinator admins and triagers).");
        api.Map(ApiRoutes.ImportEpss, (HttpRequest request, FeedStore feeds, ServerOptions options, CancellationToken ct) =>
                ImportAsync(request, options, "a FIRST EPSS daily file (CSV)", feeds.ImportEpssAsync, ct))
            .Accepts<object>("text/csv", "application/gzip")
            .WithSummary("Imports a FIRST EPSS daily file (coordinator admins and triagers).");
    }

    static async Task<IResult> ImportAsync(
        HttpRequest request, ServerOptions options, string what, Func<Clearwing.Access.Caller, string, CancellationToken, Task<FeedImport>> import,
        CancellationToken ct)
    {
        var caller = request.HttpContext.Caller();
        // Refused before the body is read.
        caller.RequireCoordinatorWriter("import feeds");
        using var upload = await Upload.SpoolAsync(request, options.MaxImportBytes, "--max-import-bytes", what, ct);
        return TypedResults.Ok(await import(caller, upload.Path, ct));
    }
}
