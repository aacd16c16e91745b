using Clearwing.Access;
using Clearwing.Packages;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Clearwing.Server.Access;

namespace Clearwing.Server.Packages;

/// <summary>
/// Imported OSV advisories. OSV data is public, so any authenticated caller may read it; nothing here is scoped by
/// need-to-know. Importing is the coordinator's (a record, or a zip export, as the body).
/// </summary>
public static class AdvisoriesApi
{
    public static void MapAdvisories(this RouteGroupBuilder api)
    {
        api.Map(ApiRoutes.GetAdvisory, async (string id, OsvStore osv, CancellationToken ct) =>
                await osv.GetAsync(id, ct) is { } advisory
                    ? Results.Text(advisory.Record, "application/json")
                    : throw new NotFoundException($"No imported advisory has the id {id}."))
            .WithSummary("An imported OSV advisory: its record as imported.");
        api.Map(ApiRoutes.QueryAdvisories, async (string? purl, string? alias, OsvStore osv, CancellationToken ct) =>
            {
                if (purl is null == alias is null) throw new BadInputException("Give exactly one of ?purl=pkg:TYPE/NAME@VERSION or ?alias=ID.");
                if (alias is not null) return Results.Ok(new { alias, advisories = await osv.FindByAliasAsync(alias, ct) });
                var result = await osv.QueryAsync(QueryPurl(purl!), ct);
                return Results.Ok(new
                {
                    purl = result.Purl, advisories = result.Advisories,
                    unknown = result.Unknown.Select(u => new { advisory = u.Advisory, reason = u.Reason }),
                });
            })
            .WithSummary("The imported advisories that affect ?purl= at its version (unknown ones with reasons), or those giving ?alias=.");
        api.Map(ApiRoutes.ImportAdvisories,
                async (HttpRequest request, bool? skipInvalid, bool? strict, OsvStore osv, ServerOptions options, CancellationToken ct) =>
                {
                    var caller = request.HttpContext.Caller();
                    caller.RequireCoordinatorWriter("import OSV advisories");
                    using var upload = await Upload.SpoolAsync(
                        request, options.MaxImportBytes, "--max-import-bytes", "an OSV record (JSON) or a zip export of them", ct);
                    return TypedResults.Ok(await osv.ImportAsync(caller, upload.Path, skipInvalid ?? false, null, "upload", strict ?? false, ct));
                })
            .Accepts<object>("application/json", "application/zip")
            .WithSummary("Imports OSV advisories from a record or a zip export (coordinator admins and triagers); " +
                "?skipInvalid=true stores the valid ones; a zip export's records are stored without the ranges that break the schema " +
                "(listed in warnings) unless ?strict=true.");
    }

    /// <summary>The package URL an advisory query names: it must parse and carry the version asked about.</summary>
    public static PackageUrl QueryPurl(string purl)
    {
        if (!PackageUrl.TryParse(purl, PurlParseMode.Lenient, out var package, out var error))
            throw new BadInputException($"purl: {error}");
        if (package.Version is null) throw new BadInputException($"purl '{purl}' has no version: give pkg:TYPE/NAME@VERSION.");
        return package;
    }
}
